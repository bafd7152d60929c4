//! The signed-in session in the browser: the auth cookie, the tokens the element stored, and signing out.

use crate::auth_cookie::{self, AUTH_COOKIE};
use crate::browser;
use crate::profile_outbox::ProfileOutbox;

/// localStorage key of the refresh token written by the element (passage-auth-api.md §5.3).
pub const REFRESH_TOKEN_KEY: &str = "psg_refresh_token";

/// The prefix of every key the element writes to localStorage; sign-out removes them all.
pub const ELEMENT_STORAGE_PREFIX: &str = "psg_";

fn cookie_needs_secure() -> bool {
    let (_, protocol, hostname, _) = browser::location_parts();
    auth_cookie::needs_secure(&protocol, &hostname)
}

/// Rewrites `psg_auth_token` with the token's lifetime and `SameSite=Lax` (see [`crate::auth_cookie`]).
/// Returns false when the token is not a JWT (nothing is written).
pub fn store_auth_cookie(token: &str) -> bool {
    let max_age = crate::jwt::seconds_left(token, browser::now_secs());
    let Ok(cookie) = auth_cookie::auth_cookie(token, max_age, cookie_needs_secure()) else {
        return false;
    };
    browser::html_document().is_some_and(|document| document.set_cookie(&cookie).is_ok())
}

/// The auth token: the cookie first (what the SPA wrote, with the right lifetime), else the element's
/// localStorage copy.
pub fn auth_token() -> Option<String> {
    let cookies = browser::html_document().and_then(|d| d.cookie().ok()).unwrap_or_default();
    if let Some(token) = auth_cookie::cookie_value(&cookies, AUTH_COOKIE) {
        return Some(token.to_owned());
    }
    browser::local_storage()?.get_item(AUTH_COOKIE).ok()?.filter(|token| !token.is_empty())
}

/// The refresh token the element stored, if any.
pub fn refresh_token() -> Option<String> {
    browser::local_storage()?.get_item(REFRESH_TOKEN_KEY).ok()?.filter(|token| !token.is_empty())
}

/// Forgets the session in this browser: the cookie, every `psg_*` key, and any unsent profile (on a shared
/// computer the next person must not inherit it).
pub fn clear() {
    if let Some(document) = browser::html_document() {
        let _ = document.set_cookie(&auth_cookie::clear_auth_cookie(cookie_needs_secure()));
    }
    if let Some(storage) = browser::local_storage() {
        let length = storage.length().unwrap_or(0);
        // Collect first: removing while iterating by index would skip keys.
        let keys: Vec<String> = (0..length)
            .filter_map(|i| storage.key(i).ok().flatten())
            .filter(|key| key.starts_with(ELEMENT_STORAGE_PREFIX))
            .collect();
        for key in keys {
            let _ = storage.remove_item(&key);
        }
    }
    if let Ok(outbox) = ProfileOutbox::local() {
        outbox.clear();
    }
}
