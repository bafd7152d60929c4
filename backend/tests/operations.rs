//! Running the real `backend` binary in production shape (issue 12 item 5): JSON logs carrying the load
//! balancer's request id, Prometheus metrics on their own listener, and a clean exit on SIGTERM.

mod process;
mod support;

use std::net::SocketAddr;

use process::{get_raw, BackendProcess};

/// The address in an output line like `... on http://ADDR/metrics` or `... on http://ADDR · ...`.
fn address_in(line: &str) -> SocketAddr {
    let rest = line.split("http://").nth(1).unwrap_or_else(|| panic!("no address in {line:?}"));
    let address = rest.split(|c: char| c == '/' || c == '"' || c.is_whitespace()).next().unwrap();
    address.parse().unwrap_or_else(|_| panic!("address in {line:?}"))
}

/// `LOG_FORMAT=json`: every line is one JSON object, and a line logged while handling a request carries the
/// `X-Request-Id` the load balancer sent, which the response echoes.
#[test]
fn json_log_lines_carry_the_load_balancers_request_id() {
    let mut backend = BackendProcess::start(&[("LOG_FORMAT", "json")]);
    let response = get_raw(backend.addr, "/user", &[("X-Request-Id", "lb-7f3a.1"), ("Authorization", "Bearer x.y.z")]);
    assert!(response.starts_with("HTTP/1.1 401"), "{response}");
    assert!(response.to_lowercase().contains("\r\nx-request-id: lb-7f3a.1\r\n"), "echoed: {response}");

    let line = backend.wait_for_line(|line| line.contains("rejected bearer token"));
    let event: serde_json::Value = serde_json::from_str(&line).unwrap_or_else(|_| panic!("not JSON: {line}"));
    assert_eq!(event["span"]["request_id"], "lb-7f3a.1", "{line}");
    assert_eq!(event["span"]["route"], "/user", "{line}");
    assert_eq!(event["span"]["method"], "GET", "{line}");
    for line in backend.output().lines() {
        serde_json::from_str::<serde_json::Value>(line).unwrap_or_else(|_| panic!("not a JSON line: {line}"));
    }

    // A malformed id (a space, here) is replaced by a fresh one, still echoed.
    let response = get_raw(backend.addr, "/healthz", &[("X-Request-Id", "two words")]);
    let echoed =
        response.lines().find_map(|line| line.to_lowercase().strip_prefix("x-request-id: ").map(str::to_owned));
    let echoed = echoed.unwrap_or_else(|| panic!("an id is always echoed: {response}"));
    assert_eq!(echoed.len(), 32, "{echoed}");
}

/// `METRICS_BIND`: `GET /metrics` on that listener shows the request counter by route template (not by the
/// raw path) and the pool gauges; the public port has no `/metrics`.
#[test]
fn metrics_are_served_on_their_own_listener_by_route_template() {
    let mut backend = BackendProcess::start(&[("METRICS_BIND", "127.0.0.1:0")]);
    let metrics = address_in(&backend.wait_for_line(|line| line.contains("backend metrics on http://")));
    assert_ne!(metrics, backend.addr);
    assert!(backend.request("/user", &[]).starts_with("HTTP/1.1 401"));
    assert!(backend.request("/no/such/7d1c", &[]).starts_with("HTTP/1.1 404"));
    assert!(backend.request("/metrics", &[]).starts_with("HTTP/1.1 404"), "not on the public port");

    let scrape = get_raw(metrics, "/metrics", &[]);
    assert!(scrape.starts_with("HTTP/1.1 200"), "{scrape}");
    let count = |route: &str, status: &str| {
        let labels = format!("route=\"{route}\",method=\"GET\",status=\"{status}\"");
        let line = scrape.lines().find(|line| line.starts_with("http_requests_total{") && line.contains(&labels));
        line.and_then(|line| line.rsplit(' ').next()).map(|count| count.parse::<u64>().unwrap())
    };
    assert_eq!(count("/user", "401"), Some(1), "{scrape}");
    // The unknown path and the public port's `/metrics`: one series for both.
    assert_eq!(count("unmatched", "404"), Some(2), "{scrape}");
    assert!(!scrape.contains("7d1c"), "a raw path became a label:\n{scrape}");
    assert!(scrape.contains("http_request_duration_seconds_bucket{"), "{scrape}");
    assert!(scrape.lines().any(|line| line.starts_with("db_pool_connections ")), "{scrape}");
    assert!(scrape.lines().any(|line| line.starts_with("db_pool_idle_connections ")), "{scrape}");
}

/// SIGTERM: the server stops accepting, finishes, closes its database and exits 0.
#[cfg(unix)]
#[test]
fn sigterm_stops_the_server_cleanly() {
    let mut backend = BackendProcess::start(&[]);
    assert!(backend.request("/readyz", &[]).starts_with("HTTP/1.1 200"));
    let sent = std::process::Command::new("kill").args(["-TERM", &backend.pid().to_string()]).status().unwrap();
    assert!(sent.success());
    backend.wait_for_line(|line| line.contains("backend stopped"));
    assert!(backend.wait_for_exit().success(), "{}", backend.output());
}
