//! Test support shared by the integration tests and the load test: a fake auth server on a real socket (JWKS and
//! the management "get user" and "delete user" calls), token minting with the fixture keys, and a fresh database
//! per test.
#![allow(dead_code)]

pub mod harness;

/// Runs each scenario `async fn(TestDb)` once on SQLite (`sqlite::name`) and once on PostgreSQL (`postgres::name`,
/// see [`TestDb::postgres`]: it fails when its server does not answer). `--skip postgres::` leaves the latter out
/// (what `cargo xtask test` does, counting them as skipped, when it finds no PostgreSQL): keep that module name.
/// The invoking file needs `TestDb` in scope.
#[allow(unused_macros)] // the load test includes this module too
macro_rules! on_both_databases {
    ($($scenario:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $scenario() {
                    super::$scenario(super::TestDb::sqlite()).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $scenario() {
                    super::$scenario(super::TestDb::postgres().await).await;
                }
            )*
        }
    };
}

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use jsonwebtoken::jwk::{Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use tokio::sync::oneshot;

use backend::Config;

pub const APP_ID: &str = "test-app";
pub const API_KEY: &str = "test-management-key";

// ---------------------------------------------------------------------------------------------------------------
// Keys and tokens

/// A fixture signing key (`tests/fixtures/<kid>.pem`); its `kid` is the file's stem.
#[derive(Clone)]
pub struct TestKey {
    pub kid: String,
    pub encoding: EncodingKey,
    pub jwk: Value,
    pub pem: &'static [u8],
}

impl TestKey {
    pub fn a() -> TestKey {
        TestKey::load("key-a", include_bytes!("../fixtures/key-a.pem"))
    }
    pub fn b() -> TestKey {
        TestKey::load("key-b", include_bytes!("../fixtures/key-b.pem"))
    }
    /// Never published in the JWKS.
    pub fn c() -> TestKey {
        TestKey::load("key-c", include_bytes!("../fixtures/key-c.pem"))
    }

    fn load(kid: &str, pem: &'static [u8]) -> TestKey {
        let encoding = EncodingKey::from_rsa_pem(pem).expect("fixture key is RSA PEM");
        let mut jwk = Jwk::from_encoding_key(&encoding, Algorithm::RS256).expect("RSA key to JWK");
        jwk.common.key_id = Some(kid.to_owned());
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        jwk.common.key_algorithm = Some(KeyAlgorithm::RS256);
        TestKey { kid: kid.to_owned(), encoding, jwk: serde_json::to_value(jwk).unwrap(), pem }
    }

    /// The same key pair under another kid (in tokens and in the JWKS entry).
    pub fn renamed(mut self, kid: &str) -> TestKey {
        self.kid = kid.to_owned();
        self.jwk["kid"] = Value::String(kid.to_owned());
        self
    }

    /// Key A's public half as PEM text, which anyone can derive from the JWKS (for the HS256-confusion forgery).
    pub fn a_public_pem() -> &'static [u8] {
        include_bytes!("../fixtures/key-a.pub.pem")
    }
}

pub fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

/// The claims the auth server issues (passage-auth-api.md §8.3) for `user_id`, valid for five minutes.
pub fn claims_for(user_id: &str) -> Value {
    let now = unix_now();
    json!({
        "sub": user_id,
        "aud": ["http://auth.test", APP_ID],
        "iss": APP_ID,
        "iat": now,
        "nbf": now,
        "exp": now + 300,
    })
}

/// Signs `claims` with RS256 under `key`'s kid.
pub fn sign(key: &TestKey, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(key.kid.clone());
    jsonwebtoken::encode(&header, claims, &key.encoding).unwrap()
}

/// A valid token for `user_id`, signed with key A.
pub fn token_for(user_id: &str) -> String {
    sign(&TestKey::a(), &claims_for(user_id))
}

pub fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

// ---------------------------------------------------------------------------------------------------------------
// The fake auth server

/// How the fake answers a management call ("get user" and "delete user" each have their own).
#[derive(Clone, Debug)]
pub enum ManagementMode {
    Normal,
    Fail(StatusCode),
    /// 404 with this error code (the real "no such user" is `user_not_found`).
    NotFound(&'static str),
    Slow(Duration),
}

pub struct FakeAuthState {
    pub jwks: RwLock<Vec<Value>>,
    /// The users the fake knows, with their e-mail address.
    pub emails: Mutex<HashMap<String, String>>,
    pub mode: Mutex<ManagementMode>,
    pub delete_mode: Mutex<ManagementMode>,
    pub jwks_hits: AtomicUsize,
    pub user_hits: AtomicUsize,
    /// The user id of every delete call that reached the fake, answered or not, in order.
    pub delete_calls: Mutex<Vec<String>>,
}

/// A stand-in for auth-server on 127.0.0.1 (below the unit under test): it serves
/// `/v1/apps/{app}/.well-known/jwks.json` and `GET`/`DELETE /v1/apps/{app}/users/{id}` like
/// passage-auth-api.md §8 and ACCOUNT-CONTRACT.md.
pub struct FakeAuthServer {
    pub url: String,
    pub state: Arc<FakeAuthState>,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl FakeAuthServer {
    /// Starts with key A in the JWKS.
    pub async fn start() -> FakeAuthServer {
        let state = Arc::new(FakeAuthState {
            jwks: RwLock::new(vec![TestKey::a().jwk]),
            emails: Mutex::new(HashMap::new()),
            mode: Mutex::new(ManagementMode::Normal),
            delete_mode: Mutex::new(ManagementMode::Normal),
            jwks_hits: AtomicUsize::new(0),
            user_hits: AtomicUsize::new(0),
            delete_calls: Mutex::new(Vec::new()),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let mut server = FakeAuthServer { url: format!("http://{addr}"), state, addr, stop: None, task: None };
        server.serve(listener);
        server
    }

    fn serve(&mut self, listener: tokio::net::TcpListener) {
        let router = Router::new()
            .route("/v1/apps/{app}/.well-known/jwks.json", get(jwks))
            .route("/v1/apps/{app}/users/{user}", get(get_user).delete(delete_user))
            .with_state(self.state.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        self.stop = Some(stop);
        self.task = Some(task);
    }

    /// Listens again on the same port after [`stop`](Self::stop), with the same state.
    pub async fn restart(&mut self) {
        let listener = tokio::net::TcpListener::bind(self.addr).await.expect("the fake's port is free again");
        self.serve(listener);
    }

    pub fn set_keys(&self, keys: &[&TestKey]) {
        *self.state.jwks.write().unwrap() = keys.iter().map(|k| k.jwk.clone()).collect();
    }

    pub fn add_user(&self, user_id: &str, email: &str) {
        self.state.emails.lock().unwrap().insert(user_id.to_owned(), email.to_owned());
    }

    pub fn set_mode(&self, mode: ManagementMode) {
        *self.state.mode.lock().unwrap() = mode;
    }

    pub fn set_delete_mode(&self, mode: ManagementMode) {
        *self.state.delete_mode.lock().unwrap() = mode;
    }

    pub fn knows_user(&self, user_id: &str) -> bool {
        self.state.emails.lock().unwrap().contains_key(user_id)
    }

    pub fn delete_calls(&self) -> Vec<String> {
        self.state.delete_calls.lock().unwrap().clone()
    }

    pub fn jwks_hits(&self) -> usize {
        self.state.jwks_hits.load(Ordering::SeqCst)
    }

    pub fn user_hits(&self) -> usize {
        self.state.user_hits.load(Ordering::SeqCst)
    }

    /// Stops listening; afterwards connections to its port are refused.
    pub async fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
        }
    }
}

async fn jwks(State(state): State<Arc<FakeAuthState>>, Path(app): Path<String>) -> Response {
    state.jwks_hits.fetch_add(1, Ordering::SeqCst);
    if app != APP_ID {
        return (StatusCode::NOT_FOUND, Json(json!({"code": "app_not_found", "error": "App not found."})))
            .into_response();
    }
    Json(json!({ "keys": *state.jwks.read().unwrap() })).into_response()
}

async fn get_user(
    State(state): State<Arc<FakeAuthState>>,
    Path((app, user)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    state.user_hits.fetch_add(1, Ordering::SeqCst);
    let mode = state.mode.lock().unwrap().clone();
    if let Some(refusal) = refuse(mode, &app, &headers).await {
        return refusal;
    }
    let email = state.emails.lock().unwrap().get(&user).cloned();
    match email {
        Some(email) => Json(json!({"user": {
            "id": user, "email": email, "email_verified": true, "phone": "", "phone_verified": false,
            "status": "active", "user_metadata": null, "webauthn": true, "webauthn_devices": [],
            "webauthn_types": ["platform"], "recent_events": [], "social_connections": {},
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
            "last_login_at": "2026-01-01T00:00:00Z", "login_count": 1, "external_id": ""
        }}))
        .into_response(),
        None => not_found("user_not_found"),
    }
}

/// `DELETE /v1/apps/{app}/users/{user}`: 204 and the user is forgotten, or 404 `user_not_found`.
async fn delete_user(
    State(state): State<Arc<FakeAuthState>>,
    Path((app, user)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    state.delete_calls.lock().unwrap().push(user.clone());
    let mode = state.delete_mode.lock().unwrap().clone();
    if let Some(refusal) = refuse(mode, &app, &headers).await {
        return refusal;
    }
    match state.emails.lock().unwrap().remove(&user) {
        Some(_) => StatusCode::NO_CONTENT.into_response(),
        None => not_found("user_not_found"),
    }
}

/// The answer of a management call that does not get to its work: the failure `mode` asks for, a wrong API key or
/// app (401). `None` lets the call go on (after the delay of `Slow`).
async fn refuse(mode: ManagementMode, app: &str, headers: &HeaderMap) -> Option<Response> {
    match mode {
        ManagementMode::Normal => {}
        ManagementMode::Fail(status) => {
            return Some((status, Json(json!({"code": "internal_server_error", "error": "boom"}))).into_response())
        }
        ManagementMode::NotFound(code) => return Some(not_found(code)),
        ManagementMode::Slow(delay) => tokio::time::sleep(delay).await,
    }
    let authorized = headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(&format!("Bearer {API_KEY}"));
    if !authorized || app != APP_ID {
        return Some(
            (StatusCode::UNAUTHORIZED, Json(json!({"code": "invalid_access_token", "error": "no"}))).into_response(),
        );
    }
    None
}

fn not_found(code: &str) -> Response {
    (StatusCode::NOT_FOUND, Json(json!({"code": code, "error": "Not found."}))).into_response()
}

// ---------------------------------------------------------------------------------------------------------------
// Databases

/// A database for one test: a SQLite file in a temp dir, or a fresh PostgreSQL database.
pub enum TestDb {
    Sqlite { dir: tempfile::TempDir, url: String },
    Postgres { admin_url: String, name: String, url: String },
}

impl TestDb {
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        // A sub-folder that does not exist yet: the backend must create it.
        let url = format!("sqlite://{}/data/app.sqlite3", dir.path().display());
        TestDb::Sqlite { dir, url }
    }

    /// A new database on the server named by `TEST_DATABASE_URL`, else on the project machines' local PostgreSQL
    /// (the address `cargo xtask test` looks for, `xtask/src/test_postgres.rs`). Panics when that server does not
    /// answer: a Postgres variant that returned early would be counted as passed without having run.
    pub async fn postgres() -> TestDb {
        let admin_url = std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|url| !url.trim().is_empty())
            .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().subsec_nanos();
        let name = format!("backend_test_{}_{}_{}", std::process::id(), nanos, COUNTER.fetch_add(1, Ordering::SeqCst));
        let mut admin = connect_admin(&admin_url).await;
        sqlx::Executor::execute(&mut admin, format!("CREATE DATABASE {name}").as_str()).await.unwrap();
        let mut url = reqwest::Url::parse(&admin_url).expect("TEST_DATABASE_URL is a URL");
        url.set_path(&format!("/{name}"));
        TestDb::Postgres { admin_url, name, url: url.to_string() }
    }

    pub fn url(&self) -> &str {
        match self {
            TestDb::Sqlite { url, .. } | TestDb::Postgres { url, .. } => url,
        }
    }

    /// Drops the Postgres database (the SQLite temp dir goes with `self`).
    pub async fn cleanup(self) {
        if let TestDb::Postgres { admin_url, name, .. } = self {
            let mut admin = connect_admin(&admin_url).await;
            let _ =
                sqlx::Executor::execute(&mut admin, format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                    .await;
        }
    }
}

async fn connect_admin(admin_url: &str) -> sqlx::PgConnection {
    use sqlx::Connection;
    sqlx::PgConnection::connect(admin_url).await.unwrap_or_else(|err| {
        let mut shown = reqwest::Url::parse(admin_url).expect("TEST_DATABASE_URL is a URL");
        if shown.password().is_some() {
            let _ = shown.set_password(Some("***"));
        }
        panic!(
            "this Postgres variant could not run: no PostgreSQL at {shown} ({err}). Start one there, set \
             TEST_DATABASE_URL, or leave the variants out with `cargo test -- --skip postgres::`; `cargo xtask \
             test` does that by itself when it finds no PostgreSQL, and reports them as skipped"
        )
    })
}

// ---------------------------------------------------------------------------------------------------------------
// Configuration

/// A configuration for tests: everything explicit, so variables in the environment cannot leak in.
pub fn test_config(auth_url: &str, database_url: &str) -> Config {
    Config {
        bind: "127.0.0.1:0".parse().unwrap(),
        database_url: database_url.to_owned(),
        auth_url: auth_url.to_owned(),
        // The fake auth server answers both APIs on one address.
        auth_management_url: auth_url.to_owned(),
        app_id: APP_ID.to_owned(),
        auth_api_key: API_KEY.to_owned(),
        allowed_origins: vec!["http://localhost:8080".to_owned()],
        token_issuer: None,
        skip_issuer_check: false,
        email_cache_ttl: Duration::from_secs(60),
        jwks_min_refetch_interval: Duration::from_secs(30),
        jwks_max_age: Duration::from_secs(600),
        token_leeway: Duration::from_secs(30),
        request_timeout: Duration::from_secs(10),
        header_read_timeout: Duration::from_secs(10),
        auth_request_timeout: Duration::from_secs(3),
        database_max_connections: 4,
        log_format: ops::logging::LogFormat::Text,
        metrics_bind: None,
    }
}
