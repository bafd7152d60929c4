//! Passkeys registered to users. A credential id belongs to one user, ever (UNIQUE constraint + check).

use sqlx::Row;
use webauthn_rs::prelude::Passkey;

use crate::db::{is_unique_violation, Db};
use crate::ids;

#[derive(Debug, Clone)]
pub struct Credential {
    pub id: String,
    pub app_id: String,
    pub user_id: String,
    pub cred_id: String,
    pub passkey: Passkey,
    pub friendly_name: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_login_at: Option<i64>,
    pub usage_count: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    #[error("this credential is already registered")]
    AlreadyRegistered,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

fn from_row(row: &sqlx::any::AnyRow) -> Result<Credential, sqlx::Error> {
    let json: String = row.try_get("passkey")?;
    let passkey = serde_json::from_str(&json).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    Ok(Credential {
        id: row.try_get("id")?,
        app_id: row.try_get("app_id")?,
        user_id: row.try_get("user_id")?,
        cred_id: row.try_get("cred_id")?,
        passkey,
        friendly_name: row.try_get("friendly_name")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        last_login_at: row.try_get("last_login_at")?,
        usage_count: row.try_get("usage_count")?,
    })
}

const COLUMNS: &str =
    "id, app_id, user_id, cred_id, passkey, friendly_name, created_at, updated_at, last_login_at, usage_count";

pub async fn for_user(db: &Db, user_id: &str) -> Result<Vec<Credential>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM credentials WHERE user_id = $1 ORDER BY created_at, id");
    sqlx::query(&sql).bind(user_id).fetch_all(db).await?.iter().map(from_row).collect()
}

pub async fn cred_id_exists<'e, E>(db: E, cred_id: &str) -> Result<bool, sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    Ok(sqlx::query("SELECT 1 FROM credentials WHERE cred_id = $1").bind(cred_id).fetch_optional(db).await?.is_some())
}

/// Store a newly registered passkey. Refuses a credential id registered to anyone before: accepting it would let
/// an attacker attach a victim's credential id to their own account (WebAuthn §7.1 step 22).
pub async fn insert(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    app_id: &str,
    user_id: &str,
    passkey: &Passkey,
) -> Result<Credential, CredentialError> {
    let cred_id = ids::b64url(passkey.cred_id().as_ref());
    if cred_id_exists(&mut **tx, &cred_id).await? {
        return Err(CredentialError::AlreadyRegistered);
    }
    let now = ids::now();
    let credential = Credential {
        id: ids::random_id(),
        app_id: app_id.to_owned(),
        user_id: user_id.to_owned(),
        cred_id,
        passkey: passkey.clone(),
        friendly_name: "Passkey".to_owned(),
        created_at: now,
        updated_at: now,
        last_login_at: None,
        usage_count: 0,
    };
    let json = serde_json::to_string(passkey).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let inserted = sqlx::query(
        "INSERT INTO credentials (id, app_id, user_id, cred_id, passkey, friendly_name, created_at, updated_at, usage_count) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0)",
    )
    .bind(&credential.id)
    .bind(app_id)
    .bind(user_id)
    .bind(&credential.cred_id)
    .bind(json)
    .bind(&credential.friendly_name)
    .bind(now)
    .bind(now)
    .execute(&mut **tx)
    .await;
    match inserted {
        Ok(_) => Ok(credential),
        // The constraint is the final guard when two registrations race past the check above.
        Err(err) if is_unique_violation(&err) => Err(CredentialError::AlreadyRegistered),
        Err(err) => Err(err.into()),
    }
}

/// After a successful assertion: store the new counter/backup state and count the use.
pub async fn record_use(db: &Db, credential: &Credential) -> Result<(), sqlx::Error> {
    let now = ids::now();
    let json = serde_json::to_string(&credential.passkey).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query("UPDATE credentials SET passkey = $1, usage_count = usage_count + 1, last_login_at = $2, updated_at = $3 WHERE id = $4")
        .bind(json)
        .bind(now)
        .bind(now)
        .bind(&credential.id)
        .execute(db)
        .await?;
    Ok(())
}
