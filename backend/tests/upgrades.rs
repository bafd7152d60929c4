//! Rolling upgrades (DEPLOYING.md, Upgrades): while instances of release N+1 roll out, an instance of release N
//! must still start on the database N+1 already migrated, and keep serving it.

#[macro_use]
mod support;

use backend::db::Database;
use sqlx::Connection;
use support::TestDb;

on_both_databases!(an_older_release_starts_on_a_database_a_newer_release_migrated);

/// Records a migration this binary does not know, as release N+1 would have left it in `_sqlx_migrations`.
async fn apply_a_later_release(db: &TestDb) {
    const LATER: &str = "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
                         VALUES (29991231000001, 'a later release', TRUE, ";
    match db {
        TestDb::Sqlite { url, .. } => {
            let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
            sqlx::query(&format!("{LATER} X'00', 0)")).execute(&mut conn).await.unwrap();
        }
        TestDb::Postgres { url, .. } => {
            let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
            sqlx::query(&format!("{LATER} '\\x00'::bytea, 0)")).execute(&mut conn).await.unwrap();
        }
    }
}

async fn an_older_release_starts_on_a_database_a_newer_release_migrated(db: TestDb) {
    let first = Database::connect(db.url(), 2).await.expect("the first start migrates");
    first.upsert_profile("user-before", "Before").await.unwrap();
    first.close().await;
    apply_a_later_release(&db).await;

    let older = Database::connect(db.url(), 2).await.expect("an older release starts on the newer schema");
    assert_eq!(older.find_profile("user-before").await.unwrap().map(|p| p.name), Some("Before".to_owned()));
    older.upsert_profile("user-after", "After").await.expect("and writes to it");
    assert_eq!(older.count_profiles().await.unwrap(), 2);
    older.close().await;
    db.cleanup().await;
}
