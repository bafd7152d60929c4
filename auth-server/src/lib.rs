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
pub mod locales;
pub mod log_text;
pub mod mail;
pub mod metrics;
mod routes;
pub mod sign_in;
pub mod state;
pub mod store;
pub mod tokens;
pub mod views;

use std::time::Duration;

use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::cors::{AllowOrigin, Any, CorsLayer};
use tower_http::timeout::TimeoutLayer;

pub use config::{AppConfig, ConfigFile};
pub use error::ApiError;
pub use routes::locales_en_json;
pub use sign_in::issue_auth_result;
pub use state::{AppState, ServerOptions};
pub use tokens::{AuthResult, Claims};

/// The whole API as a router.
pub fn app(state: AppState) -> Router {
    let api = routes::router().with_state(state.clone()).layer(cors());
    let router = match state.dev_mailbox() {
        // The dev mailbox gets its own CORS, not the API's `*`: a page on another origin must not read codes.
        Some(_) => routes::dev_mailbox().with_state(state.clone()).layer(dev_mailbox_cors(&state)).merge(api),
        None => api,
    };
    router
}

/// The management API as a router, for its own listener (`--management-bind`). No CORS: it is called by servers
/// with an API key, never by browsers.
pub fn management_app(state: AppState) -> Router {
    routes::management::router().with_state(state)
}

/// What the binary puts around [`app`] and [`management_app`] on their listeners: the request timeout (408 in the
/// API's error shape) and, outermost, `ops::observe` (request id, log span, request metrics), so a timed-out
/// request is still logged, counted and echoed its id.
/// `listener` (`api`, `management`) labels the request metrics.
pub fn serving(router: Router, listener: &'static str, request_timeout: Duration) -> Router {
    // The timeout inside, the rewrite of its empty 408 outside it.
    let router = router
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, request_timeout))
        .layer(axum::middleware::map_response(timeout_in_error_shape));
    ops::observe(router, listener)
}

/// tower-http's timeout answers an empty 408; the elements expect `{"code","error"}`. The timeout wraps the whole
/// app, CORS layer included, so the CORS header of every answer (`*`, see [`cors`]) is added here too.
async fn timeout_in_error_shape(response: Response) -> Response {
    if response.status() == StatusCode::REQUEST_TIMEOUT && !response.headers().contains_key(header::CONTENT_TYPE) {
        let mut response =
            ApiError::new(StatusCode::REQUEST_TIMEOUT, "request_timeout", "The request took too long.").into_response();
        response.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
        return response;
    }
    response
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
        // A page may show the request id in an error report, so support can find the request's log lines.
        .expose_headers([ops::request_id::X_REQUEST_ID])
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
