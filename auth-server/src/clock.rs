//! The server's clock for everything that expires: codes, links, sessions and rate-limit windows.
//!
//! It is the system clock plus an offset that tests move forward (`advance`), so expiry is tested without sleeping.
//! A test that asserts a boundary to the second also `freeze`s it: the system clock may tick between two requests.
//! Auth tokens (JWT `iat`/`exp`) stay on the system clock: their verifiers (jsonwebtoken, other services) read it.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_secs: Arc<AtomicI64>,
    /// The Unix second this clock stopped at, or 0 while it follows the system clock.
    frozen_at: Arc<AtomicI64>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self::default()
    }

    /// Now, in Unix seconds.
    pub fn now(&self) -> i64 {
        let base = match self.frozen_at.load(Ordering::Relaxed) {
            0 => crate::ids::now(),
            frozen => frozen,
        };
        base + self.offset_secs.load(Ordering::Relaxed)
    }

    /// Stop following the system clock (this clock and every clone of it); only `advance` moves it afterwards. For
    /// tests that assert "one second before expiry" and must not see a real second pass between two requests.
    pub fn freeze(&self) {
        let _ = self.frozen_at.compare_exchange(0, crate::ids::now(), Ordering::Relaxed, Ordering::Relaxed);
    }

    /// Move this clock (and every clone of it) forward. For tests.
    pub fn advance(&self, secs: i64) {
        self.offset_secs.fetch_add(secs, Ordering::Relaxed);
    }
}
