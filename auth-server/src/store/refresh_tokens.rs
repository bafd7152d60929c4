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
    /// When the user signed in (server clock): the `auth_time` of every auth token of the session, kept across
    /// refreshes (a refresh is not a sign-in).
    pub started_at: i64,
    /// The passkey the session was started with; `None` for code and link sign-ins. Removing a passkey ends the
    /// sessions it started.
    pub credential_id: Option<String>,
}

impl Session {
    /// A new session (sign-in) at `now`.
    pub fn start(now: i64, credential_id: Option<&str>) -> Self {
        Self { family_id: ids::random_id(), started_at: now, credential_id: credential_id.map(str::to_owned) }
    }
}

/// A stored token as found by its hash.
#[derive(Debug, Clone)]
pub struct StoredToken {
    pub user_id: String,
    pub session: Session,
    pub expires_at: i64,
    pub revoked: bool,
}

/// Create a refresh token for the user in `session` (new: [`Session::start`]). It expires after `inactivity_secs`,
/// but never after the session's `started_at + absolute_secs`. Returns `(token, expires_at)`.
pub async fn create(
    db: &Db,
    app_id: &str,
    user_id: &str,
    session: &Session,
    inactivity_secs: i64,
    absolute_secs: i64,
    now: i64,
) -> Result<(String, i64), sqlx::Error> {
    let token = ids::random_secret();
    let expires_at = (now + inactivity_secs).min(session.started_at + absolute_secs);
    sqlx::query(
        "INSERT INTO refresh_tokens (token_hash, app_id, user_id, created_at, expires_at, family_id, session_started_at, \
         credential_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(ids::sha256_hex(&token))
    .bind(app_id)
    .bind(user_id)
    .bind(now)
    .bind(expires_at)
    .bind(&session.family_id)
    .bind(session.started_at)
    .bind(session.credential_id.as_deref())
    .execute(db)
    .await?;
    Ok((token, expires_at))
}

/// Find a token of this app by value, whatever its state.
pub async fn find(db: &Db, app_id: &str, token: &str) -> Result<Option<StoredToken>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT user_id, family_id, session_started_at, credential_id, created_at, expires_at, revoked_at FROM refresh_tokens \
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
                credential_id: row.try_get("credential_id")?,
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

/// Revoke every live token of the sessions started with these passkeys (they were removed). Returns how many.
pub async fn revoke_started_with(
    conn: &mut sqlx::AnyConnection,
    app_id: &str,
    credential_ids: &[String],
    now: i64,
) -> Result<u64, sqlx::Error> {
    let mut revoked = 0;
    for credential_id in credential_ids {
        revoked += sqlx::query(
            "UPDATE refresh_tokens SET revoked_at = $1 WHERE credential_id = $2 AND app_id = $3 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(credential_id)
        .bind(app_id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    }
    Ok(revoked)
}

/// Whether the session still has a live (unrevoked, unexpired) refresh token: false after sign-out (E19), reuse
/// detection, or removal of the passkey that started it. Auth-server endpoints refuse auth tokens of ended sessions.
pub async fn session_is_live(db: &Db, app_id: &str, family_id: &str, now: i64) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "SELECT 1 FROM refresh_tokens WHERE family_id = $1 AND app_id = $2 AND revoked_at IS NULL AND expires_at > $3 \
         LIMIT 1",
    )
    .bind(family_id)
    .bind(app_id)
    .bind(now)
    .fetch_optional(db)
    .await?
    .is_some())
}
