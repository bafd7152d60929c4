//! Users' e-mail addresses from the auth server's management API, kept for a short time.
//!
//! The address is the auth server's data, so the backend does not store it; the cache only spares the auth
//! server one call per `GET /user`. When the auth server cannot answer, the caller gets `None` and a warning is
//! logged: a profile page without an e-mail address is better than an error page.
//!
//! An entry belongs to the session (`sid`) that fetched it. An e-mail change is proven by a new sign-in (the
//! change link signs the user in, auth-server `PATCH /magic-link/activate`), so the new session's first request
//! asks the auth server again instead of showing the old address for the rest of the TTL.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::auth_server::AuthServer;
use crate::log_text::Untrusted;

/// Most addresses kept; beyond that, expired entries are dropped, then everything.
const CAPACITY: usize = 50_000;

pub struct EmailDirectory {
    auth_server: AuthServer,
    ttl: Duration,
    cache: Mutex<HashMap<String, CachedEmail>>,
}

struct CachedEmail {
    session_id: Option<String>,
    email: Option<String>,
    stored_at: Instant,
}

impl EmailDirectory {
    pub fn new(auth_server: AuthServer, ttl: Duration) -> Self {
        EmailDirectory { auth_server, ttl, cache: Mutex::new(HashMap::new()) }
    }

    /// The user's e-mail address, or `None` if they have none, are unknown, or the auth server failed.
    /// `session_id` is the caller's `sid`: an address cached for another session of the user is asked again.
    pub async fn email_of(&self, user_id: &str, session_id: Option<&str>) -> Option<String> {
        if let Some(cached) = self.cached(user_id, session_id) {
            return cached;
        }
        match self.auth_server.fetch_user_email(user_id).await {
            Ok(email) => {
                self.store(user_id, session_id, email.clone());
                email
            }
            Err(error) => {
                // Not cached: the next request asks again, so the address is back as soon as the server is.
                tracing::warn!(
                    error = %Untrusted(&error),
                    user_id = %Untrusted(user_id),
                    "could not look up the user's e-mail; answering \"email\": null"
                );
                None
            }
        }
    }

    /// Drops what is cached for `user_id` (their account was deleted), so the next lookup asks the auth server,
    /// which no longer knows them. A lookup already in flight may still store the old answer; it expires with
    /// the TTL and is only ever shown to the deleted user's own, still unexpired, token.
    pub fn forget(&self, user_id: &str) {
        let mut cache = self.cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        cache.remove(user_id);
    }

    fn cached(&self, user_id: &str, session_id: Option<&str>) -> Option<Option<String>> {
        let cache = self.cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let entry = cache.get(user_id)?;
        (entry.session_id.as_deref() == session_id && entry.stored_at.elapsed() < self.ttl).then(|| entry.email.clone())
    }

    fn store(&self, user_id: &str, session_id: Option<&str>, email: Option<String>) {
        if self.ttl.is_zero() {
            return;
        }
        let mut cache = self.cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if cache.len() >= CAPACITY {
            cache.retain(|_, entry| entry.stored_at.elapsed() < self.ttl);
            if cache.len() >= CAPACITY {
                cache.clear();
            }
        }
        let entry = CachedEmail { session_id: session_id.map(str::to_owned), email, stored_at: Instant::now() };
        cache.insert(user_id.to_owned(), entry);
    }
}
