//! `GET /v1/apps/{app_id}/.well-known/jwks.json`: public keys for verifying auth tokens (spec §8.1).

use axum::extract::{Path, State};
use axum::Json;
use serde_json::Value;

use crate::error::ApiError;
use crate::state::AppState;

pub async fn jwks(State(state): State<AppState>, Path(app_id): Path<String>) -> Result<Json<Value>, ApiError> {
    state.app(&app_id)?;
    // A backend asks when it meets an unknown `kid`: the token may come from an instance that already signs with
    // a key this one has not loaded yet. A failed check serves what is loaded (the keys are still valid).
    if let Err(error) = state.refresh_keys_if_changed().await {
        tracing::warn!(%error, "checking for rotated signing keys failed");
    }
    Ok(Json(state.keys().jwks()))
}
