//! Benchmark: passkey registrations/s, passkey logins/s, one-time-code registrations/s and auth-token
//! verifications/s, in-process through
//! `app().oneshot(...)` on a real SQLite file (or a fresh Postgres database with `BENCH_POSTGRES_URL`), with the
//! software authenticator playing the browser.
//!
//! `cargo run --release -p auth-server --example bench [-- --seconds N] [--limiter-only]`. Bounded: each phase stops
//! after N seconds (default 5) or 50,000 operations. Prints a table and writes `target/bench/auth-server.json`
//! (`auth-server-postgres.json` on Postgres; `cargo xtask bench --only auth-server` runs both).
//! First it measures the rate limiter alone (hits/s, 1 and 2 threads, 100,000 distinct keys or one hot key; not in a
//! run on Postgres, as it uses no database);
//! `--limiter-only` stops there (`target/bench/auth-server-limiter.json`).

mod support;

use support::{admin_execute, write_report};

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use std::collections::HashMap;
use std::sync::Mutex;

use auth_server::config::{dev_app, DevFallback};
use auth_server::limits::Limits;
use auth_server::mail::{Mail, MailFuture, MailKind, Mailer};
use auth_server::store::refresh_tokens::{Session, SignInMethod};
use auth_server::{app, db, AppState, ServerOptions};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_rs::prelude::{CreationChallengeResponse, RequestChallengeResponse, Url};

const ORIGIN: &str = "http://localhost:8080";
const MAX_OPS: u64 = 50_000;
const CLIENTS: usize = 8;

async fn post(router: &Router, uri: &str, body: Value) -> (StatusCode, Value) {
    let request =
        Request::post(uri).header("content-type", "application/json").body(Body::from(body.to_string())).unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

/// One full registration as the element does it: E3, E4, authenticator, E5. Returns the auth token and the time
/// spent in the authenticator (the browser's share, not the server's).
async fn register(router: &Router, passkey: &mut SoftPasskey, email: &str) -> (String, Duration) {
    let (status, _) = post(router, "/v1/apps/dev-app/users", json!({ "identifier": email })).await;
    assert!(status.is_success(), "create user: {status}");
    let (status, start) =
        post(router, "/v1/apps/dev-app/register/webauthn/start", json!({ "identifier": email })).await;
    assert_eq!(status, StatusCode::OK, "{start}");
    let options: CreationChallengeResponse = serde_json::from_value(start["handshake"]["challenge"].clone()).unwrap();
    let authenticator_started = Instant::now();
    let credential = passkey.do_registration(Url::parse(ORIGIN).unwrap(), options).expect("authenticator");
    let authenticator_time = authenticator_started.elapsed();
    let (status, body) = post(
        router,
        "/v1/apps/dev-app/register/webauthn/finish",
        json!({ "handshake_id": start["handshake"]["id"], "user_id": start["user"]["id"], "handshake_response": credential }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let token = body["auth_result"]["auth_token"].as_str().unwrap().to_owned();
    (token, authenticator_time)
}

/// One login: E6, authenticator, E7.
async fn login(router: &Router, passkey: &mut SoftPasskey, email: &str) {
    let (status, start) = post(router, "/v1/apps/dev-app/login/webauthn/start", json!({ "identifier": email })).await;
    assert_eq!(status, StatusCode::OK, "{start}");
    let options: RequestChallengeResponse = serde_json::from_value(start["handshake"]["challenge"].clone()).unwrap();
    let assertion = passkey.do_authentication(Url::parse(ORIGIN).unwrap(), options).expect("authenticator");
    let (status, body) = post(
        router,
        "/v1/apps/dev-app/login/webauthn/finish",
        json!({ "handshake_id": start["handshake"]["id"], "user_id": start["user"]["id"], "handshake_response": assertion }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

const SEQUENTIAL: u32 = 200;

struct Sequential {
    /// Server time (E3+E4+E5 through the router, including the database) per registration.
    server_ms: f64,
    /// Software authenticator time (the browser's part) per registration.
    authenticator_ms: f64,
}

/// The work a ceremony cannot skip, timed alone (no HTTP, no database): the authenticator (the browser's share),
/// webauthn-rs's start and finish (for a passkey: P-256 through RustCrypto's `p256`, webauthn-rs 0.6 has no other
/// backend), and signing the RS256 auth token. Per ceremony, in ms; `cores / floor` is the most any server built
/// on these libraries could do in this benchmark, whatever its database.
struct LibraryFloor {
    registration: FloorParts,
    login: FloorParts,
}

struct FloorParts {
    authenticator_ms: f64,
    webauthn_ms: f64,
    rs256_ms: f64,
}

impl FloorParts {
    /// Times the authenticator's part and webauthn-rs's part of one ceremony; `rs256_ms` is the same for both.
    fn measure(rs256_ms: f64, authenticator: impl FnMut(), webauthn: impl FnMut()) -> Self {
        Self { authenticator_ms: ms_per_round(authenticator), webauthn_ms: ms_per_round(webauthn), rs256_ms }
    }

    fn total_ms(&self) -> f64 {
        self.authenticator_ms + self.webauthn_ms + self.rs256_ms
    }

    /// Ceremonies/s on `cores` cores if each cost only this.
    fn ceiling_per_second(&self, cores: usize) -> f64 {
        cores as f64 * 1000.0 / self.total_ms()
    }

    fn json(&self, cores: usize) -> Value {
        json!({
            "authenticator_ms": self.authenticator_ms,
            "webauthn_rs_ms": self.webauthn_ms,
            "rs256_sign_ms": self.rs256_ms,
            "total_ms": self.total_ms(),
            "ceiling_per_second": self.ceiling_per_second(cores),
        })
    }
}

/// Time `run` over `SEQUENTIAL` rounds; returns ms per round.
fn ms_per_round(mut run: impl FnMut()) -> f64 {
    let started = Instant::now();
    for _ in 0..SEQUENTIAL {
        run();
    }
    started.elapsed().as_secs_f64() * 1000.0 / SEQUENTIAL as f64
}

/// Measures [`LibraryFloor`] with the app's own `Webauthn`, and the server's own signing (`sign_in::sign`, the
/// claims and the RS256 signature every ceremony's auth token gets).
fn library_floor(state: &AppState) -> LibraryFloor {
    let app = state.app("dev-app").expect("dev app");
    let origin = Url::parse(ORIGIN).unwrap();
    let mut passkey = SoftPasskey::new(true);
    let rs256_ms = ms_per_round(|| {
        let session = Session::start(state.now(), SignInMethod::Passkey, None, None);
        auth_server::sign_in::sign(state, &app, "floor-user", session).expect("sign");
    });
    let handle = webauthn_rs::prelude::Uuid::new_v4();
    let start = || app.webauthn.start_passkey_registration(handle, "floor@bench.example", "floor", None).unwrap();
    let (options, registering) = start();
    let credential = passkey.do_registration(origin.clone(), options).expect("authenticator");
    let registration = FloorParts::measure(
        rs256_ms,
        || {
            passkey.do_registration(origin.clone(), start().0).expect("authenticator");
        },
        || {
            start();
            app.webauthn.finish_passkey_registration(&credential, &registering).expect("verifies");
        },
    );
    let stored = app.webauthn.finish_passkey_registration(&credential, &registering).expect("verifies");
    let begin = || app.webauthn.start_passkey_authentication(std::slice::from_ref(&stored)).unwrap();
    let (options, authenticating) = begin();
    let assertion = passkey.do_authentication(origin.clone(), options).expect("authenticator");
    let login = FloorParts::measure(
        rs256_ms,
        || {
            passkey.do_authentication(origin.clone(), begin().0).expect("authenticator");
        },
        || {
            begin();
            app.webauthn.finish_passkey_authentication(&assertion, &authenticating).expect("verifies");
        },
    );
    LibraryFloor { registration, login }
}

/// A quiet mailer for the benchmark: keeps the newest code per address (the dev mailbox would print every one).
#[derive(Default)]
struct CodeBox(Mutex<HashMap<String, String>>);

impl Mailer for CodeBox {
    fn send<'a>(&'a self, mail: &'a Mail) -> MailFuture<'a> {
        if let MailKind::Otp { code } = &mail.kind {
            self.0.lock().unwrap().insert(mail.to.clone(), code.clone());
        }
        Box::pin(async { Ok(()) })
    }
}

/// One registration by code as the element does it: E3, E8, (the user reads the mail), E10.
async fn register_by_code(router: &Router, codes: &CodeBox, email: &str) {
    let (status, _) = post(router, "/v1/apps/dev-app/users", json!({ "identifier": email })).await;
    assert!(status.is_success(), "create user: {status}");
    let (status, sent) =
        post(router, "/v1/apps/dev-app/register/otp", json!({ "identifier": email, "language": "en" })).await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    let code = codes.0.lock().unwrap().remove(email).expect("a code was mailed");
    let (status, body) =
        post(router, "/v1/apps/dev-app/otp/activate", json!({ "otp": code, "otp_id": sent["otp_id"] })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

struct Phase {
    name: &'static str,
    ops: u64,
    seconds: f64,
}

impl Phase {
    fn per_second(&self) -> f64 {
        self.ops as f64 / self.seconds
    }
}

/// Limiter figures: hits/s of `RateLimiter::check` (key digest + counter), median of `LIMITER_ROUNDS` rounds.
struct LimiterFigures {
    /// (workload, threads, median hits/s)
    rows: Vec<(&'static str, usize, f64)>,
    /// After hitting 2 × capacity distinct keys: counters kept, the capacity, and the resident-set growth.
    flood_kept: u64,
    flood_capacity: u64,
    flood_resident_bytes: u64,
}

const LIMITER_KEYS: usize = 100_000;
const LIMITER_ROUNDS: usize = 7;

/// One round: `threads` threads share one limiter; with `distinct`, the threads together hit `LIMITER_KEYS`
/// different keys once each (a flood of one-off clients, every hit a new counter); otherwise every hit is on one
/// hot key (one busy client; both threads contend on the same counter). Returns hits/s.
fn limiter_round(subjects: &Arc<Vec<String>>, threads: usize, distinct: bool) -> f64 {
    let limits = Limits { sends_per_ip: u32::MAX, ..Limits::default() };
    let limiter = Arc::new(auth_server::limits::RateLimiter::in_memory(limits));
    let per_thread = LIMITER_KEYS / threads;
    let started = Instant::now();
    let workers: Vec<_> = (0..threads)
        .map(|t| {
            let (limiter, subjects) = (limiter.clone(), subjects.clone());
            std::thread::spawn(move || {
                for n in 0..per_thread {
                    let subject = if distinct { &subjects[t * per_thread + n] } else { &subjects[0] };
                    ready(limiter.check(auth_server::limits::Bucket::Send, &[subject], 1_000_000))
                        .expect("within budget");
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    (per_thread * threads) as f64 / started.elapsed().as_secs_f64()
}

/// The output of a future that is ready at once (the memory store never waits), without a runtime in the
/// benchmark's threads.
fn ready<F: std::future::Future>(future: F) -> F::Output {
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    match std::pin::pin!(future).poll(&mut context) {
        std::task::Poll::Ready(output) => output,
        std::task::Poll::Pending => panic!("the memory store answers at once"),
    }
}

fn limiter_bench() -> LimiterFigures {
    let subjects: Arc<Vec<String>> =
        Arc::new((0..LIMITER_KEYS).map(|n| format!("2001:db8:{:x}:{:x}::/64", n >> 16, n & 0xffff)).collect());
    let mut rows = Vec::new();
    for (name, distinct) in [("100,000 distinct keys", true), ("one hot key", false)] {
        for threads in [1, 2] {
            let mut rounds: Vec<f64> =
                (0..LIMITER_ROUNDS).map(|_| limiter_round(&subjects, threads, distinct)).collect();
            rounds.sort_by(|a, b| a.total_cmp(b));
            rows.push((name, threads, rounds[LIMITER_ROUNDS / 2]));
        }
    }
    // Memory under a flood: twice the capacity in distinct keys, then the resident-set growth per kept counter.
    let limits = Limits { sends_per_ip: u32::MAX, ..Limits::default() };
    let before = resident_bytes();
    let limiter = auth_server::limits::RateLimiter::in_memory(limits);
    for n in 0..2 * LIMITER_KEYS {
        let subject = format!("flood-{n}");
        ready(limiter.check(auth_server::limits::Bucket::Send, &[&subject], 1_000_000)).expect("within budget");
    }
    limiter.sweep();
    let kept = limiter.store().entry_count();
    let grown = resident_bytes().saturating_sub(before);
    LimiterFigures { rows, flood_kept: kept, flood_capacity: limits.max_tracked_keys, flood_resident_bytes: grown }
}

/// Resident set size of this process (Linux; 0 elsewhere).
fn resident_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1).and_then(|pages| pages.parse::<u64>().ok()))
        .map_or(0, |pages| pages * 4096)
}

/// Runs [`limiter_bench`], prints its table and returns its figures for the report.
fn limiter_report() -> Value {
    let limiter = limiter_bench();
    println!("rate limiter (RateLimiter::check, median of {LIMITER_ROUNDS} rounds of {LIMITER_KEYS} hits)");
    println!("{:<36} {:>10} {:>12}", "workload", "threads", "hits/s");
    for (name, threads, per_second) in &limiter.rows {
        println!("{name:<36} {threads:>10} {per_second:>12.0}");
    }
    println!(
        "flood of {} distinct keys: {} counters kept (capacity {}), resident set +{:.1} MB",
        2 * LIMITER_KEYS,
        limiter.flood_kept,
        limiter.flood_capacity,
        limiter.flood_resident_bytes as f64 / 1e6
    );
    json!({
        "hits": limiter
            .rows
            .iter()
            .map(|(name, threads, per_second)| json!({ "workload": name, "threads": threads, "hits_per_second_median": per_second }))
            .collect::<Vec<_>>(),
        "flood_distinct_keys": 2 * LIMITER_KEYS,
        "flood_counters_kept": limiter.flood_kept,
        "flood_capacity": limiter.flood_capacity,
        "flood_resident_bytes": limiter.flood_resident_bytes,
    })
}

fn main() {
    let seconds: u64 =
        std::env::args().skip_while(|a| a != "--seconds").nth(1).and_then(|s| s.parse().ok()).unwrap_or(5);
    // BENCH_POSTGRES_URL=postgres://...: run on a fresh Postgres database (created here, dropped afterwards).
    let postgres_admin = std::env::var("BENCH_POSTGRES_URL").ok();
    // The rate limiter first (no database): `--limiter-only` stops after it. It uses no database, so the run on
    // Postgres (`cargo xtask bench` runs SQLite first) leaves it out.
    let limiter_json = postgres_admin.is_none().then(limiter_report);
    if std::env::args().any(|a| a == "--limiter-only") {
        write_report("auth-server-limiter.json", &json!({ "limiter": limiter_json.unwrap_or_else(limiter_report) }));
        return;
    }
    let budget = Duration::from_secs(seconds);
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(cores).enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let postgres_db = format!("auth_server_bench_{}", auth_server::ids::hex_lower(&auth_server::ids::random_bytes(6)));
    let db_url = match &postgres_admin {
        Some(admin) => {
            runtime.block_on(admin_execute(admin, &format!("CREATE DATABASE {postgres_db}")));
            let mut url = Url::parse(admin).expect("BENCH_POSTGRES_URL is a URL");
            url.set_path(&format!("/{postgres_db}"));
            url.to_string()
        }
        None => format!("sqlite://{}", dir.path().join("bench.sqlite3").display()),
    };
    let postgres = postgres_admin.is_some();
    let database = if postgres { "postgres" } else { "sqlite (file, WAL)" };

    let (floor, sequential, registrations, logins, otp_registrations, verifications) = runtime.block_on(async {
        let pool = db::connect(&db_url).await.expect("database");
        let codes = Arc::new(CodeBox::default());
        // Every request comes from one "client" here: the abuse limits are lifted so they do not end the run.
        let unlimited = Limits {
            sends_per_ip: u32::MAX,
            sends_per_identifier: u32::MAX,
            sends_per_identifier_all_networks: u32::MAX,
            activations_per_ip: u32::MAX,
            activations_per_identifier: u32::MAX,
            lookups_per_ip: u32::MAX,
            user_creations_per_ip: u32::MAX,
            ceremony_starts_per_ip: u32::MAX,
            polls_per_ip: u32::MAX,
            refreshes_per_ip: u32::MAX,
            ..Limits::default()
        };
        let options = ServerOptions { mailer: codes.clone(), limits: unlimited, ..ServerOptions::default() };
        // Signing keys are encrypted at rest: a throwaway key-encryption key for the throwaway database.
        let key_encryption_key = Some(auth_server::key_encryption::KeyEncryptionKey::generate());
        let options = ServerOptions { key_encryption_key, ..options };
        let state = AppState::with_options(pool, vec![dev_app(ORIGIN, "bench-key", DevFallback::Otp)], options)
            .await
            .expect("state");
        let router = app(state.clone());
        let floor = library_floor(&state);

        // Phase 0: one client, one registration at a time: where a registration's time goes.
        let mut passkey = SoftPasskey::new(true);
        let mut browser_time = Duration::ZERO;
        let started = Instant::now();
        for n in 0..SEQUENTIAL {
            let (_, spent) = register(&router, &mut passkey, &format!("seq{n}@bench.example")).await;
            browser_time += spent;
        }
        let total = started.elapsed();
        let sequential = Sequential {
            server_ms: (total - browser_time).as_secs_f64() * 1000.0 / SEQUENTIAL as f64,
            authenticator_ms: browser_time.as_secs_f64() * 1000.0 / SEQUENTIAL as f64,
        };

        // Phase 1: registrations from CLIENTS concurrent clients, each with its own authenticator.
        let done = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let started = Instant::now();
        let mut clients = Vec::new();
        for client in 0..CLIENTS {
            let (router, done, stop) = (router.clone(), done.clone(), stop.clone());
            clients.push(tokio::spawn(async move {
                let mut passkey = SoftPasskey::new(true);
                let mut accounts = Vec::new();
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) && done.fetch_add(1, Ordering::Relaxed) < MAX_OPS {
                    let email = format!("c{client}-u{n}@bench.example");
                    let (token, _) = register(&router, &mut passkey, &email).await;
                    accounts.push((email, token));
                    n += 1;
                }
                (passkey, accounts)
            }));
        }
        tokio::time::sleep(budget).await;
        stop.store(true, Ordering::Relaxed);
        let mut per_client = Vec::new();
        for client in clients {
            per_client.push(client.await.unwrap());
        }
        let registrations = Phase {
            name: "passkey registrations (E3+E4+E5)",
            ops: per_client.iter().map(|(_, a)| a.len() as u64).sum(),
            seconds: started.elapsed().as_secs_f64(),
        };

        // Phase 2: logins with the registered passkeys.
        let stop = Arc::new(AtomicBool::new(false));
        let done = Arc::new(AtomicU64::new(0));
        let started = Instant::now();
        let mut clients = Vec::new();
        let mut tokens = Vec::new();
        for (mut passkey, accounts) in per_client {
            tokens.extend(accounts.iter().map(|(_, t)| t.clone()));
            let (router, done, stop) = (router.clone(), done.clone(), stop.clone());
            clients.push(tokio::spawn(async move {
                let mut logged_in = 0u64;
                for (email, _) in accounts.iter().cycle().take(accounts.len() * 4) {
                    if stop.load(Ordering::Relaxed) || done.fetch_add(1, Ordering::Relaxed) >= MAX_OPS {
                        break;
                    }
                    login(&router, &mut passkey, email).await;
                    logged_in += 1;
                }
                logged_in
            }));
        }
        tokio::time::sleep(budget).await;
        stop.store(true, Ordering::Relaxed);
        let mut login_ops = 0;
        for client in clients {
            login_ops += client.await.unwrap();
        }
        let logins = Phase { name: "passkey logins (E6+E7)", ops: login_ops, seconds: started.elapsed().as_secs_f64() };

        // Phase 3: registrations by one-time code (E3+E8+E10) from CLIENTS concurrent clients.
        let stop = Arc::new(AtomicBool::new(false));
        let done = Arc::new(AtomicU64::new(0));
        let started = Instant::now();
        let mut clients = Vec::new();
        for client in 0..CLIENTS {
            let (router, codes, done, stop) = (router.clone(), codes.clone(), done.clone(), stop.clone());
            clients.push(tokio::spawn(async move {
                let mut n = 0u64;
                while !stop.load(Ordering::Relaxed) && done.fetch_add(1, Ordering::Relaxed) < MAX_OPS {
                    register_by_code(&router, &codes, &format!("otp-c{client}-u{n}@bench.example")).await;
                    n += 1;
                }
                n
            }));
        }
        tokio::time::sleep(budget).await;
        stop.store(true, Ordering::Relaxed);
        let mut otp_ops = 0;
        for client in clients {
            otp_ops += client.await.unwrap();
        }
        let otp_registrations =
            Phase { name: "code registrations (E3+E8+E10)", ops: otp_ops, seconds: started.elapsed().as_secs_f64() };

        // Phase 4: token verifications (what E15-E17 do per request), on every core.
        let started = Instant::now();
        let tokens = Arc::new(tokens);
        let mut workers = Vec::new();
        for worker in 0..cores {
            let (state, tokens) = (state.clone(), tokens.clone());
            workers.push(std::thread::spawn(move || {
                let keys = state.keys();
                let mut n = 0u64;
                let begun = Instant::now();
                while begun.elapsed() < budget && n < MAX_OPS {
                    let token = &tokens[(n as usize * cores + worker) % tokens.len()];
                    keys.verify("dev-app", token).expect("token verifies");
                    n += 1;
                }
                n
            }));
        }
        let verify_ops = workers.into_iter().map(|w| w.join().unwrap()).sum();
        let verifications = Phase {
            name: "auth token verifications (RS256)",
            ops: verify_ops,
            seconds: started.elapsed().as_secs_f64(),
        };
        state.db().close().await;
        if let Some(admin) = &postgres_admin {
            admin_execute(admin, &format!("DROP DATABASE IF EXISTS {postgres_db} WITH (FORCE)")).await;
        }
        (floor, sequential, registrations, logins, otp_registrations, verifications)
    });

    println!("auth-server benchmark ({cores} cores, {database}, in-process oneshot, {CLIENTS} concurrent clients)");
    println!("{:<36} {:>10} {:>10} {:>12}", "phase", "ops", "seconds", "ops/s");
    for phase in [&registrations, &logins, &otp_registrations, &verifications] {
        println!("{:<36} {:>10} {:>10.2} {:>12.0}", phase.name, phase.ops, phase.seconds, phase.per_second());
    }
    let report = json!({
        "cores": cores,
        "clients": CLIENTS,
        "database": database,
        "registrations_per_second": registrations.per_second(),
        "registrations": registrations.ops,
        "logins_per_second": logins.per_second(),
        "logins": logins.ops,
        "otp_registrations_per_second": otp_registrations.per_second(),
        "otp_registrations": otp_registrations.ops,
        "token_verifications_per_second": verifications.per_second(),
        "token_verifications": verifications.ops,
        "goal_registrations_per_second": 2000,
        "sequential_server_ms_per_registration": sequential.server_ms,
        "sequential_authenticator_ms_per_registration": sequential.authenticator_ms,
        "server_only_registrations_per_second_estimate": cores as f64 * 1000.0 / sequential.server_ms,
        "library_floor": {
            "registration": floor.registration.json(cores),
            "login": floor.login.json(cores),
        },
        "limiter": limiter_json,
    });
    println!(
        "one registration, sequential: server {:.3} ms + authenticator {:.3} ms; server-only capacity ~{:.0}/s on {cores} cores",
        sequential.server_ms,
        sequential.authenticator_ms,
        cores as f64 * 1000.0 / sequential.server_ms
    );
    for (name, parts) in [("registration", &floor.registration), ("login", &floor.login)] {
        println!(
            "library floor per {name}: authenticator {:.3} ms + webauthn-rs {:.3} ms + RS256 sign {:.3} ms = {:.3} ms; \
             at most ~{:.0}/s on {cores} cores",
            parts.authenticator_ms,
            parts.webauthn_ms,
            parts.rs256_ms,
            parts.total_ms(),
            parts.ceiling_per_second(cores)
        );
    }
    write_report(if postgres { "auth-server-postgres.json" } else { "auth-server.json" }, &report);
}
