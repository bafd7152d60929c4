//! Consecutive failed code activations per (account, client network), persisted (NIST SP 800-63B §5.2.2). The
//! rules (back-off, caps) are in `limits::Limits`; this module only counts, atomically.

use sqlx::Row;

use crate::db::Db;

/// What is counted for one account as seen from one network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Failures {
    /// Consecutive failures from this network.
    pub network: u32,
    /// When the latest of them happened (Unix seconds; 0 without any).
    pub last_failure_at: i64,
    /// Consecutive failures from all networks together.
    pub account: u32,
}

/// The counts of `user_id` in `app_id`, for `network`.
pub async fn load(db: &Db, app_id: &str, user_id: &str, network: &str) -> Result<Failures, sqlx::Error> {
    // SUM of BIGINT is NUMERIC on Postgres: cast back so both databases answer an integer.
    let row = sqlx::query(
        "SELECT CAST(COALESCE(SUM(failures), 0) AS BIGINT) AS account, \
                CAST(COALESCE(MAX(CASE WHEN network = $3 THEN failures END), 0) AS BIGINT) AS network, \
                CAST(COALESCE(MAX(CASE WHEN network = $3 THEN last_failure_at END), 0) AS BIGINT) AS last_failure_at \
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
        account: count("account")?,
    })
}

/// Count one more failure for (user, network) at `now`, but only if the network's count is still `seen` (what
/// `load` returned): two parallel attempts cannot both pass the back-off check. `false` = another attempt won.
pub async fn count(
    db: &Db,
    app_id: &str,
    user_id: &str,
    network: &str,
    seen: u32,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = if seen == 0 {
        sqlx::query(
            "INSERT INTO otp_failures (app_id, user_id, network, failures, last_failure_at) VALUES ($1, $2, $3, 1, $4) \
             ON CONFLICT (app_id, user_id, network) DO NOTHING",
        )
        .bind(app_id)
        .bind(user_id)
        .bind(network)
        .bind(now)
        .execute(db)
        .await?
    } else {
        sqlx::query(
            "UPDATE otp_failures SET failures = failures + 1, last_failure_at = $4 \
             WHERE app_id = $1 AND user_id = $2 AND network = $3 AND failures = $5",
        )
        .bind(app_id)
        .bind(user_id)
        .bind(network)
        .bind(now)
        .bind(i64::from(seen))
        .execute(db)
        .await?
    };
    Ok(done.rows_affected() == 1)
}

/// The user signed in successfully: every consecutive-failure count of theirs starts again (NIST SP 800-63B
/// §5.2.2: the count is of *consecutive* failures). Call it from every successful sign-in of a user (code, magic
/// link, passkey).
pub async fn reset(db: &Db, app_id: &str, user_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM otp_failures WHERE app_id = $1 AND user_id = $2")
        .bind(app_id)
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(())
}
