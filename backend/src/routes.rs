//! The API's handlers (DESIGN §4): `POST /user`, `GET /user`, `DELETE /user`, `GET /healthz`, `GET /readyz`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use contract::{CurrentUser, SaveName, SavedProfile};
use serde_json::{json, Value};

use crate::error::AppError;
use crate::extract::{Caller, JsonBody};
use crate::log_text::Untrusted;
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
    let (profile, email) = tokio::join!(
        state.db.find_profile(&caller.user_id),
        state.emails.email_of(&caller.user_id, caller.session_id.as_deref())
    );
    Ok(Json(CurrentUser { id: caller.user_id, name: profile?.map(|p| p.name), email }))
}

/// Deletes the caller's account: 204, also when it was already deleted.
///
/// The auth server goes first. If it fails, nothing here is touched (502) and the client retries; if the profile
/// row were deleted first and the auth server then failed, the user could still sign in and find their profile
/// gone. The other way round a failure between the two steps leaves only an orphan row that nobody can sign in
/// to, and the retry (the token still verifies by signature) finds the user gone there (404) and removes it.
pub async fn delete_account(State(state): State<AppState>, caller: Caller) -> Result<StatusCode, AppError> {
    let deletion = state.auth_server.delete_user(&caller.user_id).await.map_err(AppError::AuthServerUnavailable)?;
    let had_profile = state.db.delete_profile(&caller.user_id).await?;
    state.emails.forget(&caller.user_id);
    tracing::info!(user_id = %Untrusted(&caller.user_id), ?deletion, had_profile, "account deleted");
    Ok(StatusCode::NO_CONTENT)
}

/// Liveness: 200 while the process answers, whatever the database does (a load balancer restarts an instance
/// whose liveness fails; a database outage is for `/readyz`). `database` names the configured kind; it is not
/// checked here.
pub async fn healthz(State(state): State<AppState>) -> Json<Value> {
    Json(json!({ "status": "ok", "database": state.db.kind() }))
}

/// Readiness: 200 `{"status":"ready"}` when the database answers a query, else 503 `not_ready` naming what is
/// unreachable (a load balancer sends no traffic here meanwhile).
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    let db = state.db.clone();
    ops::health::check_all(vec![ops::health::Check::new("database", async move { db.ping().await })])
        .await
        .map_err(AppError::NotReady)?;
    Ok(Json(json!({ "status": "ready" })))
}

/// Unknown paths get the API's JSON 404.
pub async fn not_found() -> (StatusCode, Json<contract::ApiError>) {
    (StatusCode::NOT_FOUND, Json(contract::ApiError::new("not_found", "There is nothing at this address.")))
}
