//! `GET /v1/apps/{app_id}/.well-known/jwks.json`: public keys for verifying auth tokens (spec §8.1).

use axum::extract::{Path, State};
use axum::Json;
use serde_json::Value;

use crate::error::ApiError;
use crate::state::AppState;

pub async fn jwks(State(state): State<AppState>, Path(app_id): Path<String>) -> Result<Json<Value>, ApiError> {
    state.app(&app_id)?;
    Ok(Json(state.keys().jwks()))
}
