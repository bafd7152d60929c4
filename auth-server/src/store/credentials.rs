//! Passkeys registered to users. A credential id belongs to one user, ever (UNIQUE constraint + check).
//!
//! A passkey registered while its user's address was never proven is *provisional* (`confirmed_at` NULL): it signs
//! in at once, and a secret link mailed to the address confirms it; the first proof of the address (code, magic link)
//! removes every passkey still provisional (see README "Passkeys registered before the address is proven").

use sqlx::Row;
use webauthn_rs::prelude::Passkey;

use crate::db::{is_unique_violation, Db};
use crate::ids;

/// How long a passkey confirmation link works: a week, so a user who registers on a Friday can still confirm on
/// Monday. Afterwards the passkey stays provisional until the owner signs in with a code or link.
pub const CONFIRMATION_TTL_SECS: i64 = 7 * 24 * 3600;

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
    /// `None`: provisional (registered before the address was proven, not confirmed through the mailed link).
    pub confirmed_at: Option<i64>,
    /// The registering browser's User-Agent, sanitised (see [`sanitize_user_agent`]).
    pub user_agent: Option<String>,
}

impl Credential {
    pub fn is_provisional(&self) -> bool {
        self.confirmed_at.is_none()
    }
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
        confirmed_at: row.try_get("confirmed_at")?,
        user_agent: row.try_get("user_agent")?,
    })
}

const COLUMNS: &str = "id, app_id, user_id, cred_id, passkey, friendly_name, created_at, updated_at, last_login_at, \
                       usage_count, confirmed_at, user_agent";

/// At most this many characters of a User-Agent are kept.
const MAX_USER_AGENT_CHARS: usize = 160;

/// A User-Agent fit for a plain-text mail and a log line: control characters (line breaks could forge lines of a
/// mail or log) become spaces, and it is cut to [`MAX_USER_AGENT_CHARS`]. The value is attacker-controlled: mails
/// quote it and say it is what the browser reported.
pub fn sanitize_user_agent(raw: &str) -> Option<String> {
    let cleaned: String =
        raw.chars().map(|c| if c.is_control() { ' ' } else { c }).take(MAX_USER_AGENT_CHARS).collect();
    let cleaned = cleaned.trim().to_owned();
    (!cleaned.is_empty()).then_some(cleaned)
}

pub async fn for_user(db: &Db, user_id: &str) -> Result<Vec<Credential>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM credentials WHERE user_id = $1 ORDER BY created_at, id");
    sqlx::query(&sql).bind(user_id).fetch_all(db).await?.iter().map(from_row).collect()
}

/// The signature counter inside a passkey (webauthn-rs keeps it private; it is serialised as `cred.counter`).
fn passkey_counter(passkey: &Passkey) -> i64 {
    serde_json::to_value(passkey).ok().and_then(|v| v["cred"]["counter"].as_i64()).unwrap_or(0)
}

/// What to store beside a new passkey.
#[derive(Debug, Clone)]
pub struct NewCredential<'a> {
    pub passkey: &'a Passkey,
    /// Registered while the user's address was never proven: stored unconfirmed, with a confirmation secret.
    pub provisional: bool,
    pub user_agent: Option<String>,
    pub now: i64,
}

/// A stored passkey and, for a provisional one, the secret of its confirmation link (only its hash is stored).
#[derive(Debug, Clone)]
pub struct Inserted {
    pub credential: Credential,
    pub confirmation_token: Option<String>,
}

/// Store a newly registered passkey. Refuses a credential id registered to anyone before: accepting it would let
/// an attacker attach a victim's credential id to their own account (WebAuthn §7.1 step 22).
pub async fn insert(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    app_id: &str,
    user_id: &str,
    new: NewCredential<'_>,
) -> Result<Inserted, CredentialError> {
    let cred_id = ids::b64url(new.passkey.cred_id().as_ref());
    let now = new.now;
    let credential = Credential {
        id: ids::random_id(),
        app_id: app_id.to_owned(),
        user_id: user_id.to_owned(),
        cred_id,
        passkey: new.passkey.clone(),
        friendly_name: "Passkey".to_owned(),
        created_at: now,
        updated_at: now,
        last_login_at: None,
        usage_count: 0,
        confirmed_at: (!new.provisional).then_some(now),
        user_agent: new.user_agent,
    };
    let confirmation_token = new.provisional.then(ids::random_secret);
    let json = serde_json::to_string(new.passkey).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let inserted = sqlx::query(
        "INSERT INTO credentials (id, app_id, user_id, cred_id, passkey, friendly_name, created_at, updated_at, \
         usage_count, confirmed_at, confirm_token_hash, confirm_expires_at, user_agent, sign_count) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $10, $11, $12, $13)",
    )
    .bind(&credential.id)
    .bind(app_id)
    .bind(user_id)
    .bind(&credential.cred_id)
    .bind(json)
    .bind(&credential.friendly_name)
    .bind(now)
    .bind(now)
    .bind(credential.confirmed_at)
    .bind(confirmation_token.as_deref().map(ids::sha256_hex))
    .bind(confirmation_token.as_ref().map(|_| now + CONFIRMATION_TTL_SECS))
    .bind(credential.user_agent.as_deref())
    .bind(passkey_counter(new.passkey))
    .execute(&mut **tx)
    .await;
    match inserted {
        Ok(_) => Ok(Inserted { credential, confirmation_token }),
        // The unique index on `cred_id` is the check (a read before the insert would be one more round trip, and
        // two racing registrations would pass it anyway). On Postgres the failed insert aborts the caller's
        // transaction, which the caller then drops: nothing of the registration is kept.
        Err(err) if is_unique_violation(&err) => Err(CredentialError::AlreadyRegistered),
        Err(err) => Err(err.into()),
    }
}

/// The provisional passkey a confirmation secret belongs to, if the secret is unused and unexpired.
pub async fn find_by_confirmation(
    db: &Db,
    app_id: &str,
    token: &str,
    now: i64,
) -> Result<Option<Credential>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM credentials WHERE confirm_token_hash = $1 AND app_id = $2 AND confirmed_at IS NULL \
         AND confirm_expires_at > $3"
    );
    sqlx::query(&sql)
        .bind(ids::sha256_hex(token))
        .bind(app_id)
        .bind(now)
        .fetch_optional(db)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// Confirm the provisional passkey this secret belongs to: once (the conditional UPDATE is the claim; the secret's
/// hash is cleared), and only before it expires. Returns the confirmed passkey.
pub async fn confirm<'e, E>(db: E, app_id: &str, token: &str, now: i64) -> Result<Option<Credential>, sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let sql = format!(
        "UPDATE credentials SET confirmed_at = $1, confirm_token_hash = NULL, confirm_expires_at = NULL, updated_at = $2 \
         WHERE confirm_token_hash = $3 AND app_id = $4 AND confirmed_at IS NULL AND confirm_expires_at > $5 \
         RETURNING {COLUMNS}"
    );
    sqlx::query(&sql)
        .bind(now)
        .bind(now)
        .bind(ids::sha256_hex(token))
        .bind(app_id)
        .bind(now)
        .fetch_optional(db)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// Delete the provisional passkey this (unused, unexpired) secret belongs to: the owner said "this was not me".
pub async fn remove_by_confirmation<'e, E>(
    db: E,
    app_id: &str,
    token: &str,
    now: i64,
) -> Result<Option<Credential>, sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let sql = format!(
        "DELETE FROM credentials WHERE confirm_token_hash = $1 AND app_id = $2 AND confirmed_at IS NULL \
         AND confirm_expires_at > $3 RETURNING {COLUMNS}"
    );
    sqlx::query(&sql)
        .bind(ids::sha256_hex(token))
        .bind(app_id)
        .bind(now)
        .fetch_optional(db)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// Delete every provisional passkey of the user except `keep` (the one being confirmed, if any); returns them.
pub async fn remove_provisional<'e, E>(db: E, user_id: &str, keep: Option<&str>) -> Result<Vec<Credential>, sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let sql =
        format!("DELETE FROM credentials WHERE user_id = $1 AND confirmed_at IS NULL AND id <> $2 RETURNING {COLUMNS}");
    let mut removed = sqlx::query(&sql)
        .bind(user_id)
        .bind(keep.unwrap_or(""))
        .fetch_all(db)
        .await?
        .iter()
        .map(from_row)
        .collect::<Result<Vec<_>, _>>()?;
    removed.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    Ok(removed)
}

/// What became of a login's counter update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UseOutcome {
    Recorded,
    /// The stored counter is already at or above the presented one (and they are not both 0): a concurrent login
    /// got there first with a higher value, or the authenticator was cloned. Nothing was written.
    CounterRegression,
    /// The passkey is gone (removed meanwhile).
    Missing,
}

/// After a successful assertion: store the new counter/backup state and count the use, in one conditional UPDATE.
///
/// WebAuthn L3 §7.2 step 21 (and §6.1.1): "If authData.signCount is nonzero or storedSignCount is nonzero": only a
/// counter greater than the stored one is accepted; "less than or equal ... is a signal that the authenticator may
/// be cloned". The comparison is in the statement itself, so two concurrent logins cannot both pass a check made on
/// a value read earlier (no lost update: the higher counter always stays stored).
/// `credential.passkey` already carries the new state (`Passkey::update_credential`); `counter` is the assertion's.
pub async fn record_use(db: &Db, credential: &Credential, counter: u32, now: i64) -> Result<UseOutcome, sqlx::Error> {
    let counter = i64::from(counter);
    let json = serde_json::to_string(&credential.passkey).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let done = sqlx::query(
        "UPDATE credentials SET passkey = $1, sign_count = $2, usage_count = usage_count + 1, last_login_at = $3, \
         updated_at = $4 WHERE id = $5 AND (sign_count < $6 OR ($7 = 0 AND sign_count = 0))",
    )
    .bind(json)
    .bind(counter)
    .bind(now)
    .bind(now)
    .bind(&credential.id)
    .bind(counter)
    .bind(counter)
    .execute(db)
    .await?;
    if done.rows_affected() == 1 {
        return Ok(UseOutcome::Recorded);
    }
    let exists = sqlx::query("SELECT 1 FROM credentials WHERE id = $1").bind(&credential.id).fetch_optional(db).await?;
    Ok(if exists.is_some() { UseOutcome::CounterRegression } else { UseOutcome::Missing })
}

/// The stored signature counter of a passkey.
pub async fn sign_count(db: &Db, credential_id: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT sign_count FROM credentials WHERE id = $1").bind(credential_id).fetch_optional(db).await
}

/// Rename one of the user's passkeys (`name` already validated). `None` when the user has no passkey with this id.
/// Renaming to the current name changes nothing, not even `updated_at`: the profile element sends each rename twice.
pub async fn rename(
    db: &Db,
    app_id: &str,
    user_id: &str,
    id: &str,
    name: &str,
    now: i64,
) -> Result<Option<Credential>, sqlx::Error> {
    let sql = format!(
        "UPDATE credentials SET updated_at = CASE WHEN friendly_name = $1 THEN updated_at ELSE $2 END, \
         friendly_name = $3 WHERE id = $4 AND user_id = $5 AND app_id = $6 RETURNING {COLUMNS}"
    );
    sqlx::query(&sql)
        .bind(name)
        .bind(now)
        .bind(name)
        .bind(id)
        .bind(user_id)
        .bind(app_id)
        .fetch_optional(db)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// What became of a request to remove one of the user's passkeys.
#[derive(Debug, Clone)]
pub enum Removal {
    Removed(Box<Credential>),
    /// The user has no passkey with this id (another user's id included).
    NotFound,
    /// It is the user's only passkey and the caller asked to keep the last one. Nothing was changed.
    LastPasskey,
}

/// Remove one of the user's passkeys; with `keep_last`, refuse to remove the only one. First every passkey row of
/// the user is written (a no-op update): that holds them until the transaction ends, so two removals racing for
/// the user's last two passkeys cannot both see "there is another one" (Postgres row locks; SQLite's writer lock).
pub async fn remove_for_user(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    app_id: &str,
    user_id: &str,
    id: &str,
    keep_last: bool,
) -> Result<Removal, sqlx::Error> {
    let held = sqlx::query("UPDATE credentials SET updated_at = updated_at WHERE user_id = $1 AND app_id = $2")
        .bind(user_id)
        .bind(app_id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    let sql = format!("SELECT {COLUMNS} FROM credentials WHERE id = $1 AND user_id = $2 AND app_id = $3");
    let found = sqlx::query(&sql).bind(id).bind(user_id).bind(app_id).fetch_optional(&mut **tx).await?;
    let Some(credential) = found.as_ref().map(from_row).transpose()? else {
        return Ok(Removal::NotFound);
    };
    if keep_last && held <= 1 {
        return Ok(Removal::LastPasskey);
    }
    sqlx::query("DELETE FROM credentials WHERE id = $1").bind(id).execute(&mut **tx).await?;
    Ok(Removal::Removed(Box::new(credential)))
}
