//! The log span of each request: every line logged while the request is handled carries its `request_id`,
//! method, route template and (escaped) URI, and tower-http's `TraceLayer` logs the response's status and latency
//! on it (at `debug`, target `tower_http`; 5xx at `error`).
//!
//! The span itself is at `info` with target [`SPAN_TARGET`], so the default filters (`info`) keep it and the
//! `request_id` reaches the lines that matter (a refused token, a failed database call).

use axum::extract::MatchedPath;
use axum::http::Request;
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::TraceLayer;

use crate::log_text::Untrusted;
use crate::request_id::RequestId;

/// The target of the request span (for `RUST_LOG`, e.g. `ops::request=off` to drop it).
pub const SPAN_TARGET: &str = "ops::request";

/// The route label of requests no route matched (404s, unknown paths): never the raw path, which a client
/// chooses.
pub const UNMATCHED_ROUTE: &str = "unmatched";

/// The route template the router matched (`/v1/apps/{app_id}/users`), or [`UNMATCHED_ROUTE`].
pub fn route_of<B>(request: &Request<B>) -> &str {
    request.extensions().get::<MatchedPath>().map_or(UNMATCHED_ROUTE, MatchedPath::as_str)
}

/// How [`layer`] makes its span.
pub type MakeSpan = fn(&Request<axum::body::Body>) -> tracing::Span;

/// tower-http's `TraceLayer` with [`request_span`] as its span.
pub fn layer() -> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, MakeSpan> {
    TraceLayer::new_for_http().make_span_with(request_span as MakeSpan)
}

/// tower-http's default span plus the request id and route, with the URI escaped: hyper lets UTF-8 through in
/// the path, and a NEL (U+0085) or U+2028 there would break the log line (ASVS 5.0 V16.4.1).
pub fn request_span<B>(request: &Request<B>) -> tracing::Span {
    // [`crate::request_id::assign`] runs first; a router without it still gets an id per span.
    let request_id = request.extensions().get::<RequestId>().cloned().unwrap_or_else(RequestId::random);
    tracing::info_span!(
        target: SPAN_TARGET,
        "request",
        request_id = %request_id,
        method = %request.method(),
        route = %route_of(request),
        uri = %Untrusted(request.uri()),
        version = ?request.version(),
    )
}
