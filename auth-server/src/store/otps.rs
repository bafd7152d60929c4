//! One-time codes (E8-E10): 6 digits from the OS CSPRNG, stored as a hash, single use, limited attempts.

use sqlx::Row;

use crate::db::Db;
use crate::ids;

/// Wrong attempts allowed per code; the next attempt is refused (401) even with the right code.
pub const MAX_ATTEMPTS: i64 = 5;

/// A fresh 6-digit code, uniform over 000000-999999 (rejection sampling, so no digit is favoured).
pub fn random_code() -> String {
    loop {
        let bytes: [u8; 4] = ids::random_bytes(4).try_into().unwrap_or([0xff; 4]);
        let value = u32::from_le_bytes(bytes);
        // 4_294_000_000 is the largest multiple of 1_000_000 below 2^32.
        if value < 4_294_000_000 {
            return format!("{:06}", value % 1_000_000);
        }
    }
}

/// The stored form: salted with the code's own id, so equal codes never share a hash. (Six digits are guessable
/// offline from a hash anyway; what protects a code is its short life and the attempt limit.)
fn code_hash(otp_id: &str, code: &str) -> String {
    ids::sha256_hex(&format!("{otp_id}:{code}"))
}

/// Store a new code for the user, requested in `language` (a shipped tag, kept for when the code is used);
/// returns `(otp_id, code)`.
pub async fn create(
    db: &Db,
    app_id: &str,
    user_id: &str,
    language: Option<&str>,
    ttl_secs: i64,
    now: i64,
) -> Result<(String, String), sqlx::Error> {
    let id = ids::random_id();
    let code = random_code();
    sqlx::query(
        "INSERT INTO otps (id, app_id, user_id, code_hash, attempts, created_at, expires_at, language) \
         VALUES ($1, $2, $3, $4, 0, $5, $6, $7)",
    )
    .bind(&id)
    .bind(app_id)
    .bind(user_id)
    .bind(code_hash(&id, &code))
    .bind(now)
    .bind(now + ttl_secs)
    .bind(language)
    .execute(db)
    .await?;
    Ok((id, code))
}

#[derive(Debug, PartialEq, Eq)]
pub enum Verification {
    /// The code was right and is now used up; the user it belongs to, and the language it was requested in.
    Verified {
        user_id: String,
        language: Option<String>,
    },
    Wrong {
        user_id: String,
    },
    TooManyAttempts {
        user_id: String,
    },
    Expired,
    /// Unknown id, another app's code, or already used.
    NotFound,
}

/// Check `code` against the code `otp_id`: counts the attempt first (atomically, so parallel guesses are counted
/// too), then compares in constant time, then deletes the row on success (single use).
pub async fn verify(db: &Db, app_id: &str, otp_id: &str, code: &str, now: i64) -> Result<Verification, sqlx::Error> {
    let row = sqlx::query(
        "UPDATE otps SET attempts = attempts + 1 WHERE id = $1 AND app_id = $2 RETURNING user_id, code_hash, attempts, expires_at, language",
    )
    .bind(otp_id)
    .bind(app_id)
    .fetch_optional(db)
    .await?;
    let Some(row) = row else {
        return Ok(Verification::NotFound);
    };
    let user_id: String = row.try_get("user_id")?;
    let stored_hash: String = row.try_get("code_hash")?;
    let attempts: i64 = row.try_get("attempts")?;
    let expires_at: i64 = row.try_get("expires_at")?;
    if expires_at <= now {
        delete(db, otp_id).await?;
        return Ok(Verification::Expired);
    }
    // More than MAX_ATTEMPTS attempts means MAX_ATTEMPTS wrong ones already: the code is locked.
    if attempts > MAX_ATTEMPTS {
        delete(db, otp_id).await?;
        return Ok(Verification::TooManyAttempts { user_id });
    }
    use subtle::ConstantTimeEq;
    let presented = code_hash(otp_id, code);
    if !bool::from(presented.as_bytes().ct_eq(stored_hash.as_bytes())) {
        return Ok(Verification::Wrong { user_id });
    }
    // Single use: only the request that deletes the row wins, even if two right answers arrive together.
    if delete(db, otp_id).await? {
        Ok(Verification::Verified { user_id, language: row.try_get("language")? })
    } else {
        Ok(Verification::NotFound)
    }
}

/// A code as the activation limits see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    /// The user the code was sent to.
    pub user_id: String,
    /// Whether an attempt can still succeed: an expired code, or one with `MAX_ATTEMPTS` attempts, is refused
    /// whatever is typed, so such an attempt is no guess.
    pub open: bool,
}

/// Who a code was sent to, and whether it still takes attempts at `now` (None for an unknown or used code).
pub async fn owner(db: &Db, app_id: &str, otp_id: &str, now: i64) -> Result<Option<Owner>, sqlx::Error> {
    let row = sqlx::query("SELECT user_id, attempts, expires_at FROM otps WHERE id = $1 AND app_id = $2")
        .bind(otp_id)
        .bind(app_id)
        .fetch_optional(db)
        .await?;
    row.map(|row| {
        let open = row.try_get::<i64, _>("attempts")? < MAX_ATTEMPTS && row.try_get::<i64, _>("expires_at")? > now;
        Ok(Owner { user_id: row.try_get("user_id")?, open })
    })
    .transpose()
}

async fn delete(db: &Db, otp_id: &str) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM otps WHERE id = $1").bind(otp_id).execute(db).await?.rows_affected() == 1)
}

/// Forget the user's codes: they were sent to an address the account no longer has (e-mail change).
pub async fn delete_of_user(conn: &mut sqlx::AnyConnection, app_id: &str, user_id: &str) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM otps WHERE app_id = $1 AND user_id = $2")
        .bind(app_id)
        .bind(user_id)
        .execute(conn)
        .await?
        .rows_affected())
}

/// Remove expired codes (run periodically by the server).
pub async fn sweep_expired(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("DELETE FROM otps WHERE expires_at < $1").bind(now).execute(db).await?.rows_affected())
}

#[cfg(test)]
mod tests {
    #[test]
    fn codes_are_six_digits_and_vary() {
        let codes: std::collections::HashSet<String> = (0..200).map(|_| super::random_code()).collect();
        assert!(codes.iter().all(|c| c.len() == 6 && c.chars().all(|d| d.is_ascii_digit())));
        // 200 draws from a million values: a repeat-heavy generator would show up here.
        assert!(codes.len() > 190, "{}", codes.len());
    }
}
