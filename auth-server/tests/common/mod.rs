//! Test harness: a fresh database per test (SQLite file in a temp dir, or a new database on the PostgreSQL of
//! [`postgres_admin_url`]), the router, request helpers, and passkey ceremonies with a software authenticator.
#![allow(dead_code)]

use std::str::FromStr;

use auth_server::config::{AppConfig, AuthMethods, PasskeysMethod, TtlMethod};
use auth_server::limits::Limits;
use auth_server::mail::{DevMailbox, MailKind};
use auth_server::{app, db, ids, AppState, ServerOptions};
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use sqlx::{ConnectOptions, Connection, Executor};
use tower::ServiceExt;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_rs::prelude::{CreationChallengeResponse, RequestChallengeResponse, Url};

pub const APP_ID: &str = "test-app";
pub const ORIGIN: &str = "http://localhost:8080";
pub const OTHER_APP_ID: &str = "other-app";
pub const CLOSED_APP_ID: &str = "closed-app";
pub const VERIFY_APP_ID: &str = "verify-app";
/// Passkeys plus magic links (no OTP), links valid 5 minutes.
pub const LINK_APP_ID: &str = "link-app";
pub const LINK_ORIGIN: &str = "http://localhost:5050";
/// Passkeys only: no code or link to fall back on.
pub const PASSKEY_ONLY_APP_ID: &str = "passkey-only-app";
pub const PASSKEY_ONLY_ORIGIN: &str = "http://localhost:4040";
/// The client address `request` sends from (as the socket peer, through `ConnectInfo`).
pub const CLIENT_IP: &str = "192.0.2.10";
pub const API_KEY: &str = "test-management-key-0123456789";
/// The management API key of `LINK_APP_ID` only (every other app accepts [`API_KEY`]): "another app's key".
pub const LINK_APP_API_KEY: &str = "link-app-management-key-9876543210";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

enum TestDb {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres {
        admin_url: String,
        name: String,
    },
    /// Another instance's database ([`Ctx::sibling`]): that instance's `cleanup` drops it.
    Shared,
}

pub struct Ctx {
    pub router: Router,
    pub state: AppState,
    pub mailbox: std::sync::Arc<DevMailbox>,
    pub backend: Backend,
    db: TestDb,
    url: String,
}

fn app_config(id: &str, origin: &str, public_signup: bool) -> AppConfig {
    AppConfig {
        id: id.into(),
        name: format!("{id} name"),
        auth_origin: origin.into(),
        redirect_url: "/dashboard".into(),
        login_url: "/login".into(),
        rp_id: None,
        allowed_identifier: "email".into(),
        public_signup,
        require_identifier_verification: false,
        default_language: "en".into(),
        auth_methods: AuthMethods {
            passkeys: Some(PasskeysMethod {}),
            otp: Some(TtlMethod { ttl: 600, ttl_display_unit: "s".into() }),
            magic_link: None,
        },
        auth_token_lifetime_secs: 900,
        refresh_token_lifetime_secs: 86_400,
        session_absolute_lifetime_secs: 7 * 86_400,
        management_api_key_sha256: vec![ids::sha256_hex(API_KEY)],
        reauthentication_window_secs: 600,
    }
}

pub fn test_apps() -> Vec<AppConfig> {
    vec![
        app_config(APP_ID, ORIGIN, true),
        app_config(OTHER_APP_ID, "http://localhost:9090", true),
        app_config(CLOSED_APP_ID, "http://localhost:7070", false),
        AppConfig { require_identifier_verification: true, ..app_config(VERIFY_APP_ID, "http://localhost:6060", true) },
        {
            let mut app = app_config(LINK_APP_ID, LINK_ORIGIN, true);
            app.auth_methods.otp = None;
            app.auth_methods.magic_link = Some(TtlMethod { ttl: 300, ttl_display_unit: "s".into() });
            app.management_api_key_sha256 = vec![ids::sha256_hex(LINK_APP_API_KEY)];
            app
        },
        {
            let mut app = app_config(PASSKEY_ONLY_APP_ID, PASSKEY_ONLY_ORIGIN, true);
            app.auth_methods.otp = None;
            app
        },
    ]
}

/// The PostgreSQL server the Postgres variants use: `TEST_DATABASE_URL`, else the project machines' local one (the
/// address `cargo xtask test` looks for, `xtask/src/test_postgres.rs`).
pub fn postgres_admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// A test that asked for PostgreSQL and cannot have it fails: passing would claim a run that did not happen.
fn no_postgres(admin_url: &str, err: impl std::fmt::Display) -> ! {
    let mut shown = Url::parse(admin_url).expect("TEST_DATABASE_URL is a URL");
    if shown.password().is_some() {
        let _ = shown.set_password(Some("***"));
    }
    panic!(
        "this Postgres variant could not run: no PostgreSQL at {shown} ({err}). Start one there, set \
         TEST_DATABASE_URL, or leave the variants out with `cargo test -- --skip postgres::`; `cargo xtask test` \
         does that by itself when it finds no PostgreSQL, and reports them as skipped"
    )
}

/// A fresh database and server state. Always `Some` (a Postgres context that cannot be made panics, see
/// [`no_postgres`]); the `Option` stays for the callers written when a missing Postgres returned `None`.
pub async fn ctx(backend: Backend) -> Option<Ctx> {
    ctx_with(backend, Limits::default(), false).await
}

/// As `ctx`, with these limits and proxy trust. Mail goes to a dev mailbox (`Ctx::mailbox`), as in `--dev`.
pub async fn ctx_with(backend: Backend, limits: Limits, trust_forwarded_for: bool) -> Option<Ctx> {
    ctx_with_options(backend, ServerOptions { limits, trust_forwarded_for, ..ServerOptions::dev() }).await
}

/// As `ctx`, with these server options (which must hold a dev mailbox, as `ServerOptions::dev()` does).
pub async fn ctx_with_options(backend: Backend, options: ServerOptions) -> Option<Ctx> {
    let (url, test_db) = match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            (format!("sqlite://{}", dir.path().join("auth.sqlite3").display()), TestDb::Sqlite(dir))
        }
        Backend::Postgres => {
            let admin_url = postgres_admin_url();
            let name = format!("auth_server_test_{}", ids::hex_lower(&ids::random_bytes(6)));
            sqlx::any::install_default_drivers();
            let mut admin =
                sqlx::AnyConnection::connect(&admin_url).await.unwrap_or_else(|err| no_postgres(&admin_url, err));
            admin.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create test database");
            admin.close().await.ok();
            let mut url = Url::parse(&admin_url).expect("TEST_DATABASE_URL is a URL");
            url.set_path(&format!("/{name}"));
            (url.to_string(), TestDb::Postgres { admin_url, name })
        }
    };
    let pool = db::connect(&url).await.expect("connect and migrate");
    let mailbox = options.dev_mailbox.clone().expect("dev mailbox");
    let state = AppState::with_options(pool, test_apps(), options).await.expect("state");
    Some(Ctx { router: app(state.clone()), state, mailbox, backend, db: test_db, url })
}

impl Ctx {
    /// A second instance of the server on this context's database (its own pool, state and router), as another
    /// process of a fleet would be. `options` as for `ctx_with_options`; the signing-key KEK is this instance's,
    /// as every instance of a fleet is given the same one.
    pub async fn sibling(&self, options: ServerOptions) -> Ctx {
        let pool = db::connect(&self.url).await.expect("connect the second instance");
        let mailbox = options.dev_mailbox.clone().expect("dev mailbox");
        let options = ServerOptions { key_encryption_key: Some(self.state.key_encryption_key().clone()), ..options };
        let state = AppState::with_options(pool, test_apps(), options).await.expect("second instance state");
        Ctx {
            router: app(state.clone()),
            state,
            mailbox,
            backend: self.backend,
            db: TestDb::Shared,
            url: self.url.clone(),
        }
    }

    /// The name of this context's own Postgres database (`None` on SQLite, and for a sibling).
    pub fn database_name(&self) -> Option<&str> {
        match &self.db {
            TestDb::Postgres { name, .. } => Some(name),
            _ => None,
        }
    }

    /// Close the pool and drop a Postgres test database.
    pub async fn cleanup(self) {
        self.state.db().close().await;
        if let TestDb::Postgres { admin_url, name } = &self.db {
            let opts =
                sqlx::any::AnyConnectOptions::from_str(admin_url).expect("admin url").disable_statement_logging();
            if let Ok(mut admin) = sqlx::AnyConnection::connect_with(&opts).await {
                let _ = admin.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await;
                admin.close().await.ok();
            }
        }
    }

    pub async fn request(
        &self,
        method: Method,
        uri: &str,
        body: Option<Value>,
        bearer: Option<&str>,
    ) -> (StatusCode, HeaderMap, Value) {
        self.request_from(CLIENT_IP, &[], method, uri, body, bearer).await
    }

    /// A request from the socket peer `ip`, with extra headers.
    pub async fn request_from(
        &self,
        ip: &str,
        headers: &[(&str, &str)],
        method: Method,
        uri: &str,
        body: Option<Value>,
        bearer: Option<&str>,
    ) -> (StatusCode, HeaderMap, Value) {
        let peer: std::net::SocketAddr = format!("{ip}:50000").parse().expect("ip");
        let mut builder = Request::builder()
            .extension(axum::extract::ConnectInfo(peer))
            .method(method)
            .uri(uri)
            .header("passage-version", "@passageidentity/passage-js 4.1.2")
            .header("passage-element-version", "2.0.9")
            .header("origin", ORIGIN);
        if let Some(token) = bearer {
            builder = builder.header("authorization", format!("Bearer {token}"));
        }
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let request = match body {
            Some(body) => builder.header("content-type", "application/json").body(Body::from(body.to_string())),
            None => builder.body(Body::empty()),
        }
        .expect("request");
        let response = self.router.clone().oneshot(request).await.expect("infallible router");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        let value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        (status, headers, value)
    }

    /// A request with a body sent as is (not JSON-encoded), with this content type if any: bad-input tests.
    pub async fn request_raw(
        &self,
        method: Method,
        uri: &str,
        content_type: Option<&str>,
        body: &str,
        bearer: Option<&str>,
    ) -> (StatusCode, Value) {
        let peer: std::net::SocketAddr = format!("{CLIENT_IP}:50000").parse().expect("ip");
        let mut builder = Request::builder().extension(axum::extract::ConnectInfo(peer)).method(method).uri(uri);
        if let Some(content_type) = content_type {
            builder = builder.header("content-type", content_type);
        }
        if let Some(token) = bearer {
            builder = builder.header("authorization", format!("Bearer {token}"));
        }
        let response =
            self.router.clone().oneshot(builder.body(Body::from(body.to_owned())).expect("request")).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        let value =
            serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
        (status, value)
    }

    /// A request to the management listener's router (`management_app`), as the backend or an SDK sends it.
    pub async fn management(&self, method: Method, uri: &str, bearer: Option<&str>) -> (StatusCode, Value) {
        self.management_json(method, uri, None, bearer).await
    }

    /// [`Ctx::management`] with a JSON body.
    pub async fn management_json(
        &self,
        method: Method,
        uri: &str,
        body: Option<Value>,
        bearer: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut builder = Request::builder().method(method).uri(uri);
        if let Some(token) = bearer {
            builder = builder.header("authorization", format!("Bearer {token}"));
        }
        let request = match body {
            Some(body) => builder.header("content-type", "application/json").body(Body::from(body.to_string())),
            None => builder.body(Body::empty()),
        }
        .expect("request");
        let response =
            auth_server::management_app(self.state.clone()).oneshot(request).await.expect("infallible router");
        let status = response.status();
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        (status, if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).expect("JSON body") })
    }

    pub async fn get(&self, uri: &str) -> (StatusCode, Value) {
        let (status, _, body) = self.request(Method::GET, uri, None, None).await;
        (status, body)
    }

    pub async fn get_bearer(&self, uri: &str, bearer: &str) -> (StatusCode, Value) {
        let (status, _, body) = self.request(Method::GET, uri, None, Some(bearer)).await;
        (status, body)
    }

    pub async fn post(&self, uri: &str, body: Value) -> (StatusCode, Value) {
        let (status, _, body) = self.request(Method::POST, uri, Some(body), None).await;
        (status, body)
    }

    pub async fn post_bearer(&self, uri: &str, body: Value, bearer: &str) -> (StatusCode, Value) {
        let (status, _, body) = self.request(Method::POST, uri, Some(body), Some(bearer)).await;
        (status, body)
    }

    /// P8, the account page's e-mail change request for `app_id` (with extra `headers`, e.g. `Accept-Language`);
    /// fails the test unless it is accepted.
    pub async fn change_email(&self, app_id: &str, token: &str, new_email: &str, headers: &[(&str, &str)]) {
        let uri = format!("/v1/apps/{app_id}/currentuser/email");
        let body = Some(json!({ "new_email": new_email }));
        let (status, _, body) = self.request_from(CLIENT_IP, headers, Method::PATCH, &uri, body, Some(token)).await;
        assert_eq!(status, StatusCode::OK, "e-mail change: {body}");
    }

    /// E3: create a pending user; returns the PublicUser.
    pub async fn create_user(&self, email: &str) -> Value {
        let (status, body) = self.post(&format!("/v1/apps/{APP_ID}/users"), json!({ "identifier": email })).await;
        assert!(status.is_success(), "create user: {status} {body}");
        body["user"].clone()
    }

    /// E4: start registration; returns the whole response.
    pub async fn register_start(&self, email: &str) -> Value {
        let (status, body) = self
            .post(
                &format!("/v1/apps/{APP_ID}/register/webauthn/start"),
                json!({ "identifier": email, "authenticator_attachment": "platform" }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "register start: {body}");
        body
    }

    /// E3 + E4 + authenticator + E5. Returns `(user_id, auth_result)`.
    pub async fn register_passkey(&self, email: &str, authenticator: &mut SoftPasskey) -> (String, Value) {
        self.create_user(email).await;
        let start = self.register_start(email).await;
        let credential = create_credential(authenticator, ORIGIN, &start["handshake"]["challenge"]);
        let user_id = start["user"]["id"].as_str().expect("user id").to_owned();
        let (status, body) = self
            .post(
                &format!("/v1/apps/{APP_ID}/register/webauthn/finish"),
                json!({ "handshake_id": start["handshake"]["id"], "user_id": user_id, "handshake_response": credential }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "register finish: {body}");
        (user_id, body["auth_result"].clone())
    }

    /// E6: start login; returns the whole response.
    pub async fn login_start(&self, email: &str) -> Value {
        let (status, body) =
            self.post(&format!("/v1/apps/{APP_ID}/login/webauthn/start"), json!({ "identifier": email })).await;
        assert_eq!(status, StatusCode::OK, "login start: {body}");
        body
    }

    /// E6 + authenticator + E7 → (status, body).
    pub async fn login_passkey(
        &self,
        email: &str,
        authenticator: &mut SoftPasskey,
        origin: &str,
    ) -> (StatusCode, Value) {
        let start = self.login_start(email).await;
        let assertion = get_assertion(authenticator, origin, &start["handshake"]["challenge"]);
        self.post(
            &format!("/v1/apps/{APP_ID}/login/webauthn/finish"),
            json!({ "handshake_id": start["handshake"]["id"], "user_id": start["user"]["id"], "handshake_response": assertion }),
        )
        .await
    }

    pub async fn patch(&self, uri: &str, body: Value) -> (StatusCode, Value) {
        let (status, _, body) = self.request(Method::PATCH, uri, Some(body), None).await;
        (status, body)
    }

    /// The newest one-time code mailed to `to`.
    pub fn last_code(&self, to: &str) -> String {
        match &self.mailbox.messages(Some(to)).first().expect("a message").mail.kind {
            MailKind::Otp { code } => code.clone(),
            other => panic!("expected a code, got {other:?}"),
        }
    }

    /// The newest magic link mailed to `to`.
    pub fn last_link(&self, to: &str) -> String {
        match &self.mailbox.messages(Some(to)).first().expect("a message").mail.kind {
            MailKind::MagicLink { link } => link.clone(),
            other => panic!("expected a link, got {other:?}"),
        }
    }

    /// Run SQL directly (to age a handshake, deactivate a user, ...).
    pub async fn sql(&self, statement: &str) {
        self.state.db().execute(statement).await.expect("sql");
    }
}

/// A software passkey that reports user verification (as a platform authenticator with a biometric would).
pub fn authenticator() -> SoftPasskey {
    SoftPasskey::new(true)
}

/// `navigator.credentials.create` with the server's `challenge` (`{"publicKey": ...}`), as the page at `origin`.
pub fn create_credential(authenticator: &mut SoftPasskey, origin: &str, challenge: &Value) -> Value {
    // The soft passkey is a roaming authenticator and refuses "platform" requests, so the attachment hint (already
    // checked by the tests that care) is dropped here, as a browser would route to a matching authenticator.
    let mut challenge = challenge.clone();
    if let Some(selection) = challenge["publicKey"]["authenticatorSelection"].as_object_mut() {
        selection.remove("authenticatorAttachment");
    }
    let options: CreationChallengeResponse = serde_json::from_value(challenge).expect("creation options");
    let credential =
        authenticator.do_registration(Url::parse(origin).unwrap(), options).expect("authenticator registration");
    serde_json::to_value(credential).unwrap()
}

/// `navigator.credentials.get` with the server's `challenge`, as the page at `origin`.
pub fn get_assertion(authenticator: &mut SoftPasskey, origin: &str, challenge: &Value) -> Value {
    let options: RequestChallengeResponse = serde_json::from_value(challenge.clone()).expect("request options");
    let assertion =
        authenticator.do_authentication(Url::parse(origin).unwrap(), options).expect("authenticator assertion");
    serde_json::to_value(assertion).unwrap()
}

/// Reshape a credential exactly as the 2.0.9 element posts it (spec E5/E7): only these keys, base64url without
/// padding, `transports` at the top level, no `clientExtensionResults`.
pub fn as_element_sends(credential: &Value) -> Value {
    let response = &credential["response"];
    let response = if response.get("attestationObject").is_some() {
        json!({ "attestationObject": response["attestationObject"], "clientDataJSON": response["clientDataJSON"] })
    } else {
        json!({
            "authenticatorData": response["authenticatorData"],
            "clientDataJSON": response["clientDataJSON"],
            "signature": response["signature"],
            "userHandle": response["userHandle"].as_str().unwrap_or(""),
        })
    };
    let mut shaped =
        json!({ "id": credential["id"], "rawId": credential["rawId"], "type": "public-key", "response": response });
    if credential["response"].get("attestationObject").is_some() {
        shaped["transports"] = json!(["internal"]);
    }
    for text in [&shaped["id"], &shaped["rawId"]] {
        assert!(!text.as_str().unwrap().contains('='), "no padding");
    }
    shaped
}

/// Decode a JWT part (base64url JSON) without verifying.
pub fn jwt_part(token: &str, index: usize) -> Value {
    use base64::Engine;
    let part = token.split('.').nth(index).expect("jwt part");
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).expect("b64")).expect("json")
}

/// Assert an error response has the `{"code","error"}` shape with this status and code.
#[track_caller]
pub fn assert_error(status: StatusCode, body: &Value, expected_status: StatusCode, expected_code: &str) {
    assert_eq!(status, expected_status, "body: {body}");
    assert_eq!(body["code"], expected_code, "body: {body}");
    assert!(body["error"].as_str().is_some_and(|e| !e.is_empty()), "error message missing: {body}");
}

/// Run each scenario `async fn name(ctx: &Ctx)` as two tests: `sqlite::name` and `postgres::name`. The latter fails
/// when its PostgreSQL does not answer; `--skip postgres::` leaves them all out (what `cargo xtask test` does,
/// counting them as skipped, when it finds no PostgreSQL): keep that module name.
#[allow(unused_macros)] // a test file may use only one of the two macros
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let ctx = crate::common::ctx(crate::common::Backend::Sqlite).await.expect("sqlite context");
                    super::$name(&ctx).await;
                    ctx.cleanup().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let ctx = crate::common::ctx(crate::common::Backend::Postgres).await.expect("postgres context");
                    super::$name(&ctx).await;
                    ctx.cleanup().await;
                }
            )*
        }
    };
}

/// Like [`on_both_databases!`] for scenarios that build their own context: each `async fn name(Backend)` becomes
/// `sqlite::name` and `postgres::name`.
#[allow(unused_macros)]
macro_rules! per_database {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(crate::common::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(crate::common::Backend::Postgres).await;
                }
            )*
        }
    };
}
