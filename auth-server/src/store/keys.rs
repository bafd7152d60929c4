//! RS256 signing keys, persisted so tokens survive restarts and every instance signs with the same key. The private
//! keys are stored sealed (see `key_encryption`); rows from before encryption hold plaintext PEM until the first
//! start with a key-encryption key seals them in place.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sqlx::Row;

use crate::db::{Backend, Db};
use crate::ids;
use crate::key_encryption::{SealedKey, AES_256_GCM};

/// How a row holds its private key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoredSecret {
    Sealed(SealedKey),
    /// A row written before keys were encrypted: PKCS#8 PEM in the clear.
    LegacyPem(String),
}

#[derive(Debug, Clone)]
pub struct StoredKey {
    pub kid: String,
    pub secret: StoredSecret,
    pub created_at: i64,
    pub retired_at: Option<i64>,
}

/// What changes whenever a key is added, retired or deleted: (keys, highest generation, retired keys). Instances
/// of a fleet compare it with the one of the keys they loaded to notice another instance's `rotate-key`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KeySetVersion {
    pub keys: i64,
    pub max_generation: i64,
    pub retired: i64,
}

/// The [`KeySetVersion`] in the database now: one small aggregate query, cheap enough to run every few seconds.
pub async fn version(db: &Db) -> Result<KeySetVersion, sqlx::Error> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS keys, COALESCE(MAX(generation), 0) AS max_generation, COUNT(retired_at) AS retired \
         FROM signing_keys",
    )
    .fetch_one(db)
    .await?;
    Ok(KeySetVersion {
        keys: row.try_get("keys")?,
        max_generation: row.try_get("max_generation")?,
        retired: row.try_get("retired")?,
    })
}

/// Every key, newest generation first.
pub async fn all(db: &Db) -> Result<Vec<StoredKey>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT kid, private_key_pem, encryption, nonce, ciphertext, created_at, retired_at FROM signing_keys \
         ORDER BY generation DESC, created_at DESC",
    )
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|row| {
            let kid: String = row.try_get("kid")?;
            let encryption: String = row.try_get("encryption")?;
            let secret = if encryption == AES_256_GCM {
                let nonce: Option<String> = row.try_get("nonce")?;
                let ciphertext: Option<String> = row.try_get("ciphertext")?;
                let decode = |text: Option<String>| URL_SAFE_NO_PAD.decode(text.unwrap_or_default()).ok();
                match (decode(nonce), decode(ciphertext)) {
                    (Some(nonce), Some(ciphertext)) => StoredSecret::Sealed(SealedKey { nonce, ciphertext }),
                    // Unreadable columns: an empty sealed key, which fails to open with a clear error for this kid.
                    _ => StoredSecret::Sealed(SealedKey { nonce: Vec::new(), ciphertext: Vec::new() }),
                }
            } else {
                StoredSecret::LegacyPem(row.try_get("private_key_pem")?)
            };
            Ok(StoredKey {
                kid,
                secret,
                created_at: row.try_get("created_at")?,
                retired_at: row.try_get("retired_at")?,
            })
        })
        .collect()
}

/// The current key (newest unretired) and the previous one (most recently retired), if any, from [`all`].
pub fn current_and_previous(keys: &[StoredKey]) -> (Option<&StoredKey>, Option<&StoredKey>) {
    let current = keys.iter().find(|k| k.retired_at.is_none());
    // Rows come newest generation first, so the first retired row is the key retired last.
    let previous = keys.iter().find(|k| k.retired_at.is_some());
    (current, previous)
}

/// Insert a key one generation above every existing key.
const INSERT_NEXT_GENERATION: &str =
    "INSERT INTO signing_keys (kid, private_key_pem, encryption, nonce, ciphertext, created_at, generation) \
     SELECT $1, '', $2, $3, $4, $5, COALESCE(MAX(generation), 0) + 1 FROM signing_keys";

fn insert_next_generation<'q>(
    kid: &'q str,
    sealed: &SealedKey,
    now: i64,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    sqlx::query(INSERT_NEXT_GENERATION)
        .bind(kid)
        .bind(AES_256_GCM)
        .bind(URL_SAFE_NO_PAD.encode(&sealed.nonce))
        .bind(URL_SAFE_NO_PAD.encode(&sealed.ciphertext))
        .bind(now)
}

/// Make `kid` the current key: retire the others and insert it, in one transaction. The key retired now stays in
/// the JWKS as the previous key.
pub async fn install_current(db: &Db, kid: &str, sealed: &SealedKey) -> Result<(), sqlx::Error> {
    let now = ids::now();
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE signing_keys SET retired_at = $1 WHERE retired_at IS NULL").bind(now).execute(&mut *tx).await?;
    insert_next_generation(kid, sealed, now).execute(&mut *tx).await?;
    tx.commit().await
}

/// Make `kid` the only key: every other key is deleted in the same transaction, so no token signed before stays
/// verifiable (`rotate-key --revoke`, for a key that may have leaked). Returns how many keys were removed.
pub async fn install_current_revoking_others(db: &Db, kid: &str, sealed: &SealedKey) -> Result<u64, sqlx::Error> {
    let mut conn = db.acquire().await?;
    overwrite_deleted_content(&mut conn, db).await?;
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    insert_next_generation(kid, sealed, ids::now()).execute(&mut *tx).await?;
    let removed = sqlx::query("DELETE FROM signing_keys WHERE kid <> $1").bind(kid).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(removed.rows_affected())
}

/// Insert `kid` only if no current key exists yet (first run).
pub async fn insert_if_none(db: &Db, kid: &str, sealed: &SealedKey) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    let existing: Option<String> =
        sqlx::query_scalar("SELECT kid FROM signing_keys WHERE retired_at IS NULL").fetch_optional(&mut *tx).await?;
    if existing.is_none() {
        insert_next_generation(kid, sealed, ids::now()).execute(&mut *tx).await?;
    }
    tx.commit().await
}

/// Replace the plaintext of legacy rows by their sealed form (`(kid, sealed)` each), in one transaction. Only rows
/// still in plaintext are changed, so two servers migrating at once do not overwrite each other's result.
///
/// On SQLite the old bytes are overwritten too (`secure_delete`, then a checkpoint that truncates the WAL), so the
/// database file no longer holds the plaintext. Postgres keeps old row versions until VACUUM: see the README
/// (`rotate-key --revoke` after migrating retires the formerly plaintext keys for good).
pub async fn seal_legacy_rows(db: &Db, sealed: &[(String, SealedKey)]) -> Result<(), sqlx::Error> {
    let mut conn = db.acquire().await?;
    overwrite_deleted_content(&mut conn, db).await?;
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    for (kid, key) in sealed {
        sqlx::query(
            "UPDATE signing_keys SET encryption = $1, nonce = $2, ciphertext = $3, private_key_pem = '' \
             WHERE kid = $4 AND encryption = 'none'",
        )
        .bind(AES_256_GCM)
        .bind(URL_SAFE_NO_PAD.encode(&key.nonce))
        .bind(URL_SAFE_NO_PAD.encode(&key.ciphertext))
        .bind(kid)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    if is_sqlite(db) {
        // Copy the new pages into the database file and empty the WAL, which held the pre-update pages' successors
        // only; the old plaintext bytes were zeroed by secure_delete when their cells were freed.
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&mut *conn).await?;
    }
    Ok(())
}

/// SQLite: make this connection zero the bytes of deleted or replaced rows instead of leaving them in free space.
async fn overwrite_deleted_content(
    conn: &mut sqlx::pool::PoolConnection<sqlx::Any>,
    db: &Db,
) -> Result<(), sqlx::Error> {
    if is_sqlite(db) {
        sqlx::query("PRAGMA secure_delete = ON").execute(&mut **conn).await?;
    }
    Ok(())
}

fn is_sqlite(db: &Db) -> bool {
    Backend::of(db.connect_options().database_url.as_str()) == Some(Backend::Sqlite)
}
