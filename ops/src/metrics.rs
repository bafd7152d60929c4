//! The process's metrics recorder and the `GET /metrics` endpoint that shows it as Prometheus text.
//!
//! Metrics are recorded with the `metrics` macros where things happen; until [`recorder`] installs the Prometheus
//! recorder they cost nothing and go nowhere. The endpoint belongs on its own listener (`--metrics-bind`), never
//! on the public port: route names, error rates and pool sizes are for the operator only.

use std::sync::OnceLock;
use std::time::Duration;

use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Latency buckets in seconds: from a cached token check (sub-millisecond) to the request timeout (30 s).
const LATENCY_BUCKETS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// How often histogram samples are folded into their buckets when nobody scrapes (bounds their memory).
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// The Prometheus recorder of this process, installed as the global `metrics` recorder on the first call (a
/// process has one; tests that build several apps share it, so they look for their own series, not totals).
pub fn recorder() -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full(crate::http_metrics::REQUEST_DURATION_SECONDS.to_owned()),
                    LATENCY_BUCKETS,
                )
                .expect("latency buckets are not empty")
                .install_recorder()
                .expect("no other metrics recorder is installed in this process")
        })
        .clone()
}

/// `GET /metrics`: runs `before_scrape` (to sample gauges such as the database pool's) and renders every metric.
/// Everything else is 404.
pub fn router(handle: PrometheusHandle, before_scrape: impl Fn() + Clone + Send + Sync + 'static) -> Router {
    Router::new()
        .route(
            "/metrics",
            get(move || {
                let handle = handle.clone();
                let before_scrape = before_scrape.clone();
                async move {
                    before_scrape();
                    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], handle.render())
                }
            }),
        )
        .fallback(|| async { (StatusCode::NOT_FOUND, "not found: metrics are at /metrics\n").into_response() })
}

/// Folds histogram samples every few seconds for as long as the process runs (the exporter's own upkeep task
/// comes with its HTTP listener, which we do not use).
pub fn spawn_upkeep(handle: PrometheusHandle) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(UPKEEP_EVERY);
        loop {
            tick.tick().await;
            handle.run_upkeep();
        }
    });
}

/// Sets the two database pool gauges, `db_pool_connections` (open) and `db_pool_idle_connections`.
pub fn set_pool_gauges(open: u32, idle: usize) {
    metrics::gauge!("db_pool_connections").set(f64::from(open));
    metrics::gauge!("db_pool_idle_connections").set(idle as f64);
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    #[tokio::test]
    async fn the_endpoint_samples_gauges_then_renders_prometheus_text() {
        let app = router(recorder(), || set_pool_gauges(3, 2));
        let response = app.clone().oneshot(Request::get("/metrics").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
        let text =
            String::from_utf8(axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap().to_vec()).unwrap();
        assert!(text.lines().any(|line| line == "db_pool_connections 3"), "{text}");
        assert!(text.lines().any(|line| line == "db_pool_idle_connections 2"), "{text}");
        let other = app.oneshot(Request::get("/").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(other.status(), StatusCode::NOT_FOUND);
    }
}
