//! Profile storage on SQLite or PostgreSQL: connection, migrations, and the queries the API needs (save, find,
//! delete a profile).
//!
//! An enum over two pools (rather than `sqlx::Any`), with the SQL shared between them, keeps each backend's
//! native types (TIMESTAMPTZ on Postgres) and lets SQLite use one writer connection, so concurrent saves queue in
//! the pool instead of spinning on SQLite's busy handler.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::Row;

// `ignore_missing`: an instance of the older release must still start on a database a newer release already
// migrated (a rolling upgrade, DEPLOYING.md); migrations only add, so the old code keeps working on the new
// schema. Without it sqlx refuses with `VersionMissing`. A known migration whose checksum differs is still an error.
static SQLITE_MIGRATIONS: sqlx::migrate::Migrator =
    sqlx::migrate::Migrator { ignore_missing: true, ..sqlx::migrate!("./migrations/sqlite") };
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator =
    sqlx::migrate::Migrator { ignore_missing: true, ..sqlx::migrate!("./migrations/postgres") };

/// A saved profile row as the API returns it; timestamps already in the wire format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub user_id: String,
    pub name: String,
    pub created_at: String,
    pub updated_at: String,
}

/// The outcome of a save: the row, and whether this save created it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedProfile {
    pub profile: Profile,
    pub created: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("unsupported DATABASE_URL `{0}`: use sqlite://PATH or postgres://...")]
    UnsupportedUrl(String),
    #[error("cannot create the database folder {path}: {source}")]
    CreateDir { path: String, source: std::io::Error },
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// A handle to the profile store; cheap to clone.
#[derive(Clone, Debug)]
pub enum Database {
    Sqlite {
        /// Exactly one connection: SQLite allows one writer at a time, so writers wait in the pool queue.
        writer: SqlitePool,
        /// Readers run in parallel with the writer thanks to WAL.
        reader: SqlitePool,
    },
    Postgres(PgPool),
}

impl Database {
    /// Connects and brings the schema up to date.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Database, DbError> {
        let max_connections = max_connections.max(1);
        let database = if url.starts_with("sqlite:") {
            Self::connect_sqlite(url, max_connections).await?
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(max_connections)
                .acquire_timeout(Duration::from_secs(5))
                .connect_with(options)
                .await?;
            Database::Postgres(pool)
        } else {
            return Err(DbError::UnsupportedUrl(redact_url(url)));
        };
        database.migrate().await?;
        Ok(database)
    }

    async fn connect_sqlite(url: &str, max_connections: u32) -> Result<Database, DbError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // NORMAL is durable across application crashes in WAL mode; only an OS crash can lose the last
            // commits. It avoids an fsync per save.
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true);
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        if !in_memory {
            if let Some(parent) = options.get_filename().parent().filter(|p| !p.as_os_str().is_empty()) {
                create_dir(parent)?;
            }
        }
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options.clone())
            .await?;
        // An in-memory database exists once per connection: readers must share the writer's connection.
        let reader = if in_memory {
            writer.clone()
        } else {
            SqlitePoolOptions::new()
                .max_connections(max_connections)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options.read_only(true))
                .await?
        };
        Ok(Database::Sqlite { writer, reader })
    }

    async fn migrate(&self) -> Result<(), DbError> {
        match self {
            Database::Sqlite { writer, .. } => SQLITE_MIGRATIONS.run(writer).await?,
            Database::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    /// `sqlite` or `postgres`, for logs and the health check.
    pub fn kind(&self) -> &'static str {
        match self {
            Database::Sqlite { .. } => "sqlite",
            Database::Postgres(_) => "postgres",
        }
    }

    /// Round trip to the database (health check). On SQLite it uses the writer, the connection saves need.
    pub async fn ping(&self) -> Result<(), DbError> {
        match self {
            Database::Sqlite { writer, .. } => {
                sqlx::query("SELECT 1").execute(writer).await?;
            }
            Database::Postgres(pool) => {
                sqlx::query("SELECT 1").execute(pool).await?;
            }
        }
        Ok(())
    }

    /// Creates or updates the profile of `user_id` in one atomic statement.
    pub async fn upsert_profile(&self, user_id: &str, name: &str) -> Result<SavedProfile, DbError> {
        let now = now_micros();
        let (profile, save_count) = match self {
            Database::Sqlite { writer, .. } => {
                let row = sqlx::query(sql::UPSERT_PROFILE)
                    .bind(user_id)
                    .bind(name)
                    .bind(wire_timestamp(now))
                    .fetch_one(writer)
                    .await?;
                (sqlite_profile(&row)?, row.try_get::<i64, _>("save_count")?)
            }
            Database::Postgres(pool) => {
                let row = sqlx::query(sql::UPSERT_PROFILE).bind(user_id).bind(name).bind(now).fetch_one(pool).await?;
                (postgres_profile(&row)?, row.try_get::<i64, _>("save_count")?)
            }
        };
        Ok(SavedProfile { profile, created: save_count == 1 })
    }

    /// The profile of `user_id`, if one was saved.
    pub async fn find_profile(&self, user_id: &str) -> Result<Option<Profile>, DbError> {
        let profile = match self {
            Database::Sqlite { reader, .. } => {
                let row = sqlx::query(sql::FIND_PROFILE).bind(user_id).fetch_optional(reader).await?;
                row.map(|row| sqlite_profile(&row)).transpose()?
            }
            Database::Postgres(pool) => {
                let row = sqlx::query(sql::FIND_PROFILE).bind(user_id).fetch_optional(pool).await?;
                row.map(|row| postgres_profile(&row)).transpose()?
            }
        };
        Ok(profile)
    }

    /// Deletes the profile of `user_id` in one statement; `true` if there was one. A missing profile is not an
    /// error, so an account deletion can be repeated.
    pub async fn delete_profile(&self, user_id: &str) -> Result<bool, DbError> {
        let deleted = match self {
            Database::Sqlite { writer, .. } => {
                sqlx::query(sql::DELETE_PROFILE).bind(user_id).execute(writer).await?.rows_affected()
            }
            Database::Postgres(pool) => {
                sqlx::query(sql::DELETE_PROFILE).bind(user_id).execute(pool).await?.rows_affected()
            }
        };
        Ok(deleted > 0)
    }

    /// Number of profile rows (tests and operators).
    pub async fn count_profiles(&self) -> Result<i64, DbError> {
        let count = match self {
            Database::Sqlite { reader, .. } => sqlx::query_scalar(sql::COUNT_PROFILES).fetch_one(reader).await?,
            Database::Postgres(pool) => sqlx::query_scalar(sql::COUNT_PROFILES).fetch_one(pool).await?,
        };
        Ok(count)
    }

    /// Open and idle connections, for the pool gauges (SQLite: its writer and readers together).
    pub fn pool_use(&self) -> (u32, usize) {
        match self {
            Database::Sqlite { writer, reader } => {
                (writer.size() + reader.size(), writer.num_idle() + reader.num_idle())
            }
            Database::Postgres(pool) => (pool.size(), pool.num_idle()),
        }
    }

    /// Closes every connection (SQLite checkpoints its WAL on the last close).
    pub async fn close(&self) {
        match self {
            Database::Sqlite { writer, reader } => {
                reader.close().await;
                writer.close().await;
            }
            Database::Postgres(pool) => pool.close().await,
        }
    }
}

/// The statements, written once for both databases: SQLite accepts PostgreSQL's `$n` placeholders. Only the
/// binds differ (timestamps are RFC 3339 text on SQLite, TIMESTAMPTZ on Postgres) and the row mapping.
mod sql {
    pub const UPSERT_PROFILE: &str = "INSERT INTO profiles (user_id, name, save_count, created_at, updated_at) \
         VALUES ($1, $2, 1, $3, $3) \
         ON CONFLICT (user_id) DO UPDATE SET \
            name = excluded.name, \
            save_count = profiles.save_count + 1, \
            updated_at = excluded.updated_at \
         RETURNING user_id, name, created_at, updated_at, save_count";
    pub const FIND_PROFILE: &str = "SELECT user_id, name, created_at, updated_at FROM profiles WHERE user_id = $1";
    pub const DELETE_PROFILE: &str = "DELETE FROM profiles WHERE user_id = $1";
    pub const COUNT_PROFILES: &str = "SELECT COUNT(*) FROM profiles";
}

fn sqlite_profile(row: &sqlx::sqlite::SqliteRow) -> Result<Profile, sqlx::Error> {
    Ok(Profile {
        user_id: row.try_get("user_id")?,
        name: row.try_get("name")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn postgres_profile(row: &sqlx::postgres::PgRow) -> Result<Profile, sqlx::Error> {
    Ok(Profile {
        user_id: row.try_get("user_id")?,
        name: row.try_get("name")?,
        created_at: wire_timestamp(row.try_get("created_at")?),
        updated_at: wire_timestamp(row.try_get("updated_at")?),
    })
}

/// Now, cut to the microseconds PostgreSQL keeps, so both backends return the same instants.
fn now_micros() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now)
}

/// RFC 3339 in UTC with microseconds and a `Z`: the timestamp format of the API.
fn wire_timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn create_dir(path: &Path) -> Result<(), DbError> {
    std::fs::create_dir_all(path).map_err(|source| DbError::CreateDir { path: path.display().to_string(), source })
}

/// The URL without its password, for error messages and logs.
pub fn redact_url(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.rsplit_once('@') {
            Some((credentials, host)) => match credentials.split_once(':') {
                Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
                None => url.to_owned(),
            },
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords_only() {
        assert_eq!(redact_url("postgres://app:s3cret@db:5432/app"), "postgres://app:***@db:5432/app");
        assert_eq!(redact_url("postgres://postgres@127.0.0.1/db"), "postgres://postgres@127.0.0.1/db");
        assert_eq!(redact_url("sqlite://.data/app.sqlite3"), "sqlite://.data/app.sqlite3");
    }

    #[test]
    fn timestamps_are_rfc3339_utc_micros() {
        let at = DateTime::from_timestamp_micros(1_700_000_000_123_456).unwrap();
        assert_eq!(wire_timestamp(at), "2023-11-14T22:13:20.123456Z");
    }
}
