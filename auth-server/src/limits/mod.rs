//! Abuse limits (OWASP ASVS 5.0 V2.4 anti-automation, NIST SP 800-63B §5.2.2 rate limiting): fixed-window
//! counters per client network, per e-mail address and per account, and the back-off rule for wrong one-time
//! codes. One piece with a store behind it: [`RateLimiter`] decides, a [`LimitStore`] keeps the counters:
//! [`MemoryStore`] in this process (one instance), or [`RedisStore`], shared by every instance of a fleet, so a
//! budget of N per window is N for the whole fleet (`--redis-url`).
//!
//! Nothing here knows the server state or the routes: the glue that reads the client IP and answers 429 lives in
//! `routes::limited`.

mod memory;
mod redis_store;

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;

use sha2::{Digest, Sha256};

pub use memory::MemoryStore;
pub use redis_store::RedisStore;

/// The configurable limits. Every windowed budget counts per `window_secs`. Defaults are generous enough for a
/// person (and the e2e suite, which registers a few users a minute from 127.0.0.1) and tight enough to stop mail
/// bombing, enumeration and code guessing. Numbers and reasoning: README "Abuse limits".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Length of every counting window, seconds.
    pub window_secs: u64,
    /// Codes or links requested from one client network per window (E8, E9, E11, E12).
    pub sends_per_ip: u32,
    /// Codes or links sent to one e-mail address (per app) on behalf of one client network per window.
    pub sends_per_identifier: u32,
    /// Codes or links sent to one e-mail address (per app) from all networks together per window.
    pub sends_per_identifier_all_networks: u32,
    /// OTP and magic-link activation attempts from one client network per window (E10, E14).
    pub activations_per_ip: u32,
    /// OTP activation attempts for one account from one client network per window, across all its codes.
    pub activations_per_identifier: u32,
    /// E2 user lookups per client network per window (enumeration).
    pub lookups_per_ip: u32,
    /// E3 user creations per client network per window.
    pub user_creations_per_ip: u32,
    /// E4 + E6 passkey ceremony starts per client network per window.
    pub ceremony_starts_per_ip: u32,
    /// E13 magic-link status polls per client network per window (a waiting tab polls every 5 s).
    pub polls_per_ip: u32,
    /// E18 refreshes per client network per window.
    pub refreshes_per_ip: u32,
    /// Counters the in-memory store keeps at most (memory bound under a flood of distinct keys).
    pub max_tracked_keys: u64,
    /// Wrong codes allowed per (account, client network) before back-off starts.
    pub otp_free_failures: u32,
    /// Longest back-off between two code attempts of one (account, network), seconds.
    pub otp_max_backoff_secs: u64,
    /// Consecutive wrong codes per (account, client network) after which that network may not try codes for the
    /// account until the user signs in successfully (NIST SP 800-63B §5.2.2: at most 100).
    pub otp_failures_per_network: u32,
    /// Consecutive wrong codes per account from the networks the user never signed in from, together, after which
    /// none of them may try codes for the account until the user signs in successfully (the bound on distributed
    /// guessing, NIST SP 800-63B §5.2.2: at most 100). Networks the user signed in from are held only to
    /// `otp_failures_per_network`, so a stranger cannot use this up for the owner.
    pub otp_failures_per_account: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            window_secs: 600,
            sends_per_ip: 60,
            sends_per_identifier: 5,
            sends_per_identifier_all_networks: 20,
            activations_per_ip: 120,
            activations_per_identifier: 15,
            lookups_per_ip: 300,
            user_creations_per_ip: 100,
            ceremony_starts_per_ip: 300,
            // 10 tabs polling every 5 s for the whole window.
            polls_per_ip: 1_200,
            refreshes_per_ip: 300,
            max_tracked_keys: 100_000,
            otp_free_failures: 5,
            otp_max_backoff_secs: 3_600,
            otp_failures_per_network: 100,
            otp_failures_per_account: 100,
        }
    }
}

impl Limits {
    /// The budget of `bucket` per window.
    pub fn max(&self, bucket: Bucket) -> u32 {
        match bucket {
            Bucket::Send => self.sends_per_ip,
            Bucket::SendToAddressFromNetwork => self.sends_per_identifier,
            Bucket::SendToAddress => self.sends_per_identifier_all_networks,
            Bucket::Activate => self.activations_per_ip,
            Bucket::ActivateAccountFromNetwork => self.activations_per_identifier,
            Bucket::Lookup => self.lookups_per_ip,
            Bucket::CreateUser => self.user_creations_per_ip,
            Bucket::CeremonyStart => self.ceremony_starts_per_ip,
            Bucket::Poll => self.polls_per_ip,
            Bucket::Refresh => self.refreshes_per_ip,
            // One address change sends two mails (the new address's link, the old address's notice): an account
            // gets as many per window as one address gets codes from one network.
            Bucket::EmailChangeForAccount => self.sends_per_identifier,
        }
    }

    /// How long (seconds) after its latest wrong code an (account, network) with `failures` consecutive wrong codes
    /// must wait before the next attempt: nothing for the first `otp_free_failures`, then 1 s, 2 s, 4 s, ...
    /// doubling up to `otp_max_backoff_secs` (NIST SP 800-63B §5.2.2: "rate limiting ... back-off").
    pub fn otp_backoff_secs(&self, failures: u32) -> u64 {
        if failures < self.otp_free_failures {
            return 0;
        }
        let exponent = (failures - self.otp_free_failures).min(40);
        (1u64 << exponent).min(self.otp_max_backoff_secs)
    }
}

/// What is being counted (one counter per bucket and subject).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Bucket {
    /// E8/E9/E11/E12 from one network.
    Send,
    /// Sends to one address on behalf of one network.
    SendToAddressFromNetwork,
    /// Sends to one address from every network.
    SendToAddress,
    /// E10/E14 from one network.
    Activate,
    /// E10 for one account from one network.
    ActivateAccountFromNetwork,
    /// E2 from one network.
    Lookup,
    /// E3 from one network.
    CreateUser,
    /// E4/E6 from one network.
    CeremonyStart,
    /// E13 from one network.
    Poll,
    /// E18 from one network.
    Refresh,
    /// P8 e-mail change requests of one account (it mails the old address each time).
    EmailChangeForAccount,
}

/// A counter's name: the bucket and a 128-bit digest of its subject (network, app + address, ...). Fixed size, so
/// the store's memory per counter is fixed, and no address or IP is kept in it (or sent to a shared store).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LimitKey {
    bucket: Bucket,
    subject: [u8; 16],
}

impl LimitKey {
    /// The key of `bucket` for the subject made of `parts` (joined unambiguously).
    pub fn new(bucket: Bucket, parts: &[&str]) -> Self {
        let mut hash = Sha256::new();
        for part in parts {
            hash.update((part.len() as u64).to_le_bytes());
            hash.update(part.as_bytes());
        }
        let digest = hash.finalize();
        let mut subject = [0u8; 16];
        subject.copy_from_slice(&digest[..16]);
        Self { bucket, subject }
    }

    /// The key as text, for a shared store: the bucket's number and the subject's digest in hex.
    pub fn name(&self) -> String {
        use std::fmt::Write;
        let mut name = format!("{}:", self.bucket as u8);
        for byte in self.subject {
            let _ = write!(name, "{byte:02x}");
        }
        name
    }
}

/// What a store answers when it cannot count: the hit is neither allowed nor refused for the budget. The limiter
/// fails closed on it (see [`Refusal::StoreUnavailable`]).
#[derive(Debug, thiserror::Error)]
#[error("limit store unreachable: {0}")]
pub struct StoreError(pub String);

/// A store's answer to one hit: `Ok(())` counted, `Err(retry_after_secs)` the window's budget is used up.
pub type Verdict = Result<(), u64>;

/// A boxed future, so [`LimitStore`] stays object-safe (the limiter holds `Arc<dyn LimitStore>`).
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// Where the counters live. `hit` must be atomic per key across everything that shares the store (parallel hits,
/// on one instance or several, are all counted).
pub trait LimitStore: Send + Sync {
    /// Count one hit on `key` in its fixed window of `window_secs` at `now`; `Err(retry_after_secs)` when `max`
    /// hits of the current window are used up. A window starts with its first hit. A refused hit is not counted,
    /// so a client that waits `Retry-After` gets through.
    fn hit(&self, key: LimitKey, max: u32, window_secs: u64, now: i64) -> StoreFuture<'_, Verdict>;
    /// Whether the store answers (readiness).
    fn ping(&self) -> StoreFuture<'_, ()>;
    /// Run deferred housekeeping (eviction, expiry); called periodically and by tests.
    fn run_pending_tasks(&self);
    /// How many counters this process keeps in memory (a shared store keeps none here).
    fn entry_count(&self) -> u64;
    /// Which store this is, for the startup log and `/readyz`.
    fn name(&self) -> &'static str;
}

/// Why a hit was not allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The budget of the window is used up; try again after this many seconds.
    OverBudget { retry_after_secs: u64 },
    /// The shared store did not answer. Failing closed: an outage of the store must not switch the abuse limits
    /// off for the whole fleet (a mail-bombing run would then be unlimited).
    StoreUnavailable,
}

/// The limits and the store: `check` counts one hit of a bucket for a subject.
pub struct RateLimiter {
    limits: Limits,
    store: Arc<dyn LimitStore>,
}

impl RateLimiter {
    /// An in-memory limiter bounded by `limits.max_tracked_keys`: right for one instance only.
    pub fn in_memory(limits: Limits) -> Self {
        Self::with_store(limits, Arc::new(MemoryStore::new(limits.max_tracked_keys, limits.window_secs)))
    }

    pub fn with_store(limits: Limits, store: Arc<dyn LimitStore>) -> Self {
        Self { limits, store }
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    pub fn store(&self) -> &dyn LimitStore {
        self.store.as_ref()
    }

    /// Count one `bucket` hit for the subject `parts` at `now`.
    pub async fn check(&self, bucket: Bucket, parts: &[&str], now: i64) -> Result<(), Refusal> {
        let key = LimitKey::new(bucket, parts);
        match self.store.hit(key, self.limits.max(bucket), self.limits.window_secs, now).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(retry_after_secs)) => Err(Refusal::OverBudget { retry_after_secs }),
            Err(error) => {
                tracing::error!(%error, store = self.store.name(), "rate limit store failed; refusing the request");
                Err(Refusal::StoreUnavailable)
            }
        }
    }

    /// Drop ended windows and evicted counters now (run periodically).
    pub fn sweep(&self) {
        self.store.run_pending_tasks();
    }
}

impl Default for RateLimiter {
    fn default() -> Self {
        Self::in_memory(Limits::default())
    }
}

/// The client's IP for per-network limits: the socket peer; `X-Forwarded-For` only with `--trust-forwarded-for`
/// (otherwise any client could pick a fresh "IP" per request and escape the limit). The extractor is in
/// `routes::limited`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientIp(pub Option<IpAddr>);

impl ClientIp {
    /// The client network every per-network budget is counted for: an IPv4 address (also when written as an
    /// IPv4-mapped IPv6 address), or the /64 of an IPv6 address, since one subscriber usually holds a whole /64
    /// and could otherwise take a fresh address per request (OWASP ASVS 5.0 V2.4).
    pub fn network(&self) -> String {
        match self.0 {
            Some(IpAddr::V4(v4)) => v4.to_string(),
            Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
                Some(v4) => v4.to_string(),
                None => {
                    let prefix = u128::from(v6) & (u128::MAX << 64);
                    format!("{}/64", std::net::Ipv6Addr::from(prefix))
                }
            },
            // No peer address (only in-process tests and benchmarks without ConnectInfo): one shared bucket.
            None => "unknown".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_joined_unambiguously() {
        assert_ne!(LimitKey::new(Bucket::Send, &["a\nb", "c"]), LimitKey::new(Bucket::Send, &["a", "b\nc"]));
        assert_ne!(LimitKey::new(Bucket::Send, &["ab", ""]), LimitKey::new(Bucket::Send, &["a", "b"]));
    }

    #[test]
    fn ipv6_counts_per_64_and_mapped_ipv4_as_ipv4() {
        let net = |ip: &str| ClientIp(Some(ip.parse().unwrap())).network();
        assert_eq!(net("2001:db8:1:2:aaaa::1"), net("2001:db8:1:2:ffff:ffff:ffff:ffff"));
        assert_eq!(net("2001:db8:1:2::1"), "2001:db8:1:2::/64");
        assert_ne!(net("2001:db8:1:2::1"), net("2001:db8:1:3::1"));
        assert_eq!(net("::ffff:192.0.2.1"), "192.0.2.1");
        assert_eq!(net("192.0.2.1"), "192.0.2.1");
        assert_ne!(net("192.0.2.1"), net("192.0.2.2"));
    }

    #[test]
    fn backoff_starts_after_the_free_failures_and_doubles_to_the_cap() {
        let limits = Limits { otp_free_failures: 5, otp_max_backoff_secs: 3600, ..Limits::default() };
        let waits: Vec<u64> = (0..20).map(|n| limits.otp_backoff_secs(n)).collect();
        assert_eq!(&waits[..8], &[0, 0, 0, 0, 0, 1, 2, 4]);
        assert_eq!(limits.otp_backoff_secs(16), 2048);
        assert_eq!(limits.otp_backoff_secs(17), 3600);
        assert_eq!(limits.otp_backoff_secs(99), 3600);
    }
}
