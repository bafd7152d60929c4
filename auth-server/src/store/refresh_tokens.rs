//! Opaque refresh tokens. Only their SHA-256 is stored; the token itself goes to the client once.
//!
//! Tokens form families: a login starts a family, every refresh revokes the presented token and issues the next
//! one in the same family. A revoked token presented again means someone kept a copy (the client or a thief), so
//! the whole family is revoked. A family is what the account page calls a *session*: its id is the auth tokens'
//! `sid`, and it remembers how it began (method, User-Agent) for the session list.

use sqlx::Row;

use crate::db::Db;
use crate::ids;

/// How a session began, as the session list names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInMethod {
    Passkey,
    Otp,
    MagicLink,
    /// A session started before the method was recorded.
    Unknown,
}

impl SignInMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Passkey => "passkey",
            Self::Otp => "otp",
            Self::MagicLink => "magic_link",
            Self::Unknown => "unknown",
        }
    }

    fn parse(text: Option<&str>) -> Self {
        match text {
            Some("passkey") => Self::Passkey,
            Some("otp") => Self::Otp,
            Some("magic_link") => Self::MagicLink,
            _ => Self::Unknown,
        }
    }
}

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
    pub method: SignInMethod,
    /// The signing-in browser's User-Agent, sanitised (`credentials::sanitize_user_agent`); `None` if it sent none.
    pub user_agent: Option<String>,
}

impl Session {
    /// A new session (sign-in) at `now`. `credential_id`: the passkey it was started with, if any.
    pub fn start(now: i64, method: SignInMethod, credential_id: Option<&str>, user_agent: Option<String>) -> Self {
        Self {
            family_id: ids::random_id(),
            started_at: now,
            credential_id: credential_id.map(str::to_owned),
            method,
            user_agent,
        }
    }
}

/// A live session as the account page lists it (`GET /currentuser/sessions`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveSession {
    pub id: String,
    pub started_at: i64,
    /// When its newest refresh token was issued (the sign-in or the latest refresh).
    pub last_used_at: i64,
    pub expires_at: i64,
    pub method: SignInMethod,
    pub user_agent: Option<String>,
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
pub async fn create<'e, E>(
    db: E,
    app_id: &str,
    user_id: &str,
    session: &Session,
    inactivity_secs: i64,
    absolute_secs: i64,
    now: i64,
) -> Result<(String, i64), sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let token = ids::random_secret();
    let expires_at = (now + inactivity_secs).min(session.started_at + absolute_secs);
    sqlx::query(
        "INSERT INTO refresh_tokens (token_hash, app_id, user_id, created_at, expires_at, family_id, session_started_at, \
         credential_id, sign_in_method, user_agent) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(ids::sha256_hex(&token))
    .bind(app_id)
    .bind(user_id)
    .bind(now)
    .bind(expires_at)
    .bind(&session.family_id)
    .bind(session.started_at)
    .bind(session.credential_id.as_deref())
    .bind(session.method.as_str())
    .bind(session.user_agent.as_deref())
    .execute(db)
    .await?;
    Ok((token, expires_at))
}

/// Find a token of this app by value, whatever its state.
pub async fn find(db: &Db, app_id: &str, token: &str) -> Result<Option<StoredToken>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT user_id, family_id, session_started_at, credential_id, sign_in_method, user_agent, created_at, expires_at, \
         revoked_at FROM refresh_tokens WHERE token_hash = $1 AND app_id = $2",
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
                method: SignInMethod::parse(row.try_get::<Option<String>, _>("sign_in_method")?.as_deref()),
                user_agent: row.try_get("user_agent")?,
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

/// The user's live sessions in this app, newest `last_used_at` first. A family's live token is its newest one
/// (a refresh revokes the presented token before issuing the next), so each live token row is one session.
pub async fn live_sessions(db: &Db, app_id: &str, user_id: &str, now: i64) -> Result<Vec<LiveSession>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT family_id, session_started_at, created_at, expires_at, sign_in_method, user_agent FROM refresh_tokens \
         WHERE app_id = $1 AND user_id = $2 AND revoked_at IS NULL AND expires_at > $3 ORDER BY created_at DESC, family_id",
    )
    .bind(app_id)
    .bind(user_id)
    .bind(now)
    .fetch_all(db)
    .await?;
    let mut sessions: Vec<LiveSession> = Vec::with_capacity(rows.len());
    for row in &rows {
        let id: String = row.try_get("family_id")?;
        // Two live tokens of one family (two refreshes racing) are one session: the newest row came first.
        if sessions.iter().any(|s| s.id == id) {
            continue;
        }
        let last_used_at: i64 = row.try_get("created_at")?;
        sessions.push(LiveSession {
            id,
            started_at: row.try_get::<Option<i64>, _>("session_started_at")?.unwrap_or(last_used_at),
            last_used_at,
            expires_at: row.try_get("expires_at")?,
            method: SignInMethod::parse(row.try_get::<Option<String>, _>("sign_in_method")?.as_deref()),
            user_agent: row.try_get("user_agent")?,
        });
    }
    Ok(sessions)
}

/// End one of the user's live sessions: revoke its tokens. False when no live session of this user has that id (an
/// unknown id, another user's, or one already ended): the caller answers 404 and learns nothing about other users.
pub async fn revoke_session_of_user(
    db: &Db,
    app_id: &str,
    user_id: &str,
    family_id: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = $1 WHERE family_id = $2 AND app_id = $3 AND user_id = $4 \
         AND revoked_at IS NULL AND expires_at > $5",
    )
    .bind(now)
    .bind(family_id)
    .bind(app_id)
    .bind(user_id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Sign out everywhere: revoke every live token of the user in this app. Returns how many.
pub async fn revoke_all_of_user(db: &Db, app_id: &str, user_id: &str, now: i64) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = $1 WHERE app_id = $2 AND user_id = $3 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(app_id)
    .bind(user_id)
    .execute(db)
    .await?
    .rows_affected())
}
