//! The `<passage-profile>` calls for what this server does not keep: phone numbers (P9), user metadata (P10/P11)
//! and social connections (P12/P13). Each answers honestly after the same authentication as E15, so the element
//! shows its fixed failure text instead of a network error, and a script gets a code that says why. With our App
//! object (`allowed_identifier: email`, `layouts.profile: []`, `social_connections: {}`) the element never calls
//! them (PROFILE-API.md §2.6-§2.8).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde_json::{json, Value};

use super::current_user::authenticated_user;
use crate::error::ApiError;
use crate::state::AppState;

async fn authenticate(state: &AppState, app_id: &str, headers: &HeaderMap) -> Result<(), ApiError> {
    let app = state.app(app_id)?;
    authenticated_user(state, &app, headers).await.map(|_| ())
}

/// P9: `PATCH /currentuser/phone` → 400 `phone_not_supported`.
pub async fn change_phone(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    authenticate(&state, &app_id, &headers).await?;
    Err(ApiError::bad_request(
        "phone_not_supported",
        "This app signs in with e-mail addresses only: an account has no phone number to change.",
    ))
}

/// P11: `GET /currentuser/user-metadata` → `{"user_metadata": null}` (E15 sends the same `null`).
pub async fn get_metadata(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    authenticate(&state, &app_id, &headers).await?;
    Ok(Json(json!({ "user_metadata": null })))
}

/// P10: `PATCH /currentuser/user-metadata` → 400 `user_metadata_not_supported` (the App's `user_metadata_schema`
/// is empty, so there is no field to store).
pub async fn change_metadata(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    authenticate(&state, &app_id, &headers).await?;
    Err(ApiError::bad_request(
        "user_metadata_not_supported",
        "This app defines no user metadata fields (its user_metadata_schema is empty), so none can be saved.",
    ))
}

/// P12: `GET /currentuser/social-connections` → `{"social_connections": {}}` (no social sign-in here).
pub async fn social_connections(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    authenticate(&state, &app_id, &headers).await?;
    Ok(Json(json!({ "social_connections": {} })))
}

/// P13: `DELETE /currentuser/social-connections/{provider}` → 404 `social_connection_not_found`: no account has one.
pub async fn remove_social_connection(
    State(state): State<AppState>,
    Path((app_id, _provider)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    authenticate(&state, &app_id, &headers).await?;
    Err(ApiError::new(
        StatusCode::NOT_FOUND,
        "social_connection_not_found",
        "This account has no social connections: this app offers no social sign-in.",
    ))
}
