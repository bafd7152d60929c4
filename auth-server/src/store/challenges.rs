//! Server-side WebAuthn ceremony state. A handshake is taken (deleted) by the first finish attempt, whether it
//! succeeds or not, so a replayed finish finds nothing; expired handshakes are refused and swept.

use sqlx::Row;

use crate::db::Db;
use crate::ids;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CeremonyKind {
    Register,
    Login,
    AddDevice,
}

impl CeremonyKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::Login => "login",
            Self::AddDevice => "add_device",
        }
    }
}

#[derive(Debug)]
pub struct Challenge {
    pub user_id: String,
    pub kind: String,
    pub state: String,
    pub expires_at: i64,
}

impl Challenge {
    pub fn is(&self, kind: CeremonyKind) -> bool {
        self.kind == kind.as_str()
    }
}

pub async fn insert(
    db: &Db,
    app_id: &str,
    user_id: &str,
    kind: CeremonyKind,
    state: &str,
    ttl_secs: i64,
) -> Result<String, sqlx::Error> {
    let id = ids::random_id();
    sqlx::query("INSERT INTO webauthn_challenges (id, app_id, user_id, kind, state, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(&id)
        .bind(app_id)
        .bind(user_id)
        .bind(kind.as_str())
        .bind(state)
        .bind(ids::now() + ttl_secs)
        .execute(db)
        .await?;
    Ok(id)
}

/// Delete and return the handshake in one statement: two concurrent finishes cannot both get it.
pub async fn take(db: &Db, app_id: &str, handshake_id: &str) -> Result<Option<Challenge>, sqlx::Error> {
    let row = sqlx::query(
        "DELETE FROM webauthn_challenges WHERE id = $1 AND app_id = $2 RETURNING user_id, kind, state, expires_at",
    )
    .bind(handshake_id)
    .bind(app_id)
    .fetch_optional(db)
    .await?;
    row.map(|row| {
        Ok(Challenge {
            user_id: row.try_get("user_id")?,
            kind: row.try_get("kind")?,
            state: row.try_get("state")?,
            expires_at: row.try_get("expires_at")?,
        })
    })
    .transpose()
}

/// Remove expired handshakes (run periodically by the server).
pub async fn sweep_expired(db: &Db) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM webauthn_challenges WHERE expires_at < $1")
        .bind(ids::now())
        .execute(db)
        .await?
        .rows_affected())
}
