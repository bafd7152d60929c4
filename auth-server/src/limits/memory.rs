//! The single-instance store: counters in this process's memory.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::{LimitKey, LimitStore, StoreFuture, Verdict};

/// The in-memory store: a size-bounded moka cache of counters. Its TinyLFU admission keeps frequently hit keys
/// (an attacker's own network, a victim's address) when a flood of one-off keys arrives, so a flood can neither
/// grow memory beyond `capacity` counters nor wash out the counter that limits the flooder. Counters idle for a
/// whole window are dropped (their window has ended).
pub struct MemoryStore {
    counters: moka::sync::Cache<LimitKey, Arc<AtomicU64>>,
    capacity: u64,
}

impl MemoryStore {
    pub fn new(capacity: u64, window_secs: u64) -> Self {
        let counters = moka::sync::Cache::builder()
            .max_capacity(capacity)
            .time_to_idle(Duration::from_secs(window_secs.max(1)))
            .build();
        Self { counters, capacity }
    }

    pub fn capacity(&self) -> u64 {
        self.capacity
    }
}

/// A window packed in one atomic: start (Unix seconds, u32) in the high half, count in the low half.
fn pack(start: u32, count: u32) -> u64 {
    (u64::from(start) << 32) | u64::from(count)
}

fn unpack(packed: u64) -> (u32, u32) {
    ((packed >> 32) as u32, packed as u32)
}

impl MemoryStore {
    fn count(&self, key: LimitKey, max: u32, window_secs: u64, now: i64) -> Verdict {
        let window_secs = window_secs.clamp(1, u64::from(u32::MAX));
        let now = now.clamp(0, i64::from(u32::MAX)) as u32;
        let counter = self.counters.get_with(key, || Arc::new(AtomicU64::new(pack(now, 0))));
        let mut current = counter.load(Ordering::Acquire);
        loop {
            let (start, count) = unpack(current);
            let (start, count) =
                if u64::from(now.saturating_sub(start)) >= window_secs { (now, 0) } else { (start, count) };
            if count >= max {
                let ends = u64::from(start) + window_secs;
                return Err(ends.saturating_sub(u64::from(now)).max(1));
            }
            match counter.compare_exchange_weak(current, pack(start, count + 1), Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => return Ok(()),
                Err(actual) => current = actual,
            }
        }
    }

}

impl LimitStore for MemoryStore {
    fn hit(&self, key: LimitKey, max: u32, window_secs: u64, now: i64) -> StoreFuture<'_, Verdict> {
        let verdict = self.count(key, max, window_secs, now);
        Box::pin(std::future::ready(Ok(verdict)))
    }

    fn ping(&self) -> StoreFuture<'_, ()> {
        Box::pin(std::future::ready(Ok(())))
    }

    fn name(&self) -> &'static str {
        "memory"
    }

    fn run_pending_tasks(&self) {
        self.counters.run_pending_tasks();
    }

    fn entry_count(&self) -> u64 {
        self.counters.entry_count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::Bucket;

    fn key(name: &str) -> LimitKey {
        LimitKey::new(Bucket::Send, &[name])
    }

    #[test]
    fn windows_count_refuse_and_reopen() {
        let store = MemoryStore::new(100, 60);
        assert_eq!(store.count(key("k"), 2, 60, 1000), Ok(()));
        assert_eq!(store.count(key("k"), 2, 60, 1010), Ok(()));
        assert_eq!(store.count(key("k"), 2, 60, 1020), Err(40));
        // Other keys and other buckets have their own counters.
        assert_eq!(store.count(key("other"), 2, 60, 1020), Ok(()));
        assert_eq!(store.count(LimitKey::new(Bucket::Activate, &["k"]), 2, 60, 1020), Ok(()));
        // The window ends 60 s after it started.
        assert_eq!(store.count(key("k"), 2, 60, 1059), Err(1));
        assert_eq!(store.count(key("k"), 2, 60, 1060), Ok(()));
    }

    /// OWASP ASVS 5.0 V2.4: anti-automation must not itself be a resource-exhaustion target. A flood of 100,000
    /// one-off keys keeps memory at the store's capacity, and the counter of a key hit throughout the flood (the
    /// flooder's own network) is not washed out.
    #[test]
    fn a_flood_of_distinct_keys_stays_bounded_and_keeps_the_hot_counter() {
        const CAPACITY: u64 = 10_000;
        const HOT_MAX: u32 = 400;
        let store = MemoryStore::new(CAPACITY, 600);
        let hot = key("hot");
        let now = 1_000_000;
        for _ in 0..100 {
            store.count(hot, HOT_MAX, 600, now).unwrap();
        }
        let mut hot_hits = 100;
        for n in 0..100_000u32 {
            store.count(LimitKey::new(Bucket::Send, &[&n.to_string()]), 5, 600, now).unwrap();
            if n % 500 == 0 {
                store.count(hot, HOT_MAX, 600, now).unwrap();
                hot_hits += 1;
            }
        }
        store.run_pending_tasks();
        assert!(store.entry_count() <= CAPACITY, "{} counters kept", store.entry_count());
        // The hot counter survived with every hit counted: exactly HOT_MAX - hot_hits more are allowed.
        for _ in hot_hits..HOT_MAX {
            assert_eq!(store.count(hot, HOT_MAX, 600, now), Ok(()));
        }
        assert!(store.count(hot, HOT_MAX, 600, now).is_err(), "the hot counter was evicted and restarted");
    }
}
