//! The API's handlers (DESIGN §4): `POST /user`, `GET /user`, `GET /healthz`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use contract::{CurrentUser, SaveName, SavedProfile};
use serde_json::{json, Value};

use crate::error::AppError;
use crate::extract::{Caller, JsonBody};
use crate::state::AppState;

/// Saves the caller's name: 201 when this created the profile, 200 when it updated it.
///
/// The caller is extracted before the body, so an unauthenticated request is refused before its body is read.
pub async fn save_name(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<SaveName>,
) -> Result<(StatusCode, Json<SavedProfile>), AppError> {
    // The SPA checks the same rules, but a client can be bypassed: the server decides.
    let name = contract::validate_name(&body.name).map_err(AppError::InvalidName)?;
    let saved = state.db.upsert_profile(&caller.user_id, &name).await?;
    let status = if saved.created { StatusCode::CREATED } else { StatusCode::OK };
    let profile = saved.profile;
    Ok((
        status,
        Json(SavedProfile {
            id: profile.user_id,
            name: profile.name,
            created_at: profile.created_at,
            updated_at: profile.updated_at,
        }),
    ))
}

/// The caller's profile: the saved name (or null) and the e-mail address from the auth server (or null).
pub async fn current_user(State(state): State<AppState>, caller: Caller) -> Result<Json<CurrentUser>, AppError> {
    // Both lookups are independent: run them together.
    let (profile, email) = tokio::join!(state.db.find_profile(&caller.user_id), state.emails.email_of(&caller.user_id));
    Ok(Json(CurrentUser { id: caller.user_id, name: profile?.map(|p| p.name), email }))
}

/// Liveness and readiness: 200 when the database answers, 503 otherwise.
pub async fn healthz(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    state.db.ping().await.map_err(AppError::Unavailable)?;
    Ok(Json(json!({ "status": "ok", "database": state.db.kind() })))
}

/// Unknown paths get the API's JSON 404.
pub async fn not_found() -> (StatusCode, Json<contract::ApiError>) {
    (StatusCode::NOT_FOUND, Json(contract::ApiError::new("not_found", "There is nothing at this address.")))
}
