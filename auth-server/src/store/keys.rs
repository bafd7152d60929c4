//! RS256 signing keys, persisted so tokens survive restarts and every instance signs with the same key.

use sqlx::Row;

use crate::db::Db;
use crate::ids;

#[derive(Debug, Clone)]
pub struct StoredKey {
    pub kid: String,
    pub private_key_pem: String,
    pub created_at: i64,
    pub retired_at: Option<i64>,
}

/// The current key (newest unretired) and the previous one (most recently retired), if any.
pub async fn current_and_previous(db: &Db) -> Result<(Option<StoredKey>, Option<StoredKey>), sqlx::Error> {
    let rows = sqlx::query(
        "SELECT kid, private_key_pem, created_at, retired_at FROM signing_keys ORDER BY generation DESC, created_at DESC",
    )
    .fetch_all(db)
    .await?;
    let keys = rows
        .iter()
        .map(|row| {
            Ok(StoredKey {
                kid: row.try_get("kid")?,
                private_key_pem: row.try_get("private_key_pem")?,
                created_at: row.try_get("created_at")?,
                retired_at: row.try_get("retired_at")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let current = keys.iter().find(|k| k.retired_at.is_none()).cloned();
    // Rows come newest generation first, so the first retired row is the key retired last.
    let previous = keys.iter().find(|k| k.retired_at.is_some()).cloned();
    Ok((current, previous))
}

/// Insert a key one generation above every existing key.
const INSERT_NEXT_GENERATION: &str = "INSERT INTO signing_keys (kid, private_key_pem, created_at, generation) \
     SELECT $1, $2, $3, COALESCE(MAX(generation), 0) + 1 FROM signing_keys";

/// Make `kid` the current key: retire the others and insert it, in one transaction.
pub async fn install_current(db: &Db, kid: &str, private_key_pem: &str) -> Result<(), sqlx::Error> {
    let now = ids::now();
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE signing_keys SET retired_at = $1 WHERE retired_at IS NULL").bind(now).execute(&mut *tx).await?;
    sqlx::query(INSERT_NEXT_GENERATION).bind(kid).bind(private_key_pem).bind(now).execute(&mut *tx).await?;
    tx.commit().await
}

/// Insert `kid` only if no current key exists yet (first run).
pub async fn insert_if_none(db: &Db, kid: &str, private_key_pem: &str) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    let existing: Option<String> =
        sqlx::query_scalar("SELECT kid FROM signing_keys WHERE retired_at IS NULL").fetch_optional(&mut *tx).await?;
    if existing.is_none() {
        sqlx::query(INSERT_NEXT_GENERATION).bind(kid).bind(private_key_pem).bind(ids::now()).execute(&mut *tx).await?;
    }
    tx.commit().await
}
