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
pub mod limits;
pub mod mail;
mod routes;
pub mod state;
pub mod store;
pub mod tokens;
pub mod views;

use std::time::Duration;

use axum::http::{header, HeaderName, Method};
use axum::Router;
use tower_http::cors::{Any, CorsLayer};
use tower_http::trace::TraceLayer;

pub use config::{AppConfig, ConfigFile};
pub use error::ApiError;
pub use routes::locales_en_json;
pub use state::{AppState, ServerOptions};
pub use tokens::{issue_auth_result, AuthResult, Claims};

/// The whole API as a router.
pub fn app(state: AppState) -> Router {
    routes::router(state.dev_mailbox().is_some()).with_state(state).layer(cors()).layer(TraceLayer::new_for_http())
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
