//! Management API (spec §8.5), server to server with `Authorization: Bearer <api key>`: "get user"
//! (`GET /v1/apps/{app_id}/users/{user_id}`) and "delete user" (`DELETE` on the same path).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde_json::{json, Value};

use crate::error::ApiError;
use crate::log_text::Untrusted;
use crate::state::{AppState, RegisteredApp};
use crate::store::{credentials, users};
use crate::{tokens, views};

/// The key is checked before the user is looked up, so an unauthenticated caller learns nothing about ids. A key
/// of another app is refused like no key.
fn require_api_key(app: &RegisteredApp, headers: &HeaderMap) -> Result<(), ApiError> {
    let key = tokens::bearer(headers).unwrap_or_default();
    if !app.accepts_api_key(key) {
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, "invalid_access_token", "Invalid or missing API key."));
    }
    Ok(())
}

pub async fn get_user(
    State(state): State<AppState>,
    Path((app_id, user_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let app = state.app(&app_id)?;
    require_api_key(&app, &headers)?;
    let user = users::find_by_id(state.db(), &app.config.id, &user_id).await?.ok_or_else(ApiError::user_not_found)?;
    let creds = credentials::for_user(state.db(), &user.id).await?;
    Ok(Json(json!({ "user": views::passage_user(&user, &creds) })))
}

/// `DELETE /v1/apps/{app_id}/users/{user_id}` → 204: the user and everything kept about them (passkeys, sessions,
/// codes, links, handshakes, notices, wrong-code counters) are deleted in one transaction, so their auth tokens stop
/// working here at once and the address is free: registering it again makes a new user with a new id. 404
/// `user_not_found` when there is no such user (the backend's account deletion treats that as done, so a retry
/// after a lost answer is harmless).
pub async fn delete_user(
    State(state): State<AppState>,
    Path((app_id, user_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let app = state.app(&app_id)?;
    require_api_key(&app, &headers)?;
    if !users::delete_with_everything(state.db(), &app.config.id, &user_id).await? {
        return Err(ApiError::user_not_found());
    }
    tracing::info!(app = %app.config.id, user = %Untrusted(&user_id), "user deleted through the management API");
    Ok(StatusCode::NO_CONTENT)
}
