//! Database connection: SQLite (default, a file under `.data/`) or Postgres, chosen by the URL, plus migrations.

use sqlx::any::AnyPoolOptions;
use sqlx::AnyPool;
use sqlx::{Connection, Executor};

pub type Db = AnyPool;

/// Which database a URL names. The SQL is shared; only connection setup differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Self::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Some(Self::Postgres)
        } else {
            None
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("unsupported database URL {0:?}: use sqlite://FILE or postgres://...")]
    UnsupportedUrl(String),
    #[error("cannot create the directory for {path}: {source}")]
    CreateDir { path: String, source: std::io::Error },
    #[error("cannot connect to the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("cannot migrate the database: {0}")]
    Migrate(#[source] sqlx::migrate::MigrateError),
}

/// The schema's migrations. `ignore_missing`: a database that a newer release already migrated has migrations
/// this binary does not know; during a rolling upgrade (DEPLOYING.md, Upgrades) instances of the older release
/// must still start on it, which works because migrations only add. sqlx otherwise refuses with
/// `VersionMissing`. A migration this binary knows that differs from the applied one is still an error.
static MIGRATIONS: sqlx::migrate::Migrator =
    sqlx::migrate::Migrator { ignore_missing: true, ..sqlx::migrate!("./migrations") };

const SQLITE_PRAGMAS: &[&str] = &[
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
];

/// A pooled Postgres connection idle this long is pinged before use (see [`connect`]).
pub const PING_WHEN_IDLE_FOR: std::time::Duration = std::time::Duration::from_secs(1);

/// Connect and run the migrations. For SQLite the file and its directory are created when missing.
pub async fn connect(url: &str) -> Result<Db, DbError> {
    sqlx::any::install_default_drivers();
    let backend = Backend::of(url).ok_or_else(|| DbError::UnsupportedUrl(url.to_owned()))?;
    let url = match backend {
        Backend::Sqlite => prepare_sqlite_url(url)?,
        Backend::Postgres => url.to_owned(),
    };
    let pool = AnyPoolOptions::new()
        // sqlx would ping every connection before handing it out: one more round trip per statement outside a
        // transaction, which measured ~10% of a passkey registration's server time on SQLite and ~25% on Postgres
        // (`cargo xtask bench --only auth-server`). A SQLite connection is a file handle in this process that cannot
        // go away: never pinged. A Postgres connection can (a server restart, a failover), and one that sat idle is
        // the one most likely to have died unnoticed: pinged when idle for `PING_WHEN_IDLE_FOR`, and replaced if
        // it does not answer. A connection in steady use is not pinged; if it died, its next statement fails once
        // (a 500) and sqlx drops it.
        .test_before_acquire(false)
        .before_acquire(move |conn, meta| {
            Box::pin(async move {
                Ok(backend == Backend::Sqlite || meta.idle_for < PING_WHEN_IDLE_FOR || conn.ping().await.is_ok())
            })
        })
        .max_connections(match backend {
            Backend::Sqlite => 8,
            Backend::Postgres => 16,
        })
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    // WAL lets readers run beside the writer; NORMAL is durable at checkpoints and safe with WAL;
                    // foreign keys are off by default in SQLite; the busy timeout waits for the writer lock.
                    // One statement per call: a multi-statement string is not reliably run in full by every driver.
                    for pragma in SQLITE_PRAGMAS {
                        conn.execute(*pragma).await?;
                    }
                }
                Ok(())
            })
        })
        .connect(&url)
        .await
        .map_err(DbError::Connect)?;
    MIGRATIONS.run(&pool).await.map_err(DbError::Migrate)?;
    Ok(pool)
}

/// Create the SQLite file's directory and ask SQLite to create the file (`mode=rwc`).
fn prepare_sqlite_url(url: &str) -> Result<String, DbError> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() || path.starts_with(":memory:") {
        return Ok(url.to_owned());
    }
    if let Some(dir) = std::path::Path::new(path).parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| DbError::CreateDir { path: path.to_owned(), source })?;
    }
    Ok(if query.contains("mode=") {
        url.to_owned()
    } else if query.is_empty() {
        format!("sqlite://{path}?mode=rwc")
    } else {
        format!("sqlite://{path}?{query}&mode=rwc")
    })
}

/// Multi-statement write transactions on SQLite, one at a time, queued in this process.
///
/// SQLite has one writer at a time. A connection that finds the write lock taken retries in SQLite's busy handler,
/// which sleeps between tries (1 ms, then 2, 5, 10 ms, ...), so a lock held for a tenth of a millisecond costs the
/// writer behind it a millisecond or more. A transaction holds the lock across several round trips, each waiting
/// for its task to be polled again, so two of them meeting is the costly case: queued here, the second is woken the
/// moment the first commits. Single statements are not queued: SQLite releases their lock on the connection's own
/// thread as soon as they finish, while a turn here ends only when the task is polled again. Measured with
/// `cargo xtask bench --only auth-server` (8 clients, 2 cores): queuing the registration's transaction gave ~5% more
/// registrations/s, queuing every write of the ceremonies cost ~20%. A write outside the queue is still correct (it
/// meets the busy handler). Postgres locks rows, not the database: there the queue lets everything through.
///
/// Take a turn before taking a connection, and never while holding one (a transaction): a task holding a
/// connection and waiting for a turn, behind a task holding the turn and waiting for a connection, would be stuck.
#[derive(Clone)]
pub struct WriteQueue(Option<std::sync::Arc<tokio::sync::Mutex<()>>>);

impl WriteQueue {
    /// The queue for `pool`'s database: a real one for SQLite, a pass-through for Postgres.
    pub fn for_pool(pool: &Db) -> Self {
        let sqlite = Backend::of(pool.connect_options().database_url.as_str()) == Some(Backend::Sqlite);
        Self(sqlite.then(Default::default))
    }

    /// Run `write` (statements, or a whole transaction) in this process's turn. FIFO: tokio's mutex is fair.
    pub async fn run<F: std::future::Future>(&self, write: F) -> F::Output {
        let _turn = match &self.0 {
            Some(queue) => Some(queue.lock().await),
            None => None,
        };
        write.await
    }
}

/// True when the error is a unique-constraint violation (both databases report it the same way through sqlx).
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_get_create_mode() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sub/auth.sqlite3");
        let url = prepare_sqlite_url(&format!("sqlite://{}", file.display())).unwrap();
        assert!(url.ends_with("?mode=rwc"), "{url}");
        assert!(file.parent().unwrap().is_dir());
        assert_eq!(Backend::of("mysql://x"), None);
    }
}

#[cfg(test)]
mod pragma_tests {
    use super::*;

    /// Every pooled SQLite connection runs with WAL, NORMAL sync and foreign keys on.
    #[tokio::test]
    async fn sqlite_connections_get_the_pragmas() {
        let dir = tempfile::tempdir().unwrap();
        let pool = connect(&format!("sqlite://{}", dir.path().join("p.sqlite3").display())).await.unwrap();
        let journal: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&pool).await.unwrap();
        let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous").fetch_one(&pool).await.unwrap();
        let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys").fetch_one(&pool).await.unwrap();
        assert_eq!((journal.as_str(), synchronous, foreign_keys), ("wal", 1, 1));
    }
}
