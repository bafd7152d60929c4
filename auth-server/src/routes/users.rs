//! E2 (does the user exist?) and E3 (create a pending user).

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::email_auth::parse_identifier;
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;
use crate::store::{credentials, users};
use crate::views;

/// E2: `GET /users?identifier=...` → `{"user": PublicUser}` or, for an unknown user, `{"user": null}` with 200
/// (the element treats any error as "enter a valid email").
pub async fn lookup(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let app = state.app(&app_id)?;
    let identifier = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(key, _)| key == "identifier")
        .map(|(_, value)| value.into_owned())
        .ok_or_else(|| ApiError::bad_request("invalid_request", "The identifier query parameter is required."))?;
    // A malformed address (or one with markup characters) is a 400, which the element shows as "enter a valid
    // email" and stops: it never reaches the views that inject the identifier as HTML.
    let email = parse_identifier(&identifier)?;
    // An expired pending user (see `users::PENDING_USER_TTL_SECS`) is absent: the address is free again.
    match users::find_live_by_email(state.db(), &app.config.id, &email, state.now()).await? {
        Some(user) => {
            let creds = credentials::for_user(state.db(), &user.id).await?;
            Ok(Json(json!({ "user": views::public_user(&user, &creds) })))
        }
        None => Ok(Json(json!({ "user": null }))),
    }
}

#[derive(Deserialize)]
pub struct CreateUser {
    identifier: String,
    #[serde(default)]
    #[allow(dead_code)] // accepted for wire compatibility; no metadata fields are configured
    user_metadata: Option<Value>,
}

/// E3: `POST /users {"identifier"}` → 201 `{"user"}` for a new pending user, 200 for an existing pending one
/// (the element calls it again for pending users, so it must be idempotent).
pub async fn create(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    ApiJson(body): ApiJson<CreateUser>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let app = state.app(&app_id)?;
    if !app.config.public_signup {
        // The element shows this text verbatim only when it starts with "Public signup" (spec §1.5).
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "public_signup_disabled",
            "Public signup is not allowed for this app.",
        ));
    }
    let email = parse_identifier(&body.identifier)?;
    let (user, created) = users::create_pending(state.db(), &app.config.id, &email, state.now()).await?;
    match user.status {
        users::UserStatus::Pending => {}
        // Registration must not touch an account that already exists: log in instead.
        users::UserStatus::Active => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "user_already_exists",
                "An account with this email already exists.",
            ))
        }
        users::UserStatus::Inactive => return Err(ApiError::user_inactive()),
    }
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(json!({ "user": views::public_user(&user, &[]) }))))
}
