//! Self-hosted, Passage-compatible auth API for the `<passage-register>` / `<passage-login>` 2.0.9 elements.
//!
//! The wire contract is `shared/passage-auth-api.md`; `app(state)` is the whole HTTP surface, so tests drive it with
//! `tower::ServiceExt::oneshot` and the binary serves it on a socket.

pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod error;
pub mod ids;
pub mod import;
pub mod key_encryption;
pub mod limits;
pub mod log_text;
pub mod mail;
mod routes;
pub mod state;
pub mod store;
pub mod tokens;
pub mod views;

use std::time::Duration;

use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::Router;
use tower_http::cors::{AllowOrigin, Any, CorsLayer};
use tower_http::trace::TraceLayer;

pub use config::{AppConfig, ConfigFile};
pub use error::ApiError;
pub use routes::locales_en_json;
pub use state::{AppState, ServerOptions};
pub use tokens::{issue_auth_result, AuthResult, Claims};

/// The whole API as a router.
pub fn app(state: AppState) -> Router {
    let api = routes::router().with_state(state.clone()).layer(cors());
    let router = match state.dev_mailbox() {
        // The dev mailbox gets its own CORS, not the API's `*`: a page on another origin must not read codes.
        Some(_) => routes::dev_mailbox().with_state(state.clone()).layer(dev_mailbox_cors(&state)).merge(api),
        None => api,
    };
    router.layer(TraceLayer::new_for_http())
}

/// The management API as a router, for its own listener (`--management-bind`). No CORS: it is called by servers
/// with an API key, never by browsers.
pub fn management_app(state: AppState) -> Router {
    routes::management::router().with_state(state).layer(TraceLayer::new_for_http())
}

/// CORS as spec §1.3: the elements preflight every request (they send two custom headers). No cookies or other
/// credentials are ever used, so `*` is safe and serves every configured app's origin.
fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST, Method::PATCH, Method::DELETE, Method::OPTIONS])
        .allow_headers([
            header::CONTENT_TYPE,
            header::AUTHORIZATION,
            HeaderName::from_static("passage-version"),
            HeaderName::from_static("passage-element-version"),
        ])
        .max_age(Duration::from_secs(600))
}

/// CORS of `GET /dev/mailbox`: only the served apps' own origins (in `--dev`, exactly `--dev-origin`). With `*`, any
/// web page the developer opens could read every code and link and sign in as any test user (ASVS 5.0 V3.4.2:
/// `Access-Control-Allow-Origin` is a fixed allow-list, never `*` for sensitive data).
fn dev_mailbox_cors(state: &AppState) -> CorsLayer {
    let origins = state
        .app_ids()
        .iter()
        .filter_map(|id| state.app(id).ok())
        .filter_map(|app| HeaderValue::from_str(&app.origin).ok())
        .collect::<Vec<_>>();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET])
        .max_age(Duration::from_secs(600))
}
