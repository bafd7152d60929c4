//! Abuse limits: how many codes/links may be sent, and how many activations tried, per client IP and per
//! identifier within a window. Counted in memory per server instance (fixed windows), answered with 429 and
//! `Retry-After`.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use crate::error::ApiError;
use crate::state::AppState;

/// The configurable limits. Defaults are generous enough for a person (and the e2e suite, which registers a few
/// users a minute from 127.0.0.1) and tight enough to stop mail bombing and code guessing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Length of every counting window, seconds.
    pub window_secs: u64,
    /// Codes or links sent to one client IP per window.
    pub sends_per_ip: u32,
    /// Codes or links sent to one e-mail address (per app) per window.
    pub sends_per_identifier: u32,
    /// OTP and magic-link activation attempts from one client IP per window.
    pub activations_per_ip: u32,
    /// OTP activation attempts for one e-mail address (per app) per window, across all its codes.
    pub activations_per_identifier: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            window_secs: 600,
            sends_per_ip: 60,
            sends_per_identifier: 5,
            activations_per_ip: 120,
            activations_per_identifier: 15,
        }
    }
}

/// What is being counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Send,
    Activate,
}

/// Fixed-window counters keyed by (action, key).
#[derive(Debug, Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<(Action, String), Window>>,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started_at: i64,
    count: u32,
}

/// Beyond this many tracked keys, stale windows are dropped on the next hit (bounds memory under a flood).
const PRUNE_ABOVE: usize = 10_000;

impl RateLimiter {
    /// Count one `action` for `key` at `now`; `Err(retry_after_secs)` when `max` per `window_secs` is used up.
    /// A refused attempt is not counted, so a client that waits `Retry-After` gets through.
    pub fn hit(&self, action: Action, key: &str, max: u32, window_secs: u64, now: i64) -> Result<(), u64> {
        let window_secs = window_secs.max(1) as i64;
        let mut windows = self.windows.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if windows.len() > PRUNE_ABOVE {
            windows.retain(|_, w| now - w.started_at < window_secs);
        }
        let window = windows.entry((action, key.to_owned())).or_insert(Window { started_at: now, count: 0 });
        if now - window.started_at >= window_secs {
            *window = Window { started_at: now, count: 0 };
        }
        if window.count >= max {
            return Err((window.started_at + window_secs - now).max(1) as u64);
        }
        window.count += 1;
        Ok(())
    }

    /// Drop windows that ended (run periodically).
    pub fn sweep(&self, window_secs: u64, now: i64) {
        self.windows
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .retain(|_, w| now - w.started_at < window_secs.max(1) as i64);
    }
}

impl AppState {
    /// Count a send of a code or link to `email` from `ip`; 429 when either limit is used up.
    pub fn limit_send(&self, ip: &ClientIp, app_id: &str, email: &str) -> Result<(), ApiError> {
        let limits = self.limits();
        let now = self.now();
        let limiter = self.rate_limiter();
        limiter
            .hit(Action::Send, &ip.key(), limits.sends_per_ip, limits.window_secs, now)
            .and_then(|()| {
                limiter.hit(
                    Action::Send,
                    &format!("{app_id}\n{email}"),
                    limits.sends_per_identifier,
                    limits.window_secs,
                    now,
                )
            })
            .map_err(ApiError::too_many_requests)
    }

    /// Count an activation attempt from `ip`; 429 when the per-IP limit is used up.
    pub fn limit_activation_by_ip(&self, ip: &ClientIp) -> Result<(), ApiError> {
        let limits = self.limits();
        self.rate_limiter()
            .hit(Action::Activate, &ip.key(), limits.activations_per_ip, limits.window_secs, self.now())
            .map_err(ApiError::too_many_requests)
    }

    /// Count an activation attempt for a user; 429 when the per-identifier limit is used up.
    pub fn limit_activation_by_user(&self, app_id: &str, user_id: &str) -> Result<(), ApiError> {
        let limits = self.limits();
        self.rate_limiter()
            .hit(
                Action::Activate,
                &format!("{app_id}\nuser:{user_id}"),
                limits.activations_per_identifier,
                limits.window_secs,
                self.now(),
            )
            .map_err(ApiError::too_many_requests)
    }
}

/// The client's IP for per-IP limits: the socket peer; `X-Forwarded-For` only with `--trust-forwarded-for`
/// (otherwise any client could pick a fresh "IP" per request and escape the limit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientIp(pub Option<IpAddr>);

impl ClientIp {
    fn key(&self) -> String {
        match self.0 {
            Some(ip) => format!("ip:{ip}"),
            // No peer address (only in-process tests without ConnectInfo): one shared bucket.
            None => "ip:unknown".to_owned(),
        }
    }
}

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if state.trust_forwarded_for() {
            // The right-most entry is the one our own proxy appended (the address it saw); entries to its left
            // were sent by the client and can be anything.
            // A right-most entry that is not an IP is ignored (the socket peer is used), never skipped over.
            let forwarded = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .next_back()
                .and_then(|entry| entry.trim().parse::<IpAddr>().ok());
            if let Some(ip) = forwarded {
                return Ok(Self(Some(ip)));
            }
        }
        Ok(Self(parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_count_refuse_and_reopen() {
        let limiter = RateLimiter::default();
        assert_eq!(limiter.hit(Action::Send, "k", 2, 60, 1000), Ok(()));
        assert_eq!(limiter.hit(Action::Send, "k", 2, 60, 1010), Ok(()));
        assert_eq!(limiter.hit(Action::Send, "k", 2, 60, 1020), Err(40));
        // Other keys and other actions have their own counters.
        assert_eq!(limiter.hit(Action::Send, "other", 2, 60, 1020), Ok(()));
        assert_eq!(limiter.hit(Action::Activate, "k", 2, 60, 1020), Ok(()));
        // The window ends 60 s after it started.
        assert_eq!(limiter.hit(Action::Send, "k", 2, 60, 1059), Err(1));
        assert_eq!(limiter.hit(Action::Send, "k", 2, 60, 1060), Ok(()));
        limiter.sweep(60, 5000);
        assert!(limiter.windows.lock().unwrap().is_empty());
    }
}
