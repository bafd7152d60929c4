//! The fleet store: counters in Redis, shared by every auth-server instance that names the same server
//! (`--redis-url`), so a budget of N per window is N for the whole fleet.
//!
//! One Lua script per hit keeps read, check and increment atomic in Redis (parallel hits from any number of
//! instances are all counted) and gives exactly the memory store's rule: a window starts with its first hit at the
//! caller's clock, a refused hit is not counted. Each counter is a hash `{start, count}` that Redis expires when
//! its window ends, so the store needs no sweeping. Keys hold only the bucket number and a digest of the subject,
//! never an address or IP.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::{LimitKey, LimitStore, StoreError, StoreFuture, Verdict};

/// KEYS[1] the counter; ARGV: now (Unix s), window (s), max. Returns 0 when counted, else the seconds until the
/// window ends (at least 1).
const HIT_SCRIPT: &str = r#"
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local max = tonumber(ARGV[3])
local fields = redis.call('HMGET', KEYS[1], 'start', 'count')
local start = tonumber(fields[1])
local count = tonumber(fields[2]) or 0
if start == nil or now - start >= window then
  start = now
  count = 0
end
if count >= max then
  return math.max(start + window - now, 1)
end
redis.call('HSET', KEYS[1], 'start', start, 'count', count + 1)
if count == 0 then
  redis.call('EXPIRE', KEYS[1], window)
end
return 0
"#;

/// How long one Redis call may take before the hit fails (and the request is refused, failing closed). A
/// healthy Redis on the LAN answers in well under a millisecond.
const RESPONSE_TIMEOUT: Duration = Duration::from_millis(500);

/// Counters in a Redis server. Cheap to share: the connection manager multiplexes every request over one
/// connection and reconnects by itself after an outage.
pub struct RedisStore {
    connection: ConnectionManager,
    script: redis::Script,
    prefix: String,
}

impl RedisStore {
    /// A store on the Redis at `url` (`redis://[:password@]host:port[/db]`, `rediss://` for TLS). The connection
    /// is made on first use, so an instance starts (and reports not ready) while Redis is down. Keys start with
    /// `prefix` (several deployments can share one Redis).
    pub fn connect(url: &str, prefix: &str) -> Result<Self, StoreError> {
        let client = redis::Client::open(url).map_err(|e| StoreError(format!("bad Redis URL: {e}")))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(RESPONSE_TIMEOUT))
            .set_response_timeout(Some(RESPONSE_TIMEOUT))
            // Fail fast while Redis is down (the request is refused); the next request tries again.
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(200));
        let connection = ConnectionManager::new_lazy_with_config(client, config)
            .map_err(|e| StoreError(format!("Redis connection: {e}")))?;
        Ok(Self { connection, script: redis::Script::new(HIT_SCRIPT), prefix: prefix.to_owned() })
    }
}

impl LimitStore for RedisStore {
    fn hit(&self, key: LimitKey, max: u32, window_secs: u64, now: i64) -> StoreFuture<'_, Verdict> {
        let mut connection = self.connection.clone();
        let name = format!("{}:{}", self.prefix, key.name());
        Box::pin(async move {
            let wait: u64 = self
                .script
                .key(name)
                .arg(now)
                .arg(window_secs.max(1))
                .arg(max)
                .invoke_async(&mut connection)
                .await
                .map_err(|e| StoreError(e.to_string()))?;
            Ok(if wait == 0 { Ok(()) } else { Err(wait) })
        })
    }

    fn ping(&self) -> StoreFuture<'_, ()> {
        let mut connection = self.connection.clone();
        Box::pin(async move {
            redis::cmd("PING")
                .query_async::<String>(&mut connection)
                .await
                .map(drop)
                .map_err(|e| StoreError(e.to_string()))
        })
    }

    fn run_pending_tasks(&self) {}

    fn entry_count(&self) -> u64 {
        0
    }

    fn name(&self) -> &'static str {
        "redis"
    }
}
