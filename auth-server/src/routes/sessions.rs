//! The account page's session list: the current user's sessions (refresh-token families) in this app, ending one,
//! and signing out everywhere. Authenticated with the user's auth token like E15 (`authenticated_user`, which also
//! refuses the token of an ended session). A session id of another user is "not found": its existence is never
//! confirmed.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde_json::{json, Value};

use super::current_user::authenticated_user;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::refresh_tokens;
use crate::views;

/// `GET /currentuser/sessions` → `{"sessions": [Session]}`: the live sessions, newest `last_used_at` first, the
/// caller's own marked `current`.
pub async fn list(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let app = state.app(&app_id)?;
    let (user, claims) = authenticated_user(&state, &app, &headers).await?;
    let sessions = refresh_tokens::live_sessions(state.db(), &app.config.id, &user.id, state.now()).await?;
    let current = claims.sid.as_deref();
    Ok(Json(json!({ "sessions": sessions.iter().map(|s| views::session(s, current)).collect::<Vec<_>>() })))
}

/// `DELETE /currentuser/sessions/{session_id}` → 204: that session's refresh tokens are revoked, so its auth tokens
/// stop working here at once (ASVS 5.0 V7.4.1 terminated sessions; V7.5.2 the user can end any of their active
/// sessions). The caller's own session may be ended too. 404 `session_not_found` for an unknown or ended id, or
/// another user's.
pub async fn revoke(
    State(state): State<AppState>,
    Path((app_id, session_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let app = state.app(&app_id)?;
    let (user, _) = authenticated_user(&state, &app, &headers).await?;
    if !refresh_tokens::revoke_session_of_user(state.db(), &app.config.id, &user.id, &session_id, state.now()).await? {
        return Err(ApiError::new(StatusCode::NOT_FOUND, "session_not_found", "No such session on this account."));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /currentuser/sessions` → 204, "sign out everywhere": every refresh token of the user in this app is
/// revoked, this request's session included (ASVS 5.0 V7.4.3 offers the user to terminate all other sessions; this
/// ends all, and the account page signs in again if it wants to stay).
pub async fn revoke_all(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let app = state.app(&app_id)?;
    let (user, _) = authenticated_user(&state, &app, &headers).await?;
    let revoked = refresh_tokens::revoke_all_of_user(state.db(), &app.config.id, &user.id, state.now()).await?;
    tracing::info!(app = %app.config.id, user = %user.id, revoked, "signed out everywhere");
    Ok(StatusCode::NO_CONTENT)
}
