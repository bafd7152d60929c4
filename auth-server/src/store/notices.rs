//! Notices for the account owner ("these passkeys were removed, and why", "a passkey was added"): stored beside the
//! e-mail that tells the same, so the account page (issue 10) can show them after the mail is gone or was missed.

use serde_json::Value;
use sqlx::Row;

use crate::db::Db;
use crate::ids;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    /// Passkeys registered before the address was proven were removed when the owner proved it.
    ProvisionalPasskeysRemoved,
    /// A passkey was added to the account (E17 or E5).
    PasskeyAdded,
    /// The owner removed a passkey: a provisional one through its confirmation link ("this was not me"), or any
    /// one from the account page (P4).
    PasskeyRemoved,
    /// The account moved to a new e-mail address (an e-mail change link was opened, P8 + E14).
    EmailChanged,
}

impl NoticeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ProvisionalPasskeysRemoved => "provisional_passkeys_removed",
            Self::PasskeyAdded => "passkey_added",
            Self::PasskeyRemoved => "passkey_removed",
            Self::EmailChanged => "email_changed",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub id: String,
    pub kind: String,
    /// Plain text for the owner; show it escaped (it quotes browser User-Agents, which strangers choose).
    pub text: String,
    pub data: Value,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

pub async fn insert<'e, E>(
    db: E,
    app_id: &str,
    user_id: &str,
    kind: NoticeKind,
    text: &str,
    data: &Value,
    now: i64,
) -> Result<String, sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let id = ids::random_id();
    sqlx::query(
        "INSERT INTO user_notices (id, app_id, user_id, kind, text, data, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(app_id)
    .bind(user_id)
    .bind(kind.as_str())
    .bind(text)
    .bind(data.to_string())
    .bind(now)
    .execute(db)
    .await?;
    Ok(id)
}

/// The user's notices, newest first.
pub async fn for_user(db: &Db, app_id: &str, user_id: &str) -> Result<Vec<Notice>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, kind, text, data, created_at, read_at FROM user_notices WHERE app_id = $1 AND user_id = $2 \
         ORDER BY created_at DESC, id",
    )
    .bind(app_id)
    .bind(user_id)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|row| {
            let data: String = row.try_get("data")?;
            Ok(Notice {
                id: row.try_get("id")?,
                kind: row.try_get("kind")?,
                text: row.try_get("text")?,
                data: serde_json::from_str(&data).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
                created_at: row.try_get("created_at")?,
                read_at: row.try_get("read_at")?,
            })
        })
        .collect()
}

/// Mark one of the user's notices read; false when it is not theirs or was read already.
pub async fn mark_read(db: &Db, app_id: &str, user_id: &str, id: &str, now: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE user_notices SET read_at = $1 WHERE id = $2 AND app_id = $3 AND user_id = $4 AND read_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .bind(app_id)
    .bind(user_id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}
