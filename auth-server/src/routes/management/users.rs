//! Users of the management API: get, create, update, activate, deactivate, delete.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::wire::{PassageUser, UserResponse};
use super::{invalid, Body};
use crate::error::ApiError;
use crate::ids;
use crate::log_text::Untrusted;
use crate::routes::extract::ApiKey;
use crate::state::AppState;
use crate::store::users::{self, ProfileChange, ProfileUpdate, User, UserStatus, MAX_METADATA_BYTES};
use crate::store::{credentials, refresh_tokens};

async fn user_response(state: &AppState, user: &User) -> Result<Json<UserResponse>, ApiError> {
    let creds = credentials::for_user(state.db(), &user.id).await?;
    Ok(Json(UserResponse { user: PassageUser::new(user, &creds) }))
}

async fn find(state: &AppState, app_id: &str, user_id: &str) -> Result<User, ApiError> {
    users::find_by_id(state.db(), app_id, user_id).await?.ok_or_else(ApiError::user_not_found)
}

/// `GET /v1/apps/{app_id}/users/{user_id}` → `{"user": PassageUser}`.
pub async fn get(
    State(state): State<AppState>,
    ApiKey(app): ApiKey,
    Path((_, user_id)): Path<(String, String)>,
) -> Result<Json<UserResponse>, ApiError> {
    let user = find(&state, &app.config.id, &user_id).await?;
    user_response(&state, &user).await
}

/// `DELETE /v1/apps/{app_id}/users/{user_id}` → 204: the user and everything kept about them (passkeys, sessions,
/// codes, links, handshakes, notices, wrong-code counters) are deleted in one transaction, so their auth tokens stop
/// working here at once and the address is free: registering it again makes a new user with a new id. 404
/// `user_not_found` when there is no such user (the backend's account deletion treats that as done, so a retry
/// after a lost answer is harmless).
pub async fn delete(
    State(state): State<AppState>,
    ApiKey(app): ApiKey,
    Path((_, user_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    if !users::delete_with_everything(state.db(), &app.config.id, &user_id).await? {
        return Err(ApiError::user_not_found());
    }
    tracing::info!(app = %app.config.id, user = %Untrusted(&user_id), "user deleted through the management API");
    Ok(StatusCode::NO_CONTENT)
}

/// `null` in a body is "clear it", an absent field is "leave it": serde folds both into `None` by itself.
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

/// `CreateUserArgs` and `UpdateUserArgs` (the same three fields).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserArgs {
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default, deserialize_with = "present")]
    user_metadata: Option<Value>,
}

/// This server signs in by e-mail only (as P9 answers the profile element): a phone number is refused, not dropped.
fn refuse_phone(phone: Option<&str>) -> Result<(), ApiError> {
    match phone.map(str::trim) {
        Some(phone) if !phone.is_empty() => {
            Err(invalid("phone", "phone numbers are not supported: this server signs users in by e-mail"))
        }
        _ => Ok(()),
    }
}

fn valid_email(raw: &str) -> Result<String, ApiError> {
    ids::normalize_email(raw).ok_or_else(|| {
        invalid("email", "not a valid e-mail address (spaces and the characters < > \" ' & ` \\ are not allowed)")
    })
}

/// The metadata as stored text: an object or null (`Some(None)` = clear it).
fn valid_metadata(value: Option<&Value>) -> Result<Option<Option<String>>, ApiError> {
    match value {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(object @ Value::Object(_)) => {
            let text = object.to_string();
            if text.len() > MAX_METADATA_BYTES {
                return Err(invalid("user_metadata", &format!("at most {MAX_METADATA_BYTES} bytes of JSON")));
            }
            Ok(Some(Some(text)))
        }
        Some(_) => Err(invalid("user_metadata", "must be a JSON object")),
    }
}

fn email_taken() -> ApiError {
    invalid("email", "a user with this e-mail address already exists")
}

/// `POST /v1/apps/{app_id}/users` (`CreateUserArgs`) → 201 `{"user"}`: an active user whose address is not verified
/// yet (the first code or link sign-in proves it). 400 `invalid_request` naming the field for a missing or invalid
/// e-mail, a phone number, metadata that is not an object, or an address that is taken.
pub async fn create(
    State(state): State<AppState>,
    ApiKey(app): ApiKey,
    Body(args): Body<UserArgs>,
) -> Result<(StatusCode, Json<UserResponse>), ApiError> {
    refuse_phone(args.phone.as_deref())?;
    let email = match args.email.as_deref().map(str::trim) {
        Some(email) if !email.is_empty() => valid_email(email)?,
        _ => return Err(invalid("email", "required")),
    };
    let metadata = valid_metadata(args.user_metadata.as_ref())?.flatten();
    let user = users::create_active(state.db(), &app.config.id, &email, metadata.as_deref(), state.now())
        .await?
        .ok_or_else(email_taken)?;
    tracing::info!(app = %app.config.id, user = %user.id, "user created through the management API");
    Ok((StatusCode::CREATED, user_response(&state, &user).await?))
}

/// `PATCH /v1/apps/{app_id}/users/{user_id}` (`UpdateUserArgs`) → `{"user"}`. A new address is stored unverified
/// and the codes and links not used yet are deleted (they went to the old one); `user_metadata` replaces the stored
/// object (`null` clears it). An empty body changes nothing.
pub async fn update(
    State(state): State<AppState>,
    ApiKey(app): ApiKey,
    Path((_, user_id)): Path<(String, String)>,
    Body(args): Body<UserArgs>,
) -> Result<Json<UserResponse>, ApiError> {
    refuse_phone(args.phone.as_deref())?;
    let email = args.email.as_deref().map(valid_email).transpose()?;
    let metadata = valid_metadata(args.user_metadata.as_ref())?;
    let change = ProfileChange { email: email.as_deref(), user_metadata: metadata.as_ref().map(Option::as_deref) };
    match users::update_profile(state.db(), &app.config.id, &user_id, &change, state.now()).await? {
        ProfileUpdate::Updated(user) => user_response(&state, &user).await,
        ProfileUpdate::NotFound => Err(ApiError::user_not_found()),
        ProfileUpdate::EmailTaken => Err(email_taken()),
    }
}

/// `PATCH /v1/apps/{app_id}/users/{user_id}/activate` → `{"user"}` with status `active`.
pub async fn activate(
    State(state): State<AppState>,
    ApiKey(app): ApiKey,
    Path((_, user_id)): Path<(String, String)>,
) -> Result<Json<UserResponse>, ApiError> {
    let user = users::set_status(state.db(), &app.config.id, &user_id, UserStatus::Active, state.now())
        .await?
        .ok_or_else(ApiError::user_not_found)?;
    user_response(&state, &user).await
}

/// `PATCH /v1/apps/{app_id}/users/{user_id}/deactivate` → `{"user"}` with status `inactive`. An inactive user cannot
/// sign in (every ceremony, code and link answers 403 `user_inactive`) nor refresh, and the user's sessions are
/// ended as well, so activating the user later does not bring them back.
pub async fn deactivate(
    State(state): State<AppState>,
    ApiKey(app): ApiKey,
    Path((_, user_id)): Path<(String, String)>,
) -> Result<Json<UserResponse>, ApiError> {
    let now = state.now();
    let user = users::set_status(state.db(), &app.config.id, &user_id, UserStatus::Inactive, now)
        .await?
        .ok_or_else(ApiError::user_not_found)?;
    refresh_tokens::revoke_all_of_user(state.db(), &app.config.id, &user.id, now).await?;
    tracing::info!(app = %app.config.id, user = %user.id, "user deactivated through the management API");
    user_response(&state, &user).await
}
