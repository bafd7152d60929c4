//! Sessions through the management API: revoke every refresh token of a user.

use axum::extract::{Path, State};
use axum::http::StatusCode;

use crate::error::ApiError;
use crate::routes::extract::ApiKey;
use crate::state::AppState;
use crate::store::{refresh_tokens, users};

/// `DELETE /v1/apps/{app_id}/users/{user_id}/tokens` → 204: every session of the user in the app ends (no refresh
/// works, and this server's own endpoints refuse their auth tokens at once; other verifiers accept those until they
/// expire). The user can sign in again. 404 `user_not_found`.
pub async fn revoke_all(
    State(state): State<AppState>,
    ApiKey(app): ApiKey,
    Path((_, user_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let user = users::find_by_id(state.db(), &app.config.id, &user_id).await?.ok_or_else(ApiError::user_not_found)?;
    refresh_tokens::revoke_all_of_user(state.db(), &app.config.id, &user.id, state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}
