//! Load benchmark of the backend: `cargo run --release -p backend --example loadtest`.
//!
//! Starts the backend in-process on SQLite (temp dir) against an in-process fake auth server, warms the JWKS and
//! e-mail caches, then drives authenticated `POST /user` and `GET /user` over loopback with `wrk`. Prints a table
//! (requests/s, p50, p99) and writes `target/bench/backend.json` at the workspace root.
//!
//! Bounded: `BENCH_SECONDS` per endpoint (default 10), `BENCH_CONNECTIONS` (default 16), `BENCH_THREADS` wrk
//! threads (default 1), `BENCH_USERS` distinct users/tokens (default 1000), `BENCH_DB_CONNECTIONS` SQLite
//! reader connections (default 4). Only 127.0.0.1 is contacted.

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};

use support::{test_config, token_for, FakeAuthServer, TestDb};

const WRK: &str = "/usr/bin/wrk";
/// The issue's goals on the project's 2-core machine.
const GOAL_POST_PER_SECOND: f64 = 5_000.0;
const GOAL_GET_PER_SECOND: f64 = 20_000.0;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() -> anyhow::Result<()> {
    let wrk = if Path::new(WRK).exists() { PathBuf::from(WRK) } else { which("wrk").unwrap_or_default() };
    if !wrk.is_file() {
        eprintln!("loadtest: `wrk` is not installed. Install it with:\n\n    apt-get install -y wrk\n");
        std::process::exit(2);
    }
    // The server gets its own runtime threads; wrk runs as a separate process beside it.
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    runtime.block_on(run(&wrk))
}

async fn run(wrk: &Path) -> anyhow::Result<()> {
    let seconds = env_number("BENCH_SECONDS", 10).clamp(1, 60);
    let connections = env_number("BENCH_CONNECTIONS", 16).clamp(1, 256);
    let threads = env_number("BENCH_THREADS", 1).clamp(1, 8);
    let users = env_number("BENCH_USERS", 1000).clamp(1, 100_000) as usize;

    let auth = FakeAuthServer::start().await;
    let db = TestDb::sqlite();
    let mut config = test_config(&auth.url, db.url());
    config.email_cache_ttl = Duration::from_secs(3600);
    config.database_max_connections = env_number("BENCH_DB_CONNECTIONS", 4).clamp(1, 64) as u32;
    let state = backend::AppState::from_config(&config).await?;
    anyhow::ensure!(state.verifier.warm_up().await, "could not load the fake auth server's JWKS");

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(backend::serve(listener, state.clone(), async {
        let _ = stopped.await;
    }));

    // One token per user; every user exists at the auth server and gets a profile and a cached e-mail first,
    // so the GET run measures the steady state (email cached, as the goal states).
    let tokens: Vec<String> = (0..users).map(|i| token_for(&format!("bench-user-{i}"))).collect();
    for i in 0..users {
        auth.add_user(&format!("bench-user-{i}"), &format!("bench-user-{i}@example.com"));
    }
    let client = reqwest::Client::new();
    for (i, token) in tokens.iter().enumerate() {
        let saved = client.post(format!("{base}/user")).bearer_auth(token).json(&json!({"name": format!("User {i}")}));
        anyhow::ensure!(saved.send().await?.status().is_success(), "warm-up POST failed");
        let current: Value = client.get(format!("{base}/user")).bearer_auth(token).send().await?.json().await?;
        anyhow::ensure!(current["email"].is_string(), "warm-up GET returned no e-mail: {current}");
    }
    drop(client);

    let scratch = tempfile::tempdir()?;
    println!(
        "backend load test: SQLite, {users} users, wrk {threads} thread(s) × {connections} connections, {seconds} s \
         per endpoint, against {base}"
    );
    let post = run_wrk(wrk, scratch.path(), &base, "POST", &tokens, seconds, connections, threads)?;
    let get = run_wrk(wrk, scratch.path(), &base, "GET", &tokens, seconds, connections, threads)?;
    let rows = state.db.count_profiles().await?;

    let _ = stop.send(());
    let _ = tokio::time::timeout(Duration::from_secs(10), server).await;
    state.db.close().await;

    println!();
    println!(
        "| endpoint   | requests/s | p50 (ms) | p99 (ms) | requests | errors | server CPU µs/req | goal (req/s) |"
    );
    println!(
        "|------------|-----------:|---------:|---------:|---------:|-------:|------------------:|-------------:|"
    );
    for (name, result, goal) in [("POST /user", &post, GOAL_POST_PER_SECOND), ("GET /user", &get, GOAL_GET_PER_SECOND)]
    {
        println!(
            "| {name:<10} | {:>10.0} | {:>8.2} | {:>8.2} | {:>8} | {:>6} | {:>17.1} | {:>7.0} {} |",
            result.requests_per_second,
            result.p50_ms,
            result.p99_ms,
            result.requests,
            result.errors,
            result.server_cpu_us_per_request,
            goal,
            if result.requests_per_second >= goal { "met " } else { "MISS" },
        );
    }
    println!("\nprofile rows after the run: {rows} (one per user: repeated POSTs update)");
    println!(
        "machine load average (1 min) at the end: {:.2} on {} cores",
        load_average(),
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0)
    );

    let report = json!({
        "benchmark": "backend",
        "database": "sqlite",
        "machine_cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        // Other work on the machine lowers requests/s; the 1-minute load average at the end tells how much.
        "machine_load_average_1m": load_average(),
        "wrk": {"threads": threads, "connections": connections, "seconds_per_endpoint": seconds},
        "users": users,
        "results": {
            "post_user": result_json(&post, GOAL_POST_PER_SECOND),
            "get_user": result_json(&get, GOAL_GET_PER_SECOND),
        },
    });
    let out_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench");
    std::fs::create_dir_all(&out_dir)?;
    let out_file = out_dir.join("backend.json");
    std::fs::write(&out_file, serde_json::to_string_pretty(&report)?)?;
    println!("wrote {}", out_file.canonicalize().unwrap_or(out_file).display());
    db.cleanup().await;
    anyhow::ensure!(post.errors == 0 && get.errors == 0, "some requests failed (see the errors column)");
    Ok(())
}

struct WrkResult {
    /// CPU time this process (the backend and the fake auth server, not wrk) spent per request: less sensitive
    /// to other load on the machine than requests/s.
    server_cpu_us_per_request: f64,
    requests: u64,
    errors: u64,
    requests_per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
}

fn result_json(result: &WrkResult, goal: f64) -> Value {
    json!({
        "requests_per_second": (result.requests_per_second * 10.0).round() / 10.0,
        "p50_ms": (result.p50_ms * 1000.0).round() / 1000.0,
        "p99_ms": (result.p99_ms * 1000.0).round() / 1000.0,
        "requests": result.requests,
        "errors": result.errors,
        "server_cpu_us_per_request": (result.server_cpu_us_per_request * 10.0).round() / 10.0,
        "goal_requests_per_second": goal,
        "goal_met": result.requests_per_second >= goal,
    })
}

/// Runs wrk with a Lua script that cycles through pre-built requests (one per user) and reports in JSON.
#[allow(clippy::too_many_arguments)]
fn run_wrk(
    wrk: &Path,
    scratch: &Path,
    base: &str,
    method: &str,
    tokens: &[String],
    seconds: u64,
    connections: u64,
    threads: u64,
) -> anyhow::Result<WrkResult> {
    let mut script = String::from("local requests = {}\n");
    for (i, token) in tokens.iter().enumerate() {
        let headers =
            format!("{{[\"Authorization\"] = \"Bearer {token}\", [\"Content-Type\"] = \"application/json\"}}");
        let body = if method == "POST" { format!("'{{\"name\":\"Bench {i}\"}}'") } else { "nil".to_owned() };
        script.push_str(&format!("requests[{}] = {{\"{method}\", \"/user\", {headers}, {body}}}\n", i + 1));
    }
    script.push_str(
        r#"
local prepared = {}
local counter = 0
function init(args)
  for i, r in ipairs(requests) do prepared[i] = wrk.format(r[1], r[2], r[3], r[4]) end
  -- Threads start at different users.
  counter = math.random(#prepared)
end
function request()
  counter = counter % #prepared + 1
  return prepared[counter]
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK_JSON {\"requests\":%d,\"duration_us\":%d,\"p50_us\":%d,\"p99_us\":%d,\"errors\":%d}\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
"#,
    );
    let script_path = scratch.join(format!("{}.lua", method.to_lowercase()));
    std::fs::write(&script_path, script)?;
    let cpu_before = process_cpu_seconds();
    let output = Command::new(wrk)
        .args(["-t", &threads.to_string(), "-c", &connections.to_string(), "-d", &format!("{seconds}s")])
        .args(["--timeout", "5s", "-s"])
        .arg(&script_path)
        .arg(format!("{base}/user"))
        .output()?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    anyhow::ensure!(output.status.success(), "wrk failed: {stdout}{}", String::from_utf8_lossy(&output.stderr));
    let line = stdout
        .lines()
        .find_map(|line| line.strip_prefix("WRK_JSON "))
        .ok_or_else(|| anyhow::anyhow!("no summary from wrk: {stdout}"))?;
    let summary: Value = serde_json::from_str(line)?;
    let number = |key: &str| summary[key].as_f64().unwrap_or(0.0);
    let requests = number("requests");
    let cpu_seconds = process_cpu_seconds() - cpu_before;
    Ok(WrkResult {
        server_cpu_us_per_request: cpu_seconds * 1e6 / requests.max(1.0),
        requests: requests as u64,
        errors: number("errors") as u64,
        requests_per_second: requests / (number("duration_us") / 1e6).max(1e-9),
        p50_ms: number("p50_us") / 1000.0,
        p99_ms: number("p99_us") / 1000.0,
    })
}

/// The 1-minute load average from /proc/loadavg (Linux; 0 elsewhere).
fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(0.0)
}

/// User + system CPU seconds of this process so far, from /proc/self/stat (Linux; 0 elsewhere).
fn process_cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else { return 0.0 };
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th of those.
    let after_name = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // USER_HZ is 100 on every Linux architecture Rust targets.
    (ticks(11) + ticks(12)) / 100.0
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| Path::new(dir).join(program))
        .find(|candidate| candidate.is_file())
}
