//! Benchmark through the load balancer (issue 12 item 4): 200 virtual users at once, each registering a passkey,
//! saving a name on the backend and signing in again, all through nginx to a fleet of real release binaries on
//! one PostgreSQL, with the auth servers' limit counters in Redis. Run for one and for two instances of each
//! server; the ratio is what matters.
//!
//! `cargo xtask bench --only fleet` builds the release binaries and runs this. By hand:
//! `cargo run --release -p auth-server --example fleet_bench -- [--users N] [--rounds N] [--bin-dir DIR]`.
//!
//! - nginx runs `deploy/nginx/leptos-passage.conf` with its placeholders filled, as the fleet test stage does
//!   (`tests/e2e/harness/fleet.ts`); one instance means both upstream entries name the same one.
//! - Every virtual user comes from 127.0.0.1, so the per-network budgets are raised for the run (a real fleet's
//!   users come from many networks); every other setting is the default.
//! - The software authenticator (the browsers' part) runs in this process, on the same two cores as the fleet:
//!   its time is reported apart, and it weighs the same in both topologies.
//! - Each round uses new users on the same fleet; after each round the backend database must hold exactly one
//!   profile row per user so far, each with its user's name (no lost or duplicate rows), and no request may fail.
//!
//! Prints a table and writes `target/bench/fleet.json`: per topology the medians over the rounds of requests/s,
//! users/s and the p50/p99 request latency.

mod support;

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::{admin_execute, write_report};
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_rs::prelude::{CreationChallengeResponse, RequestChallengeResponse, Url};

const APP_ID: &str = "dev-app";
const ORIGIN: &str = "http://localhost:8080";
/// Requests each virtual user makes (E3, E4, E5, POST /user, E6, E7, GET /user).
const REQUESTS_PER_USER: usize = 7;

struct Args {
    users: usize,
    rounds: usize,
    bin_dir: PathBuf,
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

fn parse_args() -> Args {
    let mut args = Args { users: 200, rounds: 5, bin_dir: workspace_root().join("target/release") };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--users" => args.users = value().parse().expect("--users N"),
            "--rounds" => args.rounds = value().parse().expect("--rounds N"),
            "--bin-dir" => args.bin_dir = PathBuf::from(value()),
            other => panic!("unknown argument {other:?} (--users N, --rounds N, --bin-dir DIR)"),
        }
    }
    assert!(args.users > 0 && args.rounds > 0, "--users and --rounds must be positive");
    args
}

fn postgres_admin_url() -> String {
    ["BENCH_POSTGRES_URL", "TEST_DATABASE_URL"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|url| !url.trim().is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().unwrap().port()
}

fn nginx_binary() -> String {
    ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .iter()
        .find(|candidate| Path::new(candidate).exists())
        .map(|found| found.to_string())
        .unwrap_or_else(|| "nginx".to_owned())
}

/// A started process, killed when dropped; its output goes to `log`.
struct Running {
    name: String,
    child: Child,
    log: PathBuf,
}

impl Running {
    fn start(name: &str, program: &Path, args: &[String], log: PathBuf) -> Running {
        let out = std::fs::File::create(&log).expect("log file");
        let child = Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .unwrap_or_else(|err| {
                panic!("cannot start {} ({err}); build it with `cargo build --release`", program.display())
            });
        Running { name: name.to_owned(), child, log }
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Fills the site file's `{{NAME}}` placeholders outside comments, as `fleet.ts` does; a placeholder without a
/// value is an error (the template and this benchmark disagree).
fn fill_template(template: &str, values: &[(&str, String)]) -> String {
    let mut out = String::new();
    for line in template.lines() {
        let mut line = line.to_owned();
        if !line.trim_start().starts_with('#') {
            for (name, value) in values {
                line = line.replace(&format!("{{{{{name}}}}}"), value);
            }
            assert!(!line.contains("{{"), "deploy/nginx/leptos-passage.conf: no value for a placeholder in {line:?}");
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// One topology: `instances` auth servers and as many backends, nginx in front, fresh databases.
struct Fleet {
    processes: Vec<Running>,
    auth_url: String,
    api_url: String,
    backend_db_url: String,
    databases: Vec<String>,
    admin_url: String,
    _dir: tempfile::TempDir,
}

impl Fleet {
    async fn start(instances: usize, bin_dir: &Path) -> Fleet {
        let dir = tempfile::tempdir().expect("temp dir");
        // nginx's workers run as an unprivileged user when started as root: they must read the site's root.
        #[cfg(unix)]
        std::fs::set_permissions(dir.path(), std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        let admin_url = postgres_admin_url();
        let run = auth_server::ids::hex_lower(&auth_server::ids::random_bytes(5));
        let databases = vec![format!("bench_fleet_{run}_auth"), format!("bench_fleet_{run}_app")];
        for name in &databases {
            admin_execute(&admin_url, &format!("CREATE DATABASE {name}")).await;
        }
        let db_url = |name: &str| {
            let mut url = Url::parse(&admin_url).expect("a PostgreSQL URL");
            url.set_path(&format!("/{name}"));
            url.to_string()
        };
        let (auth_db_url, backend_db_url) = (db_url(&databases[0]), db_url(&databases[1]));
        let kek = dir.path().join("kek");
        std::fs::write(&kek, auth_server::ids::hex_lower(&auth_server::ids::random_bytes(32))).unwrap();
        let api_key = auth_server::ids::hex_lower(&auth_server::ids::random_bytes(24));
        let (auth_port, api_port, management_port, spa_port) = (free_port(), free_port(), free_port(), free_port());
        let auth_url = format!("http://127.0.0.1:{auth_port}");
        let api_url = format!("http://127.0.0.1:{api_port}");
        let management_url = format!("http://127.0.0.1:{management_port}");
        let redis_prefix = format!("bench-fleet:{run}");
        let unlimited = u32::MAX.to_string();

        let mut processes = Vec::new();
        let mut auth_addrs = Vec::new();
        let mut management_addrs = Vec::new();
        let mut backend_addrs = Vec::new();
        for i in 0..instances {
            let (port, management) = (free_port(), free_port());
            let mut args: Vec<String> = [
                "--dev",
                "--dev-origin",
                ORIGIN,
                "--dev-api-key",
                &api_key,
                "--database-url",
                &auth_db_url,
                "--key-encryption-key-file",
                kek.to_str().unwrap(),
                "--redis-url",
                "redis://127.0.0.1:6379",
                "--redis-key-prefix",
                &redis_prefix,
                "--trust-forwarded-for",
                "--public-url",
                &auth_url,
                "--limit-user-creations-per-ip",
                &unlimited,
                "--limit-ceremony-starts-per-ip",
                &unlimited,
                "--limit-lookups-per-ip",
                &unlimited,
                "--limit-refreshes-per-ip",
                &unlimited,
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            args.extend(["--bind".into(), format!("127.0.0.1:{port}")]);
            args.extend(["--management-bind".into(), format!("127.0.0.1:{management}")]);
            let name = format!("auth-server-{}", i + 1);
            let log = dir.path().join(format!("{name}.log"));
            processes.push(Running::start(&name, &bin_dir.join("auth-server"), &args, log));
            // One at a time: the first runs the migrations (the others would wait on sqlx's lock anyway).
            wait_healthy(&format!("http://127.0.0.1:{port}/healthz"), processes.last().unwrap()).await;
            auth_addrs.push(format!("127.0.0.1:{port}"));
            management_addrs.push(format!("127.0.0.1:{management}"));
        }
        for i in 0..instances {
            let port = free_port();
            let args: Vec<String> = [
                "--database-url",
                &backend_db_url,
                "--auth-url",
                &auth_url,
                "--auth-management-url",
                &management_url,
                "--app-id",
                APP_ID,
                "--auth-api-key",
                &api_key,
                "--allowed-origins",
                ORIGIN,
                "--token-issuer",
                APP_ID,
            ]
            .iter()
            .map(|s| s.to_string())
            .chain(["--bind".to_owned(), format!("127.0.0.1:{port}")])
            .collect();
            let name = format!("backend-{}", i + 1);
            let log = dir.path().join(format!("{name}.log"));
            processes.push(Running::start(&name, &bin_dir.join("backend"), &args, log));
            wait_healthy(&format!("http://127.0.0.1:{port}/healthz"), processes.last().unwrap()).await;
            backend_addrs.push(format!("127.0.0.1:{port}"));
        }
        // The template has two entries per upstream: with one instance, both name it.
        let second = |addrs: &Vec<String>| addrs.get(1).unwrap_or(&addrs[0]).clone();
        let logs = dir.path().join("nginx");
        std::fs::create_dir_all(logs.join("tmp")).unwrap();
        let empty_root = dir.path().join("dist");
        std::fs::create_dir_all(&empty_root).unwrap();
        let template = std::fs::read_to_string(workspace_root().join("deploy/nginx/leptos-passage.conf"))
            .expect("deploy/nginx/leptos-passage.conf");
        let site = fill_template(
            &template,
            &[
                ("SPA_LISTEN", format!("127.0.0.1:{spa_port}")),
                ("AUTH_LISTEN", format!("127.0.0.1:{auth_port}")),
                ("API_LISTEN", format!("127.0.0.1:{api_port}")),
                ("MANAGEMENT_LISTEN", format!("127.0.0.1:{management_port}")),
                ("AUTH_1", auth_addrs[0].clone()),
                ("AUTH_2", second(&auth_addrs)),
                ("AUTH_MANAGEMENT_1", management_addrs[0].clone()),
                ("AUTH_MANAGEMENT_2", second(&management_addrs)),
                ("BACKEND_1", backend_addrs[0].clone()),
                ("BACKEND_2", second(&backend_addrs)),
                ("DIST", empty_root.display().to_string()),
                ("CSP", "default-src 'none'".to_owned()),
                ("LOG_DIR", logs.display().to_string()),
            ],
        );
        let site_file = dir.path().join("leptos-passage.conf");
        std::fs::write(&site_file, site).unwrap();
        let temp = logs.join("tmp");
        let frame = format!(
            "daemon off;\nworker_processes 2;\npid {pid};\nerror_log {error} warn;\nevents {{ worker_connections 4096; }}\n\
             http {{\n  include /etc/nginx/mime.types;\n  client_body_temp_path {t}/body;\n  proxy_temp_path {t}/proxy;\n  \
             fastcgi_temp_path {t}/fastcgi;\n  uwsgi_temp_path {t}/uwsgi;\n  scgi_temp_path {t}/scgi;\n  include {site};\n}}\n",
            pid = logs.join("nginx.pid").display(),
            error = logs.join("error.log").display(),
            t = temp.display(),
            site = site_file.display(),
        );
        let frame_file = dir.path().join("nginx.conf");
        std::fs::write(&frame_file, frame).unwrap();
        let nginx_args =
            ["-p".to_owned(), logs.display().to_string(), "-c".to_owned(), frame_file.display().to_string()];
        processes.push(Running::start("nginx", Path::new(&nginx_binary()), &nginx_args, dir.path().join("nginx.log")));
        wait_healthy(&format!("{auth_url}/healthz"), processes.last().unwrap()).await;
        wait_healthy(&format!("{api_url}/healthz"), processes.last().unwrap()).await;
        Fleet { processes, auth_url, api_url, backend_db_url, databases, admin_url, _dir: dir }
    }

    /// `(rows, distinct users, rows whose name is not the one its user saved)` in the backend's database.
    async fn profile_rows(&self) -> (i64, i64, i64) {
        use sqlx::{Connection, Row};
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&self.backend_db_url).await.expect("backend database");
        // Each user saved the name `Bench <email>`; a mixed-up row would carry another user's name.
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, COUNT(DISTINCT user_id) AS users, \
             COALESCE(SUM(CASE WHEN name LIKE 'Bench %' THEN 0 ELSE 1 END), 0) AS odd FROM profiles",
        )
        .fetch_one(&mut conn)
        .await
        .expect("count profiles");
        conn.close().await.ok();
        (row.get::<i64, _>("n"), row.get::<i64, _>("users"), row.get::<i64, _>("odd"))
    }

    async fn stop(mut self) {
        self.processes.clear();
        for name in &self.databases {
            admin_execute(&self.admin_url, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
        }
    }
}

async fn wait_healthy(url: &str, process: &Running) {
    let client = reqwest::Client::new();
    let started = Instant::now();
    loop {
        if let Ok(response) = client.get(url).timeout(Duration::from_secs(1)).send().await {
            if response.status().is_success() {
                return;
            }
        }
        if started.elapsed() > Duration::from_secs(30) {
            panic!("{} did not answer {url} within 30 s:\n{}", process.name, process.log_tail());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// What one round measured.
#[derive(Default)]
struct Tally {
    /// Every request's latency, milliseconds.
    latencies_ms: Vec<f64>,
    errors: Vec<String>,
    /// Time in the software authenticator (the browsers' part), milliseconds, summed over users.
    authenticator_ms: f64,
}

struct VirtualUser {
    client: reqwest::Client,
    auth_url: String,
    api_url: String,
    tally: Arc<Mutex<Tally>>,
}

impl VirtualUser {
    /// One timed request (until its whole body is read); a non-2xx answer or a transport error is an error.
    async fn call(&self, request: reqwest::RequestBuilder, what: &str) -> Result<Value, ()> {
        let started = Instant::now();
        let answer = match request.send().await {
            Ok(response) => {
                let status = response.status();
                response.bytes().await.map(|body| (status, body))
            }
            Err(err) => Err(err),
        };
        let elapsed = started.elapsed().as_secs_f64() * 1000.0;
        self.tally.lock().unwrap().latencies_ms.push(elapsed);
        match answer {
            Ok((status, body)) if status.is_success() => {
                serde_json::from_slice(&body).map_err(|err| self.error(&format!("{what}: body: {err}")))
            }
            Ok((status, body)) => {
                let body = String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
                self.error(&format!("{what}: HTTP {status}: {body}"));
                Err(())
            }
            Err(err) => {
                self.error(&format!("{what}: {err}"));
                Err(())
            }
        }
    }

    fn error(&self, message: &str) {
        self.tally.lock().unwrap().errors.push(message.to_owned());
    }

    fn auth(&self, path: &str, body: Value) -> reqwest::RequestBuilder {
        self.client.post(format!("{}/v1/apps/{APP_ID}{path}", self.auth_url)).json(&body)
    }

    /// E3, E4, authenticator, E5, POST /user, E6, authenticator, E7, GET /user (must show the saved name).
    async fn run(&self, email: &str) -> Result<(), ()> {
        let mut passkey = SoftPasskey::new(true);
        let origin = Url::parse(ORIGIN).unwrap();
        self.call(self.auth("/users", json!({ "identifier": email })), "create user").await?;
        let start = self.call(self.auth("/register/webauthn/start", json!({ "identifier": email })), "E4").await?;
        let options: CreationChallengeResponse =
            serde_json::from_value(start["handshake"]["challenge"].clone()).map_err(|_| self.error("E4 shape"))?;
        let began = Instant::now();
        let credential = passkey.do_registration(origin.clone(), options).map_err(|_| self.error("authenticator"))?;
        let mut authenticator_ms = began.elapsed().as_secs_f64() * 1000.0;
        let finish = json!({ "handshake_id": start["handshake"]["id"], "user_id": start["user"]["id"], "handshake_response": credential });
        let registered = self.call(self.auth("/register/webauthn/finish", finish), "E5").await?;
        let token = registered["auth_result"]["auth_token"].as_str().ok_or_else(|| self.error("E5 token"))?.to_owned();

        let name = format!("Bench {email}");
        let save =
            self.client.post(format!("{}/user", self.api_url)).bearer_auth(&token).json(&json!({ "name": name }));
        self.call(save, "POST /user").await?;

        let start = self.call(self.auth("/login/webauthn/start", json!({ "identifier": email })), "E6").await?;
        let options: RequestChallengeResponse =
            serde_json::from_value(start["handshake"]["challenge"].clone()).map_err(|_| self.error("E6 shape"))?;
        let began = Instant::now();
        let assertion = passkey.do_authentication(origin, options).map_err(|_| self.error("authenticator"))?;
        authenticator_ms += began.elapsed().as_secs_f64() * 1000.0;
        let finish = json!({ "handshake_id": start["handshake"]["id"], "user_id": start["user"]["id"], "handshake_response": assertion });
        let signed_in = self.call(self.auth("/login/webauthn/finish", finish), "E7").await?;
        let token = signed_in["auth_result"]["auth_token"].as_str().ok_or_else(|| self.error("E7 token"))?.to_owned();

        let me = self.call(self.client.get(format!("{}/user", self.api_url)).bearer_auth(&token), "GET /user").await?;
        if me["name"] != json!(name) {
            self.error(&format!("GET /user shows {} for {email}", me["name"]));
        }
        self.tally.lock().unwrap().authenticator_ms += authenticator_ms;
        Ok(())
    }
}

struct Round {
    seconds: f64,
    requests: usize,
    p50_ms: f64,
    p99_ms: f64,
    authenticator_ms_per_user: f64,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// All users at once; returns what the round measured, or panics naming the errors.
async fn round(fleet: &Fleet, users: usize, round: usize, topology: &str) -> Round {
    let client = reqwest::Client::builder().pool_max_idle_per_host(users).build().unwrap();
    let tally = Arc::new(Mutex::new(Tally::default()));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for n in 0..users {
        let user = VirtualUser {
            client: client.clone(),
            auth_url: fleet.auth_url.clone(),
            api_url: fleet.api_url.clone(),
            tally: tally.clone(),
        };
        let email = format!("u{n}.r{round}.{topology}@bench.example");
        tasks.push(tokio::spawn(async move { user.run(&email).await }));
    }
    for task in tasks {
        let _ = task.await.expect("a virtual user panicked");
    }
    let seconds = started.elapsed().as_secs_f64();
    let mut tally = Arc::try_unwrap(tally).ok().unwrap().into_inner().unwrap();
    if !tally.errors.is_empty() {
        let mut shown = tally.errors.clone();
        shown.sort();
        shown.dedup();
        panic!(
            "{topology}, round {round}: {} failed requests, e.g.: {:?}",
            tally.errors.len(),
            &shown[..shown.len().min(10)]
        );
    }
    let expected = (users * (round + 1)) as i64;
    let (rows, distinct, odd) = fleet.profile_rows().await;
    assert_eq!(
        (rows, distinct, odd),
        (expected, expected, 0),
        "{topology}, round {round}: profile rows (rows, users, wrong names)"
    );
    tally.latencies_ms.sort_by(|a, b| a.partial_cmp(b).unwrap());
    assert_eq!(tally.latencies_ms.len(), users * REQUESTS_PER_USER);
    Round {
        seconds,
        requests: tally.latencies_ms.len(),
        p50_ms: percentile(&tally.latencies_ms, 50.0),
        p99_ms: percentile(&tally.latencies_ms, 99.0),
        authenticator_ms_per_user: tally.authenticator_ms / users as f64,
    }
}

#[tokio::main]
async fn main() {
    let args = parse_args();
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let mut report = Vec::new();
    println!(
        "fleet benchmark: {} virtual users at once x {} rounds per topology, through nginx, PostgreSQL + Redis, {cores} cores",
        args.users, args.rounds
    );
    println!(
        "{:<22} {:>10} {:>10} {:>10} {:>10} {:>14}",
        "topology", "req/s", "users/s", "p50 ms", "p99 ms", "authn ms/user"
    );
    for instances in [1usize, 2] {
        let topology = format!("{instances}+{instances}");
        let fleet = Fleet::start(instances, &args.bin_dir).await;
        let mut rounds = Vec::new();
        for r in 0..args.rounds {
            rounds.push(round(&fleet, args.users, r, &topology).await);
        }
        fleet.stop().await;
        let requests_per_second = median(rounds.iter().map(|r| r.requests as f64 / r.seconds).collect());
        let users_per_second = median(rounds.iter().map(|r| args.users as f64 / r.seconds).collect());
        let p50 = median(rounds.iter().map(|r| r.p50_ms).collect());
        let p99 = median(rounds.iter().map(|r| r.p99_ms).collect());
        let authenticator = median(rounds.iter().map(|r| r.authenticator_ms_per_user).collect());
        println!(
            "{:<22} {:>10.0} {:>10.1} {:>10.1} {:>10.1} {:>14.2}",
            format!("{instances} auth + {instances} backend"),
            requests_per_second,
            users_per_second,
            p50,
            p99,
            authenticator
        );
        let _ = std::io::stdout().flush();
        report.push(json!({
            "auth_server_instances": instances,
            "backend_instances": instances,
            "rounds": args.rounds,
            "users_per_round": args.users,
            "requests_per_round": args.users * REQUESTS_PER_USER,
            "median_requests_per_second": requests_per_second,
            "median_users_per_second": users_per_second,
            "median_p50_ms": p50,
            "median_p99_ms": p99,
            "median_authenticator_ms_per_user": authenticator,
            "errors": 0,
            "round_seconds": rounds.iter().map(|r| r.seconds).collect::<Vec<_>>(),
        }));
    }
    let ratio = report[1]["median_requests_per_second"].as_f64().unwrap()
        / report[0]["median_requests_per_second"].as_f64().unwrap();
    println!("two instances / one instance, requests/s: {ratio:.2}");
    write_report("fleet.json", &json!({ "cores": cores, "topologies": report, "ratio_two_to_one": ratio }));
}
