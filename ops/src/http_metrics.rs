//! Request metrics: `http_requests_total{listener,route,method,status}` and the latency histogram
//! `http_request_duration_seconds{listener,route,method}`. Labels come from the listener's name, the route
//! template and a fixed method list, never from text the client chooses, so their number stays bounded however
//! many paths are probed.

use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;

pub const REQUESTS_TOTAL: &str = "http_requests_total";
pub const REQUEST_DURATION_SECONDS: &str = "http_request_duration_seconds";

/// The `listener` label: which of the process's listeners answered (`api`, `management`).
#[derive(Debug, Clone, Copy)]
pub struct Listener(pub &'static str);

/// Middleware: counts each answered request and records how long it took.
pub async fn record(State(Listener(listener)): State<Listener>, request: Request, next: Next) -> Response {
    let route = crate::trace::route_of(&request).to_owned();
    let method = method_label(request.method());
    let started = Instant::now();
    let response = next.run(request).await;
    let seconds = started.elapsed().as_secs_f64();
    metrics::histogram!(
        REQUEST_DURATION_SECONDS,
        "listener" => listener, "route" => route.clone(), "method" => method
    )
    .record(seconds);
    let status = response.status().as_u16().to_string();
    metrics::counter!(
        REQUESTS_TOTAL,
        "listener" => listener, "route" => route, "method" => method, "status" => status
    )
    .increment(1);
    response
}

/// The standard methods by name; any other token (hyper accepts any) as `other`.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::Request;
    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt;

    /// Routes are labelled by their template, unknown paths as `unmatched`, odd methods as `other`: a client
    /// probing a million paths adds no series.
    #[tokio::test]
    async fn requests_are_counted_by_route_template_not_raw_path() {
        let handle = crate::metrics::recorder();
        let app = crate::observe(
            Router::new()
                .route("/metrics-test/users/{user_id}", get(|| async { "ok" }))
                .fallback(|| async { (axum::http::StatusCode::NOT_FOUND, "nothing") }),
            "metrics-test",
        );
        for path in ["/metrics-test/users/alice", "/metrics-test/users/bob", "/metrics-test/secret-probe-path"] {
            app.clone().oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap();
        }
        let custom = Request::builder().method("BREW").uri("/metrics-test/users/carol").body(Body::empty()).unwrap();
        app.oneshot(custom).await.unwrap();

        let text = handle.render();
        let users = text
            .lines()
            .find(|line| {
                line.starts_with("http_requests_total{")
                    && line.contains(r#"route="/metrics-test/users/{user_id}""#)
                    && line.contains(r#"method="GET""#)
                    && line.contains(r#"status="200""#)
            })
            .unwrap_or_else(|| panic!("the template is the label:\n{text}"));
        assert!(users.ends_with(" 2"), "both users' requests in one series: {users}");
        assert!(text.lines().any(|l| l.starts_with("http_requests_total{")
            && l.contains(r#"route="unmatched""#)
            && l.contains(r#"status="404""#)));
        assert!(text.lines().any(|l| l.contains(r#"method="other""#)), "{text}");
        assert!(!text.contains("alice") && !text.contains("secret-probe-path"), "raw paths never label:\n{text}");
        assert!(
            text.lines().any(|l| l.starts_with("http_request_duration_seconds_bucket{")
                && l.contains(r#"route="/metrics-test/users/{user_id}""#)),
            "the latency histogram has buckets per route:\n{text}"
        );
    }
}
