//! Management API: `GET /v1/apps/{app_id}/users/{user_id}` with `Authorization: Bearer <api key>` (spec §8.5).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde_json::{json, Value};

use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{credentials, users};
use crate::{tokens, views};

pub async fn get_user(
    State(state): State<AppState>,
    Path((app_id, user_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let app = state.app(&app_id)?;
    // The key is checked before the user is looked up, so an unauthenticated caller learns nothing about ids.
    let key = tokens::bearer(&headers).unwrap_or_default();
    if !app.accepts_api_key(key) {
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, "invalid_access_token", "Invalid or missing API key."));
    }
    let user = users::find_by_id(state.db(), &app.config.id, &user_id).await?.ok_or_else(ApiError::user_not_found)?;
    let creds = credentials::for_user(state.db(), &user.id).await?;
    Ok(Json(json!({ "user": views::passage_user(&user, &creds) })))
}
