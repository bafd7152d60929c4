//! Magic links (E11-E14): a public id (polled by the requesting tab) and a different secret token (in the e-mailed
//! link, stored only as a hash). The token activates once; the polling tab then collects its AuthResult once.
//!
//! An e-mail change (P8) is a link too (`purpose = 'email_change'`, with the new address): it goes to the new
//! address, and opening it (E14) proves that address and moves the account to it. Its id is never collected (E13).

use sqlx::Row;

use crate::db::Db;
use crate::ids;

/// Store a new sign-in link for the user, requested in `language` (a shipped tag, kept for when the link is
/// opened); returns `(public_id, secret_token)`.
pub async fn create(
    db: &Db,
    app_id: &str,
    user_id: &str,
    language: Option<&str>,
    ttl_secs: i64,
    now: i64,
) -> Result<(String, String), sqlx::Error> {
    insert(db, app_id, user_id, None, language, ttl_secs, now).await
}

/// Store an e-mail change link to `new_email` for the user, replacing any the user has not opened yet (a newer
/// request supersedes an older one, so only the latest address can be confirmed). Returns `(public_id, token)`.
pub async fn create_email_change(
    db: &Db,
    app_id: &str,
    user_id: &str,
    new_email: &str,
    ttl_secs: i64,
    now: i64,
) -> Result<(String, String), sqlx::Error> {
    let mut tx = db.begin().await?;
    sqlx::query(
        "DELETE FROM magic_links WHERE app_id = $1 AND user_id = $2 AND purpose = 'email_change' AND activated_at IS NULL",
    )
    .bind(app_id)
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    let created = insert(&mut *tx, app_id, user_id, Some(new_email), None, ttl_secs, now).await?;
    tx.commit().await?;
    Ok(created)
}

async fn insert<'e, E>(
    db: E,
    app_id: &str,
    user_id: &str,
    new_email: Option<&str>,
    language: Option<&str>,
    ttl_secs: i64,
    now: i64,
) -> Result<(String, String), sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let id = ids::random_id();
    let token = ids::random_secret();
    sqlx::query(
        "INSERT INTO magic_links (id, app_id, user_id, token_hash, created_at, expires_at, purpose, new_email, language) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&id)
    .bind(app_id)
    .bind(user_id)
    .bind(ids::sha256_hex(&token))
    .bind(now)
    .bind(now + ttl_secs)
    .bind(if new_email.is_some() { "email_change" } else { "sign_in" })
    .bind(new_email)
    .bind(language)
    .execute(db)
    .await?;
    Ok((id, token))
}

/// What an activated link is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Activated {
    /// Sign in as the user (E11/E12 links), who asked for the link in `language`.
    SignIn { user_id: String, language: Option<String> },
    /// Move the user's account to `new_email` (a P8 link).
    EmailChange { user_id: String, new_email: String },
}

/// Activate the link with this secret token: only an unexpired, not yet activated link of this app, and only once
/// (the conditional UPDATE is the claim). In a transaction, a rollback gives the link back.
pub async fn activate<'e, E>(db: E, app_id: &str, token: &str, now: i64) -> Result<Option<Activated>, sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let row = sqlx::query(
        "UPDATE magic_links SET activated_at = $1 WHERE token_hash = $2 AND app_id = $3 AND activated_at IS NULL \
         AND expires_at > $4 RETURNING user_id, purpose, new_email, language",
    )
    .bind(now)
    .bind(ids::sha256_hex(token))
    .bind(app_id)
    .bind(now)
    .fetch_optional(db)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let user_id: String = row.try_get("user_id")?;
    let purpose: String = row.try_get("purpose")?;
    Ok(Some(match (purpose.as_str(), row.try_get::<Option<String>, _>("new_email")?) {
        ("email_change", Some(new_email)) => Activated::EmailChange { user_id, new_email },
        _ => Activated::SignIn { user_id, language: row.try_get("language")? },
    }))
}

/// Forget the user's links not opened yet, of every purpose: they were sent to an address the account no longer
/// has (called in the e-mail change's transaction).
pub async fn delete_unopened_of_user(
    conn: &mut sqlx::AnyConnection,
    app_id: &str,
    user_id: &str,
) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM magic_links WHERE app_id = $1 AND user_id = $2 AND activated_at IS NULL")
        .bind(app_id)
        .bind(user_id)
        .execute(conn)
        .await?
        .rows_affected())
}

/// E13: hand the polling tab its result once the link was activated: once per link, and only within the link's
/// lifetime after activation. Returns the user id.
pub async fn collect(
    db: &Db,
    app_id: &str,
    public_id: &str,
    ttl_secs: i64,
    now: i64,
) -> Result<Option<String>, sqlx::Error> {
    let row = sqlx::query(
        "UPDATE magic_links SET collected_at = $1 WHERE id = $2 AND app_id = $3 AND activated_at IS NOT NULL \
         AND collected_at IS NULL AND activated_at > $4 AND purpose = 'sign_in' RETURNING user_id",
    )
    .bind(now)
    .bind(public_id)
    .bind(app_id)
    .bind(now - ttl_secs)
    .fetch_optional(db)
    .await?;
    row.map(|row| row.try_get("user_id")).transpose()
}

/// Remove links that can no longer be activated or collected (run periodically by the server).
pub async fn sweep_expired(db: &Db, now: i64, max_ttl_secs: i64) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(
        "DELETE FROM magic_links WHERE (activated_at IS NULL AND expires_at < $1) OR collected_at IS NOT NULL \
         OR activated_at < $2",
    )
    .bind(now)
    .bind(now - max_ttl_secs)
    .execute(db)
    .await?
    .rows_affected())
}
