//! Users of an app, keyed by a random public id and unique per (app, e-mail).

use sqlx::Row;

use crate::db::{is_unique_violation, Db};
use crate::ids;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserStatus {
    /// Created by registration (E3) but no credential or verified login yet.
    Pending,
    Active,
    Inactive,
}

impl UserStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Active => "active",
            Self::Inactive => "inactive",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "active" => Self::Active,
            "pending" => Self::Pending,
            // Unknown values are treated as the most restrictive state.
            _ => Self::Inactive,
        }
    }
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub app_id: String,
    pub email: String,
    pub email_verified: bool,
    pub status: UserStatus,
    pub webauthn_handle: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_login_at: Option<i64>,
    pub login_count: i64,
    /// A JSON object as text (management API create/update); `None` when never set.
    pub user_metadata: Option<String>,
    /// The mail language of the last code the user used or link they opened (a `mail::SHIPPED_LANGUAGES` tag);
    /// `None` before.
    pub language: Option<String>,
}

/// The largest `user_metadata` object kept, serialised (a profile, not a document store): the management API and
/// the import refuse larger ones.
pub const MAX_METADATA_BYTES: usize = 16 * 1024;

pub(crate) const COLUMNS: &str = "id, app_id, email, email_verified, status, webauthn_handle, created_at, updated_at, \
     last_login_at, login_count, user_metadata, language";

pub(crate) fn from_row(row: &sqlx::any::AnyRow) -> Result<User, sqlx::Error> {
    Ok(User {
        id: row.try_get("id")?,
        app_id: row.try_get("app_id")?,
        email: row.try_get("email")?,
        email_verified: row.try_get::<i64, _>("email_verified")? != 0,
        status: UserStatus::parse(&row.try_get::<String, _>("status")?),
        webauthn_handle: row.try_get("webauthn_handle")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        last_login_at: row.try_get("last_login_at")?,
        login_count: row.try_get("login_count")?,
        user_metadata: row.try_get("user_metadata")?,
        language: row.try_get("language")?,
    })
}

pub async fn find_by_email(db: &Db, app_id: &str, email: &str) -> Result<Option<User>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE app_id = $1 AND email = $2");
    sqlx::query(&sql).bind(app_id).bind(email).fetch_optional(db).await?.as_ref().map(from_row).transpose()
}

/// A pending user (E3, never activated: no passkey, no proven address) is forgotten this long after E3: the
/// housekeeping loop deletes it and E2/E3/E4 treat it as absent, so an abandoned or a stranger's pending user does not
/// hold on to an address (the pre-account hijacking paper, Sudhodanan & Paverd 2022, recommends expiring unverified
/// accounts). A day leaves a person who starts registering and comes back later time enough; after it they simply
/// start again.
pub const PENDING_USER_TTL_SECS: i64 = 24 * 3600;

/// SQL condition: this `users` row is an expired pending user (bound parameter = the latest `created_at` to expire).
const EXPIRED_PENDING: &str = "users.status = 'pending' AND users.email_verified = 0 AND users.created_at <= {cutoff} \
     AND NOT EXISTS (SELECT 1 FROM credentials c WHERE c.user_id = users.id)";

pub(crate) fn expired_pending(cutoff: &str) -> String {
    EXPIRED_PENDING.replace("{cutoff}", cutoff)
}

/// As [`find_by_email`], but an expired pending user counts as absent (E2, E3, E4 and the e-mail sends).
pub async fn find_live_by_email(db: &Db, app_id: &str, email: &str, now: i64) -> Result<Option<User>, sqlx::Error> {
    let sql =
        format!("SELECT {COLUMNS} FROM users WHERE app_id = $1 AND email = $2 AND NOT ({})", expired_pending("$3"));
    sqlx::query(&sql)
        .bind(app_id)
        .bind(email)
        .bind(now - PENDING_USER_TTL_SECS)
        .fetch_optional(db)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// Delete expired pending users (run periodically by the server). Returns how many were deleted.
pub async fn sweep_expired_pending(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    let sql = format!("DELETE FROM users WHERE {}", expired_pending("$1"));
    Ok(sqlx::query(&sql).bind(now - PENDING_USER_TTL_SECS).execute(db).await?.rows_affected())
}

pub async fn find_by_id(db: &Db, app_id: &str, id: &str) -> Result<Option<User>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE app_id = $1 AND id = $2");
    sqlx::query(&sql).bind(app_id).bind(id).fetch_optional(db).await?.as_ref().map(from_row).transpose()
}

/// Create a pending user, or return the existing one (E3 must be idempotent). `bool` = newly created. An expired
/// pending user (see [`PENDING_USER_TTL_SECS`]) is replaced by a new one with a new id.
pub async fn create_pending(db: &Db, app_id: &str, email: &str, now: i64) -> Result<(User, bool), sqlx::Error> {
    match holder_of(db, app_id, email, now).await? {
        Holder::Live(user) => return Ok((user, false)),
        Holder::ExpiredPending => delete_expired_holder(db, app_id, email, now).await?,
        Holder::Nobody => {}
    }
    let (user, inserted) = insert_new(db, app_id, email, UserStatus::Pending, None, now).await?;
    match inserted {
        Ok(_) => Ok((user, true)),
        // A concurrent E3 for the same address won the race: return its row.
        Err(err) if is_unique_violation(&err) => match find_live_by_email(db, app_id, email, now).await? {
            Some(user) => Ok((user, false)),
            None => Err(err),
        },
        Err(err) => Err(err),
    }
}

/// Who holds an address, as E3 needs to know it.
enum Holder {
    Live(User),
    ExpiredPending,
    Nobody,
}

/// One read for both questions E3 asks (is the address live? is an expired pending user in the way?), so the
/// usual case, a new address, runs no DELETE: a DELETE takes SQLite's write lock even when it matches nothing.
async fn holder_of(db: &Db, app_id: &str, email: &str, now: i64) -> Result<Holder, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS}, CAST(CASE WHEN {} THEN 1 ELSE 0 END AS BIGINT) AS expired FROM users \
         WHERE app_id = $1 AND email = $2",
        expired_pending("$3")
    );
    let row = sqlx::query(&sql).bind(app_id).bind(email).bind(now - PENDING_USER_TTL_SECS).fetch_optional(db).await?;
    Ok(match row {
        None => Holder::Nobody,
        Some(row) if row.try_get::<i64, _>("expired")? != 0 => Holder::ExpiredPending,
        Some(row) => Holder::Live(from_row(&row)?),
    })
}

/// Remove the expired pending user holding `email` (see [`PENDING_USER_TTL_SECS`]), if there is one: the address
/// is free again.
async fn delete_expired_holder(db: &Db, app_id: &str, email: &str, now: i64) -> Result<(), sqlx::Error> {
    let sql = format!("DELETE FROM users WHERE app_id = $1 AND email = $2 AND {}", expired_pending("$3"));
    sqlx::query(&sql).bind(app_id).bind(email).bind(now - PENDING_USER_TTL_SECS).execute(db).await?;
    Ok(())
}

/// Insert a new user holding `email` (an expired pending user holding it must be gone: [`delete_expired_holder`]).
/// Returns the user and the insert's outcome: a unique violation means a live user has the address.
async fn insert_new(
    db: &Db,
    app_id: &str,
    email: &str,
    status: UserStatus,
    user_metadata: Option<&str>,
    now: i64,
) -> Result<(User, Result<(), sqlx::Error>), sqlx::Error> {
    let user = User {
        id: ids::random_id(),
        app_id: app_id.to_owned(),
        email: email.to_owned(),
        email_verified: false,
        status,
        // Random WebAuthn user handle, unrelated to the e-mail (the handle is stored on authenticators).
        webauthn_handle: uuid_from_random().to_string(),
        created_at: now,
        updated_at: now,
        last_login_at: None,
        login_count: 0,
        user_metadata: user_metadata.map(str::to_owned),
        language: None,
    };
    let inserted = sqlx::query(
        "INSERT INTO users (id, app_id, email, email_verified, status, webauthn_handle, created_at, updated_at, \
         login_count, user_metadata) VALUES ($1, $2, $3, 0, $4, $5, $6, $7, 0, $8)",
    )
    .bind(&user.id)
    .bind(&user.app_id)
    .bind(&user.email)
    .bind(user.status.as_str())
    .bind(&user.webauthn_handle)
    .bind(now)
    .bind(now)
    .bind(user_metadata)
    .execute(db)
    .await
    .map(|_| ());
    Ok((user, inserted))
}

/// Remember the mail language of the user's latest code or link request (for the notices sent later). A row that
/// already has it is not written again.
pub async fn set_language(db: &Db, user_id: &str, language: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET language = $1 WHERE id = $2 AND (language IS NULL OR language <> $3)")
        .bind(language)
        .bind(user_id)
        .bind(language)
        .execute(db)
        .await?;
    Ok(())
}

/// Record a successful login (and activate a pending user: their first passkey or verified code proves them).
pub async fn record_login<'e, E>(db: E, user_id: &str) -> Result<(), sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let now = ids::now();
    sqlx::query(
        "UPDATE users SET last_login_at = $1, login_count = login_count + 1, updated_at = $2, \
         status = CASE WHEN status = 'pending' THEN 'active' ELSE status END WHERE id = $3",
    )
    .bind(now)
    .bind(now)
    .bind(user_id)
    .execute(db)
    .await?;
    Ok(())
}

/// Record a login proven by a code or link sent to the user's address: as `record_login`, and the address is now
/// verified (whoever read the message controls the mailbox). Inside the caller's transaction this also locks the
/// user row, so a passkey registration racing with the proof ([`claim_unproven`]) runs entirely before or after it.
pub async fn record_email_login<'e, E>(db: E, user_id: &str) -> Result<(), sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let now = ids::now();
    sqlx::query(
        "UPDATE users SET last_login_at = $1, login_count = login_count + 1, updated_at = $2, email_verified = 1, \
         status = CASE WHEN status = 'pending' THEN 'active' ELSE status END WHERE id = $3",
    )
    .bind(now)
    .bind(now)
    .bind(user_id)
    .execute(db)
    .await?;
    Ok(())
}

/// Mark the address proven (the owner kept a passkey through its confirmation link) without counting a login.
pub async fn mark_email_verified<'e, E>(db: E, user_id: &str) -> Result<(), sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query(
        "UPDATE users SET email_verified = 1, updated_at = $1, \
         status = CASE WHEN status = 'pending' THEN 'active' ELSE status END WHERE id = $2",
    )
    .bind(ids::now())
    .bind(user_id)
    .execute(db)
    .await?;
    Ok(())
}

/// Move the account to `email` (an e-mail change link was opened: the address is proven, and E14 signs in, so the
/// login is counted). A pending user that still holds the address but has expired ([`PENDING_USER_TTL_SECS`]) is
/// deleted first, as [`create_pending`] does. The unique `(app_id, email)` constraint decides a race with a
/// registration of the same address: the caller maps its violation to 409 and drops the transaction, so nothing
/// changes. Returns false when the user is gone or inactive.
pub async fn change_email(
    conn: &mut sqlx::AnyConnection,
    app_id: &str,
    user_id: &str,
    email: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let sql = format!("DELETE FROM users WHERE app_id = $1 AND email = $2 AND id <> $3 AND {}", expired_pending("$4"));
    sqlx::query(&sql)
        .bind(app_id)
        .bind(email)
        .bind(user_id)
        .bind(now - PENDING_USER_TTL_SECS)
        .execute(&mut *conn)
        .await?;
    let at = ids::now();
    let done = sqlx::query(
        "UPDATE users SET email = $1, email_verified = 1, updated_at = $2, last_login_at = $3, \
         login_count = login_count + 1, status = CASE WHEN status = 'pending' THEN 'active' ELSE status END \
         WHERE id = $4 AND app_id = $5 AND status <> 'inactive'",
    )
    .bind(email)
    .bind(at)
    .bind(at)
    .bind(user_id)
    .bind(app_id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Delete the user and everything kept about them in this app, in one transaction: passkeys, sessions (refresh
/// tokens), one-time codes, magic links, WebAuthn handshakes, notices and wrong-code counters, then the user row.
/// Each table is cleared by name rather than through `ON DELETE CASCADE` (handshakes have no foreign key, and a
/// SQLite connection without `foreign_keys = ON` would not cascade). Returns false when there was no such user.
pub async fn delete_with_everything(db: &Db, app_id: &str, user_id: &str) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    for table in
        ["credentials", "refresh_tokens", "otps", "magic_links", "webauthn_challenges", "user_notices", "otp_failures"]
    {
        let sql = format!("DELETE FROM {table} WHERE app_id = $1 AND user_id = $2");
        sqlx::query(&sql).bind(app_id).bind(user_id).execute(&mut *tx).await?;
    }
    let deleted = sqlx::query("DELETE FROM users WHERE app_id = $1 AND id = $2")
        .bind(app_id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(deleted.rows_affected() == 1)
}

/// E5: activate the user for a passkey registered before the address was proven, and return it; `None` once the
/// address is proven
/// (then the handshake, started before the proof, must not add a passkey) or the user is inactive. Pending and
/// still-unproven active users both pass: two registrations racing for one pending user each get a provisional
/// passkey. In a transaction, the UPDATE holds the user row until commit (see [`record_email_login`]).
pub async fn claim_unproven<'e, E>(db: E, user_id: &str, count_login: bool) -> Result<Option<User>, sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let now = ids::now();
    // RETURNING: the ceremony needs the row (the confirmation mail's address and language) and gets it with the
    // write, not by a second read.
    let sql = if count_login {
        format!(
            "UPDATE users SET status = 'active', updated_at = $1, last_login_at = $2, login_count = login_count + 1 \
             WHERE id = $3 AND email_verified = 0 AND status IN ('pending', 'active') RETURNING {COLUMNS}"
        )
    } else {
        format!(
            "UPDATE users SET status = 'active', updated_at = $1 \
             WHERE id = $2 AND email_verified = 0 AND status IN ('pending', 'active') RETURNING {COLUMNS}"
        )
    };
    let query = sqlx::query(&sql).bind(now);
    let query = if count_login { query.bind(now) } else { query };
    query.bind(user_id).fetch_optional(db).await?.as_ref().map(from_row).transpose()
}

/// The management API's "create user": an active user (not pending, so it is never swept), address not verified,
/// with optional metadata. An expired pending user holding the address is replaced, as in [`create_pending`].
/// `None` when a live user already has the address (the unique `(app_id, email)` index decides a race).
pub async fn create_active(
    db: &Db,
    app_id: &str,
    email: &str,
    user_metadata: Option<&str>,
    now: i64,
) -> Result<Option<User>, sqlx::Error> {
    delete_expired_holder(db, app_id, email, now).await?;
    let (user, inserted) = insert_new(db, app_id, email, UserStatus::Active, user_metadata, now).await?;
    match inserted {
        Ok(_) => Ok(Some(user)),
        Err(err) if is_unique_violation(&err) => Ok(None),
        Err(err) => Err(err),
    }
}

/// What the management API's "update user" changes; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct ProfileChange<'a> {
    /// A new, normalised address: stored unverified (nobody proved it), and the codes and links not used yet are
    /// deleted (they went to the old address).
    pub email: Option<&'a str>,
    /// The whole metadata object (a JSON object as text) replaces the stored one; `Some(None)` clears it.
    pub user_metadata: Option<Option<&'a str>>,
}

#[derive(Debug)]
pub enum ProfileUpdate {
    Updated(User),
    NotFound,
    /// Another live user has the new address; nothing was changed.
    EmailTaken,
}

/// Apply a [`ProfileChange`] in one transaction. Setting the current address again changes nothing about it.
pub async fn update_profile(
    db: &Db,
    app_id: &str,
    user_id: &str,
    change: &ProfileChange<'_>,
    now: i64,
) -> Result<ProfileUpdate, sqlx::Error> {
    let mut tx = db.begin().await?;
    let sql = format!("SELECT {COLUMNS} FROM users WHERE app_id = $1 AND id = $2");
    let Some(user) = sqlx::query(&sql)
        .bind(app_id)
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()?
    else {
        return Ok(ProfileUpdate::NotFound);
    };
    if let Some(email) = change.email.filter(|email| *email != user.email) {
        let sql =
            format!("DELETE FROM users WHERE app_id = $1 AND email = $2 AND id <> $3 AND {}", expired_pending("$4"));
        sqlx::query(&sql)
            .bind(app_id)
            .bind(email)
            .bind(user_id)
            .bind(now - PENDING_USER_TTL_SECS)
            .execute(&mut *tx)
            .await?;
        let moved = sqlx::query("UPDATE users SET email = $1, email_verified = 0, updated_at = $2 WHERE id = $3")
            .bind(email)
            .bind(now)
            .bind(user_id)
            .execute(&mut *tx)
            .await;
        match moved {
            Ok(_) => {}
            Err(err) if is_unique_violation(&err) => return Ok(ProfileUpdate::EmailTaken),
            Err(err) => return Err(err),
        }
        for sql in [
            "DELETE FROM otps WHERE app_id = $1 AND user_id = $2",
            "DELETE FROM magic_links WHERE app_id = $1 AND user_id = $2 AND activated_at IS NULL",
        ] {
            sqlx::query(sql).bind(app_id).bind(user_id).execute(&mut *tx).await?;
        }
    }
    if let Some(metadata) = change.user_metadata {
        sqlx::query("UPDATE users SET user_metadata = $1, updated_at = $2 WHERE id = $3")
            .bind(metadata)
            .bind(now)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
    }
    let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1");
    let updated = from_row(&sqlx::query(&sql).bind(user_id).fetch_one(&mut *tx).await?)?;
    tx.commit().await?;
    Ok(ProfileUpdate::Updated(updated))
}

/// Set the user's status (management activate / deactivate); the updated user, or `None` when there is none.
pub async fn set_status(
    db: &Db,
    app_id: &str,
    user_id: &str,
    status: UserStatus,
    now: i64,
) -> Result<Option<User>, sqlx::Error> {
    sqlx::query("UPDATE users SET status = $1, updated_at = $2 WHERE app_id = $3 AND id = $4")
        .bind(status.as_str())
        .bind(now)
        .bind(app_id)
        .bind(user_id)
        .execute(db)
        .await?;
    find_by_id(db, app_id, user_id).await
}

pub(crate) fn uuid_from_random() -> webauthn_rs::prelude::Uuid {
    let bytes: [u8; 16] = ids::random_bytes(16).try_into().unwrap_or([0; 16]);
    webauthn_rs::prelude::Uuid::from_bytes(bytes)
}
