//! `GET /healthz` (liveness: the process answers; no database) and `GET /readyz` (readiness: every dependency a
//! request needs answers). A load balancer takes an instance out of rotation while `/readyz` fails and an
//! orchestrator restarts it only when `/healthz` does, so a database outage never restarts the whole fleet.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use crate::error::ApiError;
use crate::state::AppState;

pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// 200 `{"status":"ready"}`, or 503 `not_ready` naming what is unreachable (`"database unreachable"`,
/// `"limit store unreachable"`); each failure's reason is logged, never sent.
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let db = state.db().clone();
    let limits = state.clone();
    let checks = vec![
        ops::health::Check::new("database", async move { sqlx::query("SELECT 1").execute(&db).await.map(drop) }),
        // Without its limit store an instance refuses every budgeted request (503), so it is not ready.
        ops::health::Check::new("limit store", async move { limits.rate_limiter().store().ping().await }),
    ];
    ops::health::check_all(checks).await.map_err(|not_ready| {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "not_ready", format!("Not ready: {not_ready}."))
    })?;
    Ok(Json(json!({ "status": "ready" })))
}
