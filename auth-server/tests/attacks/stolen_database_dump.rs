//! An attacker holds a copy of the database (a backup, a dump, a read-only SQL injection elsewhere) but not the
//! key-encryption key. ASVS 5.0 V13.3.1: key material is kept in a secrets store, not beside the data; so the dump
//! must not let them mint auth tokens, and a leaked key must be retired in one step.

use auth_server::key_encryption::{KeyEncryptionKey, SealedKey};
use auth_server::{tokens, AppState, ServerOptions};
use axum::http::StatusCode;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::Value;
use sqlx::Row;

use crate::common::*;

on_both_databases!(
    database_dump_holds_no_usable_signing_key,
    stolen_database_with_another_kek_does_not_start_or_mint,
    swapped_key_rows_do_not_decrypt,
    legacy_plaintext_keys_are_sealed_on_the_first_start_with_a_kek,
    leaked_signing_key_is_revoked_in_one_step,
);

struct RawKeyRow {
    kid: String,
    columns: Vec<String>,
    sealed: SealedKey,
}

/// Every `signing_keys` row as a dump shows it: every column as text.
async fn dump_key_rows(ctx: &Ctx) -> Vec<RawKeyRow> {
    let rows = sqlx::query(
        "SELECT kid, private_key_pem, encryption, COALESCE(nonce, '') AS nonce, COALESCE(ciphertext, '') AS ciphertext \
         FROM signing_keys",
    )
    .fetch_all(ctx.state.db())
    .await
    .expect("read signing_keys");
    rows.iter()
        .map(|row| {
            let text = |name: &str| row.try_get::<String, _>(name).unwrap();
            let decode = |name: &str| URL_SAFE_NO_PAD.decode(text(name)).unwrap_or_default();
            RawKeyRow {
                kid: text("kid"),
                columns: ["kid", "private_key_pem", "encryption", "nonce", "ciphertext"].map(text).to_vec(),
                sealed: SealedKey { nonce: decode("nonce"), ciphertext: decode("ciphertext") },
            }
        })
        .collect()
}

/// The bytes of the SQLite database file and its WAL (what copying `.data/` gives an attacker).
fn sqlite_file_bytes(ctx: &Ctx) -> Option<Vec<u8>> {
    if ctx.backend != Backend::Sqlite {
        return None;
    }
    let url = url::Url::parse(ctx.state.db().connect_options().database_url.as_str()).unwrap();
    let mut bytes = std::fs::read(url.path()).expect("sqlite file");
    bytes.extend(std::fs::read(format!("{}-wal", url.path())).unwrap_or_default());
    Some(bytes)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Assert that none of the ways a private key could be written down appears in `dump`.
fn assert_no_key_material(dump: &[u8], der: &[u8], what: &str) {
    let forms: [(&str, Vec<u8>); 5] = [
        ("PEM header", b"PRIVATE KEY".to_vec()),
        ("DER", der[..64].to_vec()),
        ("base64 (PEM body)", STANDARD.encode(der).as_bytes()[..64].to_vec()),
        ("base64url", URL_SAFE_NO_PAD.encode(der).as_bytes()[..64].to_vec()),
        ("hex", auth_server::ids::hex_lower(&der[..32]).into_bytes()),
    ];
    for (form, needle) in forms {
        assert!(!contains(dump, &needle), "{what} holds the private key as {form}");
    }
}

async fn database_dump_holds_no_usable_signing_key(ctx: &Ctx) {
    // Two keys: the current one and, after a rotation, the previous one (both still verify tokens).
    tokens::rotate(ctx.state.db(), ctx.state.key_encryption_key()).await.unwrap();
    ctx.state.reload_keys().await.unwrap();
    let rows = dump_key_rows(ctx).await;
    assert_eq!(rows.len(), 2);
    let (_, jwks) = ctx.get(&format!("/v1/apps/{APP_ID}/.well-known/jwks.json")).await;
    for row in &rows {
        // With the KEK the row opens to the very key the JWKS publishes: the test looks at the real key material.
        let der = ctx.state.key_encryption_key().open(&row.kid, &row.sealed).expect("the KEK opens its own keys");
        let rsa = openssl::pkey::PKey::private_key_from_der(&der).unwrap().rsa().unwrap();
        let published = jwks["keys"].as_array().unwrap().iter().find(|k| k["kid"] == row.kid.as_str()).unwrap();
        assert_eq!(published["n"], URL_SAFE_NO_PAD.encode(rsa.n().to_vec()));

        let dump = row.columns.join("\n");
        assert_no_key_material(dump.as_bytes(), &der, "a signing_keys row");
        for column in &row.columns {
            for bytes in [URL_SAFE_NO_PAD.decode(column), STANDARD.decode(column)].into_iter().flatten() {
                assert!(openssl::pkey::PKey::private_key_from_der(&bytes).is_err(), "a column decodes to a key");
            }
        }
        // Without the KEK the ciphertext does not open (AES-256-GCM: a guessed key fails authentication).
        assert!(KeyEncryptionKey::generate().open(&row.kid, &row.sealed).is_err());
        if let Some(file) = sqlite_file_bytes(ctx) {
            assert_no_key_material(&file, &der, "the SQLite file");
        }
    }
}

async fn stolen_database_with_another_kek_does_not_start_or_mint(ctx: &Ctx) {
    let kid = ctx.state.keys().current_kid().to_owned();
    let options = ServerOptions { key_encryption_key: Some(KeyEncryptionKey::generate()), ..ServerOptions::dev() };
    let err = match AppState::with_options(ctx.state.db().clone(), test_apps(), options).await {
        Ok(_) => panic!("a server with a guessed KEK started on the stolen database"),
        Err(err) => err.to_string(),
    };
    assert!(err.contains("cannot be decrypted with this key-encryption key"), "{err}");
    // It did not quietly make itself a new key either (which it could then sign with).
    let rows = dump_key_rows(ctx).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].kid, kid);
    // And without a KEK at all, outside --dev, the server refuses to start.
    let options = ServerOptions { key_encryption_key: None, ..ServerOptions::dev() };
    let err = AppState::with_options(ctx.state.db().clone(), test_apps(), options).await.err().expect("refused");
    assert!(err.to_string().contains("no key-encryption key"), "{err}");
}

async fn swapped_key_rows_do_not_decrypt(ctx: &Ctx) {
    tokens::rotate(ctx.state.db(), ctx.state.key_encryption_key()).await.unwrap();
    let rows = dump_key_rows(ctx).await;
    // An attacker with write access swaps the sealed keys of the two rows (e.g. to bring a retired key back as the
    // current one). The kid is the AEAD's associated data, so neither row opens any more.
    for (row, other) in [(&rows[0], &rows[1]), (&rows[1], &rows[0])] {
        sqlx::query("UPDATE signing_keys SET nonce = $1, ciphertext = $2 WHERE kid = $3")
            .bind(&other.columns[3])
            .bind(&other.columns[4])
            .bind(&row.kid)
            .execute(ctx.state.db())
            .await
            .unwrap();
    }
    let err = ctx.state.reload_keys().await.expect_err("swapped rows must not load");
    assert!(err.to_string().contains("cannot be decrypted"), "{err}");
}

async fn legacy_plaintext_keys_are_sealed_on_the_first_start_with_a_kek(ctx: &Ctx) {
    // A database from before encryption: the current key is PKCS#8 PEM in the clear.
    let legacy = openssl::pkey::PKey::from_rsa(openssl::rsa::Rsa::generate(2048).unwrap()).unwrap();
    let pem = String::from_utf8(legacy.private_key_to_pem_pkcs8().unwrap()).unwrap();
    let der = legacy.private_key_to_pkcs8().unwrap();
    ctx.sql("UPDATE signing_keys SET retired_at = 1 WHERE retired_at IS NULL").await;
    sqlx::query(
        "INSERT INTO signing_keys (kid, private_key_pem, created_at, generation, encryption) \
         VALUES ('legacy-kid', $1, 1, 1000, 'none')",
    )
    .bind(&pem)
    .execute(ctx.state.db())
    .await
    .unwrap();

    // The first (re)load with a KEK seals it in place and keeps using it: tokens it signed stay valid.
    ctx.state.reload_keys().await.unwrap();
    assert_eq!(ctx.state.keys().current_kid(), "legacy-kid");
    let (_, jwks) = ctx.get(&format!("/v1/apps/{APP_ID}/.well-known/jwks.json")).await;
    assert_eq!(jwks["keys"][0]["n"], URL_SAFE_NO_PAD.encode(legacy.rsa().unwrap().n().to_vec()));
    let rows = dump_key_rows(ctx).await;
    let row = rows.iter().find(|r| r.kid == "legacy-kid").unwrap();
    assert_eq!(row.columns[2], "aes-256-gcm");
    assert_no_key_material(row.columns.join("\n").as_bytes(), &der, "the migrated row");
    // The plaintext is gone from the file too, not only from the row (SQLite keeps freed bytes unless told not to).
    if let Some(file) = sqlite_file_bytes(ctx) {
        assert_no_key_material(&file, &der, "the SQLite file after the migration");
        assert!(!contains(&file, pem.lines().nth(1).unwrap().as_bytes()), "a PEM line is left in the file");
    }
}

async fn leaked_signing_key_is_revoked_in_one_step(ctx: &Ctx) {
    // Two keys are published (current + previous); a token is signed with the current one, which then leaks.
    tokens::rotate(ctx.state.db(), ctx.state.key_encryption_key()).await.unwrap();
    ctx.state.reload_keys().await.unwrap();
    let leaked_kid = ctx.state.keys().current_kid().to_owned();
    let mut passkey = authenticator();
    let (_, result) = ctx.register_passkey("leak@example.com", &mut passkey).await;
    let token = result["auth_token"].as_str().unwrap().to_owned();
    assert_eq!(jwt_part(&token, 0)["kid"], leaked_kid.as_str());

    // `rotate-key --revoke`: a new key, and the leaked one (and any older one) gone from the JWKS at once.
    let (new_kid, removed) =
        tokens::rotate_revoking_previous(ctx.state.db(), ctx.state.key_encryption_key()).await.unwrap();
    assert_eq!(removed, 2);
    ctx.state.reload_keys().await.unwrap();
    let (_, jwks) = ctx.get(&format!("/v1/apps/{APP_ID}/.well-known/jwks.json")).await;
    let kids: Vec<&Value> = jwks["keys"].as_array().unwrap().iter().map(|k| &k["kid"]).collect();
    assert_eq!(kids, vec![&Value::from(new_kid.as_str())], "only the new key is published");
    let (status, body) = ctx.get_bearer(&format!("/v1/apps/{APP_ID}/currentuser"), &token).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_access_token");
    // The owner signs in again and gets a token of the new key.
    let (status, login) = ctx.login_passkey("leak@example.com", &mut passkey, ORIGIN).await;
    assert_eq!(status, StatusCode::OK, "{login}");
    assert_eq!(jwt_part(login["auth_result"]["auth_token"].as_str().unwrap(), 0)["kid"], new_kid.as_str());
}
