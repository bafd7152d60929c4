//! The server's clock for everything that expires: codes, links, sessions and rate-limit windows.
//!
//! It is the system clock plus an offset that tests move forward (`advance`), so expiry is tested without sleeping.
//! Auth tokens (JWT `iat`/`exp`) stay on the system clock: their verifiers (jsonwebtoken, other services) read it.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_secs: Arc<AtomicI64>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self::default()
    }

    /// Now, in Unix seconds.
    pub fn now(&self) -> i64 {
        crate::ids::now() + self.offset_secs.load(Ordering::Relaxed)
    }

    /// Move this clock (and every clone of it) forward. For tests.
    pub fn advance(&self, secs: i64) {
        self.offset_secs.fetch_add(secs, Ordering::Relaxed);
    }
}
