//! Opaque refresh tokens. Only their SHA-256 is stored; the token itself goes to the client once.

use crate::db::Db;
use crate::ids;

/// Create a refresh token for the user; returns `(token, expires_at)`.
pub async fn create(
    db: &Db,
    app_id: &str,
    user_id: &str,
    lifetime_secs: i64,
) -> Result<(String, i64), sqlx::Error> {
    let token = ids::random_secret();
    let now = ids::now();
    let expires_at = now + lifetime_secs;
    sqlx::query(
        "INSERT INTO refresh_tokens (token_hash, app_id, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(ids::sha256_hex(&token))
    .bind(app_id)
    .bind(user_id)
    .bind(now)
    .bind(expires_at)
    .execute(db)
    .await?;
    Ok((token, expires_at))
}

/// Whether a token is known, unexpired and unrevoked for this app; returns its user id.
pub async fn find_valid(db: &Db, app_id: &str, token: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT user_id FROM refresh_tokens WHERE token_hash = $1 AND app_id = $2 AND revoked_at IS NULL AND expires_at > $3",
    )
    .bind(ids::sha256_hex(token))
    .bind(app_id)
    .bind(ids::now())
    .fetch_optional(db)
    .await
}

/// Revoke a token (sign-out, or rotation on use). Returns whether a live token was revoked.
pub async fn revoke(db: &Db, app_id: &str, token: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = $1 WHERE token_hash = $2 AND app_id = $3 AND revoked_at IS NULL",
    )
    .bind(ids::now())
    .bind(ids::sha256_hex(token))
    .bind(app_id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}
