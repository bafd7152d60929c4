//! Consecutive failed code activations per (account, client network), persisted (NIST SP 800-63B §5.2.2), and the
//! networks the user signed in from ("known" networks). The rules (back-off, caps) are in `limits::Limits` and
//! `routes::otp::count_attempt`; this module only counts, atomically.

use sqlx::Row;

use crate::db::Db;

/// What is counted for one account as seen from one network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Failures {
    /// Consecutive failures from this network.
    pub network: u32,
    /// When the latest of them happened (Unix seconds; 0 without any).
    pub last_failure_at: i64,
    /// Whether the user has signed in successfully from this network (see [`reset`]).
    pub known: bool,
    /// Consecutive failures from all networks the user never signed in from, together.
    pub unknown_networks: u32,
}

/// The counts of `user_id` in `app_id`, for `network`.
pub async fn load(db: &Db, app_id: &str, user_id: &str, network: &str) -> Result<Failures, sqlx::Error> {
    // SUM of BIGINT is NUMERIC on Postgres: cast back so both databases answer an integer.
    let row = sqlx::query(
        "SELECT CAST(COALESCE(SUM(CASE WHEN known = 0 THEN failures END), 0) AS BIGINT) AS unknown_networks, \
                CAST(COALESCE(MAX(CASE WHEN network = $3 THEN failures END), 0) AS BIGINT) AS network, \
                CAST(COALESCE(MAX(CASE WHEN network = $3 THEN last_failure_at END), 0) AS BIGINT) AS last_failure_at, \
                CAST(COALESCE(MAX(CASE WHEN network = $3 THEN known END), 0) AS BIGINT) AS known \
         FROM otp_failures WHERE app_id = $1 AND user_id = $2",
    )
    .bind(app_id)
    .bind(user_id)
    .bind(network)
    .fetch_one(db)
    .await?;
    let count = |name: &str| -> Result<u32, sqlx::Error> {
        Ok(u32::try_from(row.try_get::<i64, _>(name)?.max(0)).unwrap_or(u32::MAX))
    };
    Ok(Failures {
        network: count("network")?,
        last_failure_at: row.try_get("last_failure_at")?,
        known: row.try_get::<i64, _>("known")? != 0,
        unknown_networks: count("unknown_networks")?,
    })
}

/// Count one more failure for (user, network) at `now`, but only if the network's count is still `seen` (what
/// `load` returned): two parallel attempts cannot both pass the back-off check. With `account_cap` (for a network
/// the user never signed in from) only while the failures of all such networks together are below it, checked
/// under a lock of the user, so parallel guesses from many networks cannot pass that cap together either.
/// `false` = not counted (another attempt won, or the cap was reached meanwhile).
pub async fn count(
    db: &Db,
    app_id: &str,
    user_id: &str,
    network: &str,
    seen: u32,
    account_cap: Option<u32>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    // One writer per user at a time: a row lock on Postgres, the write lock on SQLite. Postgres (READ COMMITTED)
    // runs the next statement on a fresh snapshot, so its sum sees every failure counted before the lock was ours.
    sqlx::query("UPDATE users SET status = status WHERE id = $1").bind(user_id).execute(&mut *tx).await?;
    let below_cap = "(SELECT COALESCE(SUM(f.failures), 0) FROM otp_failures f \
                      WHERE f.app_id = $1 AND f.user_id = $2 AND f.known = 0) < $5";
    let cap = account_cap.map_or(i64::MAX, i64::from);
    let done = if seen == 0 {
        // No row yet, or a known network's row with no failures: either way the first failure. The upsert's WHERE
        // keeps it a compare-and-count (a parallel first failure already counted leaves nothing to update); both
        // SQLite (>= 3.24) and Postgres report 0 rows affected when the conflicting row is left alone.
        sqlx::query(&format!(
            "INSERT INTO otp_failures (app_id, user_id, network, failures, last_failure_at) \
             SELECT $1, $2, $3, 1, $4 WHERE {below_cap} \
             ON CONFLICT (app_id, user_id, network) DO UPDATE SET failures = 1, last_failure_at = $4 \
             WHERE otp_failures.failures = 0"
        ))
        .bind(app_id)
        .bind(user_id)
        .bind(network)
        .bind(now)
        .bind(cap)
        .execute(&mut *tx)
        .await?
    } else {
        sqlx::query(&format!(
            "UPDATE otp_failures SET failures = failures + 1, last_failure_at = $4 \
             WHERE app_id = $1 AND user_id = $2 AND network = $3 AND failures = $6 AND {below_cap}"
        ))
        .bind(app_id)
        .bind(user_id)
        .bind(network)
        .bind(now)
        .bind(cap)
        .bind(i64::from(seen))
        .execute(&mut *tx)
        .await?
    };
    tx.commit().await?;
    Ok(done.rows_affected() == 1)
}

/// The user signed in successfully (at `now`, from `network` when the sign-in has one): every run of consecutive
/// failures of theirs ends (NIST SP 800-63B §5.2.2 counts *consecutive* failures), on every network, and `network`
/// becomes known, so from there the owner is held only to that network's own cap, never to the account-wide cap a
/// stranger elsewhere can use up. Call it only for a sign-in that proves the owner: a code or magic link (the
/// mailbox), a confirmed passkey; never a provisional passkey (it may be a stranger's, pre-account hijacking).
pub async fn reset(db: &Db, app_id: &str, user_id: &str, network: Option<&str>, now: i64) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM otp_failures WHERE app_id = $1 AND user_id = $2 AND known = 0")
        .bind(app_id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE otp_failures SET failures = 0, last_failure_at = 0 WHERE app_id = $1 AND user_id = $2")
        .bind(app_id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    if let Some(network) = network {
        sqlx::query(
            "INSERT INTO otp_failures (app_id, user_id, network, failures, last_failure_at, known) \
             VALUES ($1, $2, $3, 0, 0, $4) ON CONFLICT (app_id, user_id, network) DO UPDATE SET known = $4",
        )
        .bind(app_id)
        .bind(user_id)
        .bind(network)
        .bind(now.max(1))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}
