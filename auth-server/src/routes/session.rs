//! E18 (refresh: rotate the refresh token, issue a new AuthResult) and E19 (revoke: sign-out).

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::{ApiError, ApiJson};
use crate::sign_in;
use crate::state::AppState;
use crate::store::refresh_tokens;
use crate::store::users::{self, UserStatus};

fn invalid_refresh_token() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "invalid_refresh_token",
        "The refresh token is invalid, expired or revoked.",
    )
}

#[derive(Deserialize)]
pub struct RefreshRequest {
    refresh_token: String,
}

/// E18: `POST /tokens {"refresh_token"}` → `{"auth_result"}` with a new refresh token in the same session; the old
/// one is revoked, so a stolen refresh token works at most once. Presenting a revoked token again revokes the whole
/// session (refresh-token reuse detection): either the client or a thief holds a copy, and we cannot tell which.
pub async fn refresh(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> Result<Json<Value>, ApiError> {
    let app = state.app(&app_id)?;
    let now = state.now();
    let stored = refresh_tokens::find(state.db(), &app.config.id, &body.refresh_token)
        .await?
        .ok_or_else(invalid_refresh_token)?;
    if stored.revoked {
        let revoked = refresh_tokens::revoke_family(state.db(), &app.config.id, &stored.session.family_id, now).await?;
        tracing::warn!(app = %app.config.id, user = %stored.user_id, revoked, "revoked refresh token reused: session revoked");
        return Err(invalid_refresh_token());
    }
    // Expiry covers both lifetimes: a token never outlives its session's absolute end (see `refresh_tokens::create`).
    if stored.expires_at <= now {
        return Err(invalid_refresh_token());
    }
    // Revoking is the claim: of two concurrent refreshes with one token, only one gets new tokens; the other is a
    // reuse and ends the session.
    if !refresh_tokens::revoke(state.db(), &app.config.id, &body.refresh_token, now).await? {
        refresh_tokens::revoke_family(state.db(), &app.config.id, &stored.session.family_id, now).await?;
        return Err(invalid_refresh_token());
    }
    let user =
        users::find_by_id(state.db(), &app.config.id, &stored.user_id).await?.ok_or_else(invalid_refresh_token)?;
    if user.status == UserStatus::Inactive {
        return Err(ApiError::user_inactive());
    }
    // The same session: `auth_time` stays the sign-in time, so a refresh never counts as a fresh sign-in.
    let auth_result = sign_in::issue_in_session(&state, &app, &user.id, &stored.session).await?;
    Ok(Json(json!({ "auth_result": auth_result })))
}

/// E19: `DELETE /tokens?refresh_token=...` → 200 `{}`. Unknown tokens get the same answer (sign-out is idempotent
/// and must not reveal which tokens exist).
pub async fn revoke(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let app = state.app(&app_id)?;
    let token = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(key, _)| key == "refresh_token")
        .map(|(_, value)| value.into_owned())
        .ok_or_else(|| ApiError::bad_request("invalid_request", "The refresh_token query parameter is required."))?;
    refresh_tokens::revoke(state.db(), &app.config.id, &token, state.now()).await?;
    Ok(Json(json!({})))
}
