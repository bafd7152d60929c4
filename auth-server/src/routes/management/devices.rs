//! A user's passkeys through the management API: list and revoke.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;

use super::wire::{Device, DeviceList};
use crate::error::ApiError;
use crate::mail;
use crate::routes::devices::{device_not_found, end_removed_passkey};
use crate::routes::email_auth;
use crate::routes::extract::ApiKey;
use crate::state::AppState;
use crate::store::credentials::{self, Removal};
use crate::store::users;

/// `GET /v1/apps/{app_id}/users/{user_id}/devices` → `{"devices": [WebAuthnDevices]}`.
pub async fn list(
    State(state): State<AppState>,
    ApiKey(app): ApiKey,
    Path((_, user_id)): Path<(String, String)>,
) -> Result<Json<DeviceList>, ApiError> {
    let user = users::find_by_id(state.db(), &app.config.id, &user_id).await?.ok_or_else(ApiError::user_not_found)?;
    let creds = credentials::for_user(state.db(), &user.id).await?;
    Ok(Json(DeviceList { devices: creds.iter().map(Device::from).collect() }))
}

/// `DELETE /v1/apps/{app_id}/users/{user_id}/devices/{device_id}` → 204. The passkey stops signing in at once and
/// the sessions it started end, as when the owner removes it (P4), and the owner is told the same way (notice and
/// mail). Unlike P4, the app may remove the last passkey of an account: the app decides (for a lost device). 404
/// `user_not_found`, or `device_not_found` for an id that is not one of this user's passkeys.
pub async fn revoke(
    State(state): State<AppState>,
    ApiKey(app): ApiKey,
    Path((_, user_id, device_id)): Path<(String, String, String)>,
) -> Result<StatusCode, ApiError> {
    let user = users::find_by_id(state.db(), &app.config.id, &user_id).await?.ok_or_else(ApiError::user_not_found)?;
    let now = state.now();
    let mut tx = state.db().begin().await?;
    let removed = match credentials::remove_for_user(&mut tx, &app.config.id, &user.id, &device_id, false).await? {
        Removal::Removed(credential) => *credential,
        Removal::NotFound | Removal::LastPasskey => return Err(device_not_found()),
    };
    let facts = end_removed_passkey(&mut tx, &app.config.id, &user.id, &removed, now).await?;
    tx.commit().await?;
    let language = email_auth::user_language(&app, &user);
    email_auth::inform(&state, &mail::passkey_removed_mail(&user.email, &app.config.name, &facts, language)).await;
    Ok(StatusCode::NO_CONTENT)
}
