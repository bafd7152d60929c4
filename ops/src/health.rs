//! Readiness: the named checks a server runs for `GET /readyz` (is the database reachable? the limit store?).
//! Liveness (`GET /healthz`) needs nothing from here: it only shows that the process answers.
//!
//! A load balancer or orchestrator takes an instance out of rotation while `/readyz` fails, and restarts it only
//! when `/healthz` does; so `/healthz` must not fail when the database does, or every instance would be
//! restarted at once for a database outage.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use crate::log_text::Untrusted;

/// Longest a check may take before it counts as failed: a database that hangs is as unready as one that refuses.
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// One named dependency check, e.g. `Check::new("database", db.ping())`.
pub struct Check {
    name: &'static str,
    probe: Pin<Box<dyn Future<Output = Result<(), String>> + Send>>,
}

impl Check {
    pub fn new<E: fmt::Display>(
        name: &'static str,
        probe: impl Future<Output = Result<(), E>> + Send + 'static,
    ) -> Check {
        Check { name, probe: Box::pin(async move { probe.await.map_err(|error| error.to_string()) }) }
    }
}

/// The checks that failed, by name. Its `Display` is the message for the client: what is unreachable, no detail
/// (the detail is logged).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotReady {
    pub unreachable: Vec<&'static str>,
}

impl fmt::Display for NotReady {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} unreachable", self.unreachable.join(", "))
    }
}

/// Runs every check at once (each bounded by [`CHECK_TIMEOUT`]); logs each failure with its reason.
pub async fn check_all(checks: Vec<Check>) -> Result<(), NotReady> {
    let running: Vec<_> = checks
        .into_iter()
        .map(|check| (check.name, tokio::spawn(tokio::time::timeout(CHECK_TIMEOUT, check.probe))))
        .collect();
    let mut unreachable = Vec::new();
    for (name, outcome) in running {
        let reason = match outcome.await {
            Ok(Ok(Ok(()))) => continue,
            Ok(Ok(Err(error))) => error,
            Ok(Err(_elapsed)) => format!("no answer within {CHECK_TIMEOUT:?}"),
            Err(join_error) => format!("the check failed: {join_error}"),
        };
        tracing::warn!(check = name, reason = %Untrusted(&reason), "readiness check failed");
        unreachable.push(name);
    }
    if unreachable.is_empty() {
        Ok(())
    } else {
        Err(NotReady { unreachable })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn failing_and_hanging_checks_are_named() {
        assert_eq!(check_all(vec![Check::new("database", async { Ok::<_, String>(()) })]).await, Ok(()));
        let outcome = check_all(vec![
            Check::new("database", async { Err::<(), _>("connection refused") }),
            Check::new("cache", async { Ok::<_, String>(()) }),
            Check::new("limit store", std::future::pending::<Result<(), String>>()),
        ])
        .await;
        let not_ready = outcome.unwrap_err();
        assert_eq!(not_ready.unreachable, ["database", "limit store"]);
        assert_eq!(not_ready.to_string(), "database, limit store unreachable");
    }
}
