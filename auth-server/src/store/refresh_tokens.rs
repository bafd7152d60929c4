//! Opaque refresh tokens. Only their SHA-256 is stored; the token itself goes to the client once.
//!
//! Tokens form families: a login starts a family, every refresh revokes the presented token and issues the next
//! one in the same family. A revoked token presented again means someone kept a copy (the client or a thief), so
//! the whole family is revoked.

use sqlx::Row;

use crate::db::Db;
use crate::ids;

/// The session a token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub family_id: String,
    pub started_at: i64,
}

/// A stored token as found by its hash.
#[derive(Debug, Clone)]
pub struct StoredToken {
    pub user_id: String,
    pub session: Session,
    pub expires_at: i64,
    pub revoked: bool,
}

/// Create a refresh token for the user in `session` (or a new session started `now`). It expires after
/// `inactivity_secs`, but never after the session's `started_at + absolute_secs`. Returns `(token, expires_at)`.
pub async fn create(
    db: &Db,
    app_id: &str,
    user_id: &str,
    session: Option<&Session>,
    inactivity_secs: i64,
    absolute_secs: i64,
    now: i64,
) -> Result<(String, i64), sqlx::Error> {
    let token = ids::random_secret();
    let session = session.cloned().unwrap_or_else(|| Session { family_id: ids::random_id(), started_at: now });
    let expires_at = (now + inactivity_secs).min(session.started_at + absolute_secs);
    sqlx::query(
        "INSERT INTO refresh_tokens (token_hash, app_id, user_id, created_at, expires_at, family_id, session_started_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(ids::sha256_hex(&token))
    .bind(app_id)
    .bind(user_id)
    .bind(now)
    .bind(expires_at)
    .bind(&session.family_id)
    .bind(session.started_at)
    .execute(db)
    .await?;
    Ok((token, expires_at))
}

/// Find a token of this app by value, whatever its state.
pub async fn find(db: &Db, app_id: &str, token: &str) -> Result<Option<StoredToken>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT user_id, family_id, session_started_at, created_at, expires_at, revoked_at FROM refresh_tokens \
         WHERE token_hash = $1 AND app_id = $2",
    )
    .bind(ids::sha256_hex(token))
    .bind(app_id)
    .fetch_optional(db)
    .await?;
    row.map(|row| {
        let created_at: i64 = row.try_get("created_at")?;
        Ok(StoredToken {
            user_id: row.try_get("user_id")?,
            session: Session {
                family_id: row.try_get::<Option<String>, _>("family_id")?.unwrap_or_else(|| ids::sha256_hex(token)),
                started_at: row.try_get::<Option<i64>, _>("session_started_at")?.unwrap_or(created_at),
            },
            expires_at: row.try_get("expires_at")?,
            revoked: row.try_get::<Option<i64>, _>("revoked_at")?.is_some(),
        })
    })
    .transpose()
}

/// Revoke a token (sign-out, or rotation on use). Returns whether a live token was revoked.
pub async fn revoke(db: &Db, app_id: &str, token: &str, now: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = $1 WHERE token_hash = $2 AND app_id = $3 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(ids::sha256_hex(token))
    .bind(app_id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Revoke every live token of a family (reuse of a rotated token). Returns how many were live.
pub async fn revoke_family(db: &Db, app_id: &str, family_id: &str, now: i64) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = $1 WHERE family_id = $2 AND app_id = $3 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(family_id)
    .bind(app_id)
    .execute(db)
    .await?
    .rows_affected())
}
