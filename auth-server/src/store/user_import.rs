//! Bulk insert of users taken from another provider (`auth-server import`), keeping their ids. One call is one
//! batch in one transaction: the caller has validated every row; this decides, against what the database holds,
//! which rows are new, which were imported before, and which collide with someone else.

use std::collections::HashMap;

use sqlx::Row;

use super::users::{expired_pending, uuid_from_random, UserStatus, PENDING_USER_TTL_SECS};
use crate::db::{is_unique_violation, Db};

/// A validated user to import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedUser {
    pub id: String,
    /// Normalised (trimmed, lower-cased) address.
    pub email: String,
    pub email_verified: bool,
    pub status: UserStatus,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_login_at: Option<i64>,
    pub login_count: i64,
    /// A JSON object as text.
    pub user_metadata: Option<String>,
}

/// What became of one row of a batch, in the batch's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowOutcome {
    Inserted,
    /// A user with this id is already in this app (an earlier run): left exactly as it is.
    AlreadyPresent,
    /// The id is taken by a user of another app (ids are unique across apps).
    IdOfAnotherApp,
    /// Another user of this app has the address.
    EmailTaken {
        holder: String,
    },
}

/// Rows per INSERT statement: 11 values a row keeps a statement under SQLite's and Postgres' bind limits.
const ROWS_PER_INSERT: usize = 200;
/// Ids or addresses per `IN (...)` lookup.
const ROWS_PER_LOOKUP: usize = 800;

/// Import one batch in one transaction; with `commit` false (a dry run) it is rolled back, so the outcomes are
/// exactly those a real run would have. The caller's rows have distinct ids and addresses. A unique violation (a
/// registration of the same address racing with the import) rolls the batch back and it is tried once more.
pub async fn import_batch(
    db: &Db,
    app_id: &str,
    rows: &[ImportedUser],
    now: i64,
    commit: bool,
) -> Result<Vec<RowOutcome>, sqlx::Error> {
    match try_batch(db, app_id, rows, now, commit).await {
        Err(err) if is_unique_violation(&err) => try_batch(db, app_id, rows, now, commit).await,
        other => other,
    }
}

async fn try_batch(
    db: &Db,
    app_id: &str,
    rows: &[ImportedUser],
    now: i64,
    commit: bool,
) -> Result<Vec<RowOutcome>, sqlx::Error> {
    let mut tx = db.begin().await?;
    if tx.backend_name().to_ascii_lowercase().starts_with("postgres") {
        // A generic plan of `app_id = $1 AND email IN ($2 … $801)` (what Postgres picks for a statement prepared
        // again and again) scans the app's rows by the (app_id, created_at) index and filters 800 values each:
        // 3 s a batch at 90,000 users. A plan for the actual values uses the (app_id, email) index: milliseconds.
        sqlx::query("SET LOCAL plan_cache_mode = force_custom_plan").execute(&mut *tx).await?;
    }
    let mut apps_of_ids = HashMap::new();
    let mut holders_of_emails = HashMap::new();
    for chunk in rows.chunks(ROWS_PER_LOOKUP) {
        // An expired pending user (an abandoned registration) holding an address does not count as its owner.
        let sql = format!(
            "DELETE FROM users WHERE app_id = $1 AND email IN ({}) AND {}",
            placeholders(2, chunk.len()),
            expired_pending(&format!("${}", chunk.len() + 2))
        );
        let mut delete = sqlx::query(&sql).bind(app_id);
        for row in chunk {
            delete = delete.bind(&row.email);
        }
        delete.bind(now - PENDING_USER_TTL_SECS).execute(&mut *tx).await?;

        let sql = format!("SELECT id, app_id FROM users WHERE id IN ({})", placeholders(1, chunk.len()));
        let mut query = sqlx::query(&sql);
        for row in chunk {
            query = query.bind(&row.id);
        }
        for found in query.fetch_all(&mut *tx).await? {
            apps_of_ids.insert(found.try_get::<String, _>("id")?, found.try_get::<String, _>("app_id")?);
        }
        let sql =
            format!("SELECT id, email FROM users WHERE app_id = $1 AND email IN ({})", placeholders(2, chunk.len()));
        let mut query = sqlx::query(&sql).bind(app_id);
        for row in chunk {
            query = query.bind(&row.email);
        }
        for found in query.fetch_all(&mut *tx).await? {
            holders_of_emails.insert(found.try_get::<String, _>("email")?, found.try_get::<String, _>("id")?);
        }
    }
    let outcomes: Vec<RowOutcome> = rows
        .iter()
        .map(|row| match (apps_of_ids.get(&row.id), holders_of_emails.get(&row.email)) {
            (Some(app), _) if app == app_id => RowOutcome::AlreadyPresent,
            (Some(_), _) => RowOutcome::IdOfAnotherApp,
            (None, Some(holder)) => RowOutcome::EmailTaken { holder: holder.clone() },
            (None, None) => RowOutcome::Inserted,
        })
        .collect();
    let new_rows: Vec<&ImportedUser> = rows
        .iter()
        .zip(&outcomes)
        .filter(|(_, outcome)| **outcome == RowOutcome::Inserted)
        .map(|(row, _)| row)
        .collect();
    for chunk in new_rows.chunks(ROWS_PER_INSERT) {
        let values = (0..chunk.len()).map(|i| format!("({})", placeholders(i * 11 + 1, 11))).collect::<Vec<_>>();
        let sql = format!(
            "INSERT INTO users (id, app_id, email, email_verified, status, webauthn_handle, created_at, updated_at, \
             last_login_at, login_count, user_metadata) VALUES {}",
            values.join(", ")
        );
        let mut insert = sqlx::query(&sql);
        for row in chunk {
            insert = insert
                .bind(&row.id)
                .bind(app_id)
                .bind(&row.email)
                .bind(i64::from(row.email_verified))
                .bind(row.status.as_str())
                // A new WebAuthn user handle: no passkey comes along (Passage never exported public keys).
                .bind(uuid_from_random().to_string())
                .bind(row.created_at)
                .bind(row.updated_at)
                .bind(row.last_login_at)
                .bind(row.login_count)
                .bind(row.user_metadata.as_deref());
        }
        insert.execute(&mut *tx).await?;
    }
    if commit {
        tx.commit().await?;
    } else {
        tx.rollback().await?;
    }
    Ok(outcomes)
}

/// `$first, $first+1, …` (`count` of them).
fn placeholders(first: usize, count: usize) -> String {
    (first..first + count).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::placeholders;

    #[test]
    fn placeholders_are_numbered_from_the_first() {
        assert_eq!(placeholders(3, 3), "$3, $4, $5");
        assert_eq!(placeholders(1, 0), "");
    }
}
