//! E15 (current user) and E16/E17 (add a passkey), authenticated with the user's auth token (Bearer).

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use webauthn_rs::prelude::RegisterPublicKeyCredential;

use super::passkeys::{credential_error, finish_registration, require_passkeys, start_registration};
use crate::error::{ApiError, ApiJson};
use crate::state::{AppState, RegisteredApp};
use crate::store::challenges::CeremonyKind;
use crate::store::credentials;
use crate::store::users::{self, User, UserStatus};
use crate::tokens;
use crate::views;

/// The user named by a valid auth token for this app. Inactive users are refused: their tokens stop working.
async fn authenticated_user(state: &AppState, app: &RegisteredApp, headers: &HeaderMap) -> Result<User, ApiError> {
    let token = tokens::bearer(headers).ok_or_else(ApiError::invalid_token)?;
    let claims = state.keys().verify(&app.config.id, token)?;
    let user = users::find_by_id(state.db(), &app.config.id, &claims.sub).await?.ok_or_else(ApiError::invalid_token)?;
    if user.status == UserStatus::Inactive {
        return Err(ApiError::user_inactive());
    }
    Ok(user)
}

/// E15: `GET /currentuser` → `{"user": CurrentUser}`.
pub async fn get_current_user(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let app = state.app(&app_id)?;
    let user = authenticated_user(&state, &app, &headers).await?;
    let creds = credentials::for_user(state.db(), &user.id).await?;
    Ok(Json(json!({ "user": views::current_user(&user, &creds) })))
}

#[derive(Deserialize)]
pub struct AddDeviceStart {
    #[serde(default)]
    authenticator_attachment: Option<String>,
}

#[derive(Deserialize)]
pub struct AddDeviceFinish {
    handshake_id: String,
    #[serde(default)]
    user_id: Option<String>,
    handshake_response: RegisterPublicKeyCredential,
}

/// E16: `POST /currentuser/devices/start` → same shape as E4; the user's passkeys are excluded.
pub async fn add_device_start(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<AddDeviceStart>,
) -> Result<Json<Value>, ApiError> {
    let app = state.app(&app_id)?;
    require_passkeys(&app)?;
    let user = authenticated_user(&state, &app, &headers).await?;
    let body =
        start_registration(&state, &app, &user, body.authenticator_attachment.as_deref(), CeremonyKind::AddDevice)
            .await?;
    Ok(Json(body))
}

/// E17: `POST /currentuser/devices/finish` → `{"device": Device}`.
pub async fn add_device_finish(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<AddDeviceFinish>,
) -> Result<Json<Value>, ApiError> {
    let app = state.app(&app_id)?;
    require_passkeys(&app)?;
    let user = authenticated_user(&state, &app, &headers).await?;
    // The handshake must have been started by this same user (the token's subject), not just any user.
    let claimed = body.user_id.as_deref().unwrap_or(&user.id);
    if claimed != user.id {
        return Err(ApiError::bad_request("invalid_handshake", "The passkey handshake does not belong to this user."));
    }
    let (handshake_user, passkey) = finish_registration(
        &state,
        &app,
        &body.handshake_id,
        Some(&user.id),
        &body.handshake_response,
        CeremonyKind::AddDevice,
    )
    .await?;
    debug_assert_eq!(handshake_user, user.id);
    let mut tx = state.db().begin().await?;
    let credential =
        credentials::insert(&mut tx, &app.config.id, &user.id, &passkey).await.map_err(credential_error)?;
    tx.commit().await?;
    Ok(Json(json!({ "device": views::device(&credential) })))
}
