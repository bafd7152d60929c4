//! The app's own API (DESIGN §4): profile names keyed by the auth server's user id.
//!
//! [`app`] builds the router from an [`AppState`] (tests drive it with `tower::ServiceExt::oneshot`); [`serve`]
//! runs it on a listener until a shutdown signal, with `ops`' serve loop (slow-client limits, graceful drain).
//! `main.rs` only parses flags, sets up logging and metrics and calls these.

pub mod auth_server;
pub mod config;
pub mod db;
pub mod email;
pub mod error;
pub mod extract;
pub mod log_text;
pub mod routes;
pub mod state;
pub mod token;

use std::future::Future;
use std::time::Duration;

use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

pub use config::Config;
pub use state::AppState;

/// Largest request body accepted (413 beyond). A name is at most 100 characters; 4 KiB leaves room for JSON
/// escapes and nothing for abuse.
pub const MAX_BODY_BYTES: usize = 4 * 1024;

/// The HTTP API as a `Router`.
pub fn app(state: AppState) -> Router {
    let allowed_origins = state.allowed_origins.clone();
    let timeout = state.request_timeout;
    let routes = Router::new()
        .route("/user", get(routes::current_user).post(routes::save_name).delete(routes::delete_account))
        .route("/healthz", get(routes::healthz))
        .route("/readyz", get(routes::readyz))
        .fallback(routes::not_found)
        .with_state(state);
    with_api_layers(routes, &allowed_origins, timeout)
}

/// The middleware every route gets. Layers run outside-in in the reverse order of these calls: the body limit
/// is nearest the handlers, `ops::observe` (request id, log span, request metrics) outermost so it sees the
/// final status.
fn with_api_layers(routes: Router, allowed_origins: &[HeaderValue], timeout: Duration) -> Router {
    let cors = CorsLayer::new()
        // Only the configured SPA origins; any other origin gets no Access-Control-Allow-Origin header.
        .allow_origin(AllowOrigin::list(allowed_origins.iter().cloned()))
        .allow_methods([Method::GET, Method::POST, Method::DELETE, Method::OPTIONS])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
        // The SPA may show the request id in an error report, so support can find the request's log lines.
        .expose_headers([ops::request_id::X_REQUEST_ID])
        .max_age(Duration::from_secs(600));
    let routes = routes
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, timeout))
        .layer(CatchPanicLayer::custom(|_panic| {
            // The panic message may hold internals: it is never sent (the panic hook has printed it).
            error::AppError::Internal("a request handler panicked".into()).into_response()
        }))
        .layer(axum::middleware::from_fn(error::json_error_bodies))
        .layer(cors);
    ops::observe(routes, "api")
}

/// Serves [`app`] on `listener` until `shutdown` completes, then lets in-flight requests finish. Clients that do
/// not send their headers within `state.header_read_timeout` are disconnected ([`ops::serve()`]).
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let header_read_timeout = state.header_read_timeout;
    ops::serve(listener, app(state), header_read_timeout, shutdown).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    /// Errors the API's own routes never produce (a panic, a 429 from a handler or a proxy-like layer) still get
    /// the JSON error body, through the same layers.
    #[tokio::test]
    async fn foreign_errors_and_panics_become_json_errors() {
        async fn panics() -> &'static str {
            panic!("database password is hunter2")
        }
        let routes = Router::new()
            .route("/panic", get(panics))
            .route("/busy", get(|| async { (StatusCode::TOO_MANY_REQUESTS, "slow down") }))
            .route("/teapot", get(|| async { (StatusCode::IM_A_TEAPOT, "short and stout") }));
        let app = with_api_layers(routes, &[], Duration::from_secs(5));
        for (path, status, code) in [
            ("/panic", StatusCode::INTERNAL_SERVER_ERROR, "internal_error"),
            ("/busy", StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            ("/teapot", StatusCode::IM_A_TEAPOT, "bad_request"),
        ] {
            let response = app.clone().oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap();
            assert_eq!(response.status(), status, "{path}");
            assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
            let bytes = axum::body::to_bytes(response.into_body(), 4096).await.unwrap();
            let body: contract::ApiError = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(body.error.code, code, "{path}");
            assert!(!String::from_utf8_lossy(&bytes).contains("hunter2"), "5xx never leak internals");
        }
    }
}
