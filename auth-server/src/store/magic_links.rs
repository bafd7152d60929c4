//! Magic links (E11-E14): a public id (polled by the requesting tab) and a different secret token (in the e-mailed
//! link, stored only as a hash). The token activates once; the polling tab then collects its AuthResult once.

use sqlx::Row;

use crate::db::Db;
use crate::ids;

/// Store a new link for the user; returns `(public_id, secret_token)`.
pub async fn create(
    db: &Db,
    app_id: &str,
    user_id: &str,
    ttl_secs: i64,
    now: i64,
) -> Result<(String, String), sqlx::Error> {
    let id = ids::random_id();
    let token = ids::random_secret();
    sqlx::query(
        "INSERT INTO magic_links (id, app_id, user_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(app_id)
    .bind(user_id)
    .bind(ids::sha256_hex(&token))
    .bind(now)
    .bind(now + ttl_secs)
    .execute(db)
    .await?;
    Ok((id, token))
}

/// Activate the link with this secret token: only an unexpired, not yet activated link of this app, and only once
/// (the conditional UPDATE is the claim). Returns the user id.
pub async fn activate(db: &Db, app_id: &str, token: &str, now: i64) -> Result<Option<String>, sqlx::Error> {
    let row = sqlx::query(
        "UPDATE magic_links SET activated_at = $1 WHERE token_hash = $2 AND app_id = $3 AND activated_at IS NULL \
         AND expires_at > $4 RETURNING user_id",
    )
    .bind(now)
    .bind(ids::sha256_hex(token))
    .bind(app_id)
    .bind(now)
    .fetch_optional(db)
    .await?;
    row.map(|row| row.try_get("user_id")).transpose()
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
         AND collected_at IS NULL AND activated_at > $4 RETURNING user_id",
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
