//! What running both servers in production takes, written once so the two do not drift apart: the HTTP/1 accept
//! loop with slow-client limits and graceful drain ([`serve()`]), the shutdown signal ([`shutdown`]), log set-up
//! ([`logging`]), request ids ([`request_id`]), the per-request log span ([`trace`]), Prometheus metrics
//! ([`metrics`], [`http_metrics`]) and readiness checks ([`health`]).
//!
//! Nothing here knows either server's state, routes or error shape: each server maps what it gets from here
//! (a [`health::NotReady`], for instance) to its own wire format.

pub mod health;
pub mod http_metrics;
pub mod log_text;
pub mod logging;
pub mod metrics;
pub mod request_id;
pub mod serve;
pub mod shutdown;
pub mod trace;

use axum::Router;

pub use serve::serve;
pub use shutdown::Shutdown;

/// The layers every public route gets: a request id (taken from the load balancer's `X-Request-Id` or made
/// here, echoed in the response), a log span carrying it with the route, and the request metrics.
///
/// `listener` names the listener in the metrics (`api`, `management`): two listeners of one process may serve
/// the same route template with different meanings.
///
/// Call it last on a router (after its other layers): the span then sees the final status, and the metrics the
/// answers of the server's own error layers. Applied with `Router::layer`, so it runs after routing and knows
/// the route template (`MatchedPath`).
pub fn observe(router: Router, listener: &'static str) -> Router {
    router
        .layer(axum::middleware::from_fn_with_state(http_metrics::Listener(listener), http_metrics::record))
        .layer(trace::layer())
        .layer(axum::middleware::from_fn(request_id::assign))
}
