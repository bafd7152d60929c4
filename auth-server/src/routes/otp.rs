//! E8 / E9 (send a one-time code for registration or login) and E10 (activate it).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::email_auth::{self, Purpose, Requester};
use crate::error::{ApiError, ApiJson};
use crate::limits::ClientIp;
use crate::mail;
use crate::state::{AppState, RegisteredApp};
use crate::store::otps::{self, Verification};

#[derive(Deserialize)]
pub struct SendOtp {
    identifier: String,
    /// The element's UI language; messages are English only, so it is accepted and not used.
    #[serde(default)]
    #[allow(dead_code)]
    language: Option<String>,
}

fn otp_ttl(app: &RegisteredApp) -> Result<u64, ApiError> {
    app.config.auth_methods.otp.as_ref().map(|m| m.ttl).ok_or_else(|| ApiError::method_disabled("one-time code"))
}

/// E8: `POST /register/otp {"identifier","language"}` → `{"otp_id"}`.
pub async fn register(
    state: State<AppState>,
    path: Path<String>,
    ip: ClientIp,
    requester: Requester,
    body: ApiJson<SendOtp>,
) -> Result<Json<Value>, ApiError> {
    send(state, path, ip, requester, body, Purpose::Register).await
}

/// E9: `POST /login/otp {"identifier","language"}` → `{"otp_id"}` (also for pending users: "Resend").
pub async fn login(
    state: State<AppState>,
    path: Path<String>,
    ip: ClientIp,
    requester: Requester,
    body: ApiJson<SendOtp>,
) -> Result<Json<Value>, ApiError> {
    send(state, path, ip, requester, body, Purpose::Login).await
}

async fn send(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    ip: ClientIp,
    Requester(requested): Requester,
    ApiJson(body): ApiJson<SendOtp>,
    purpose: Purpose,
) -> Result<Json<Value>, ApiError> {
    let app = state.app(&app_id)?;
    let ttl = otp_ttl(&app)?;
    let user = email_auth::recipient(&state, &app, &ip, &body.identifier, purpose).await?;
    let (otp_id, code) = otps::create(state.db(), &app.config.id, &user.id, ttl as i64, state.now()).await?;
    // ASVS 5.0 V6.3.5: the message tells the owner who asked for the code (time, browser, network).
    email_auth::deliver(&state, &mail::otp_mail(&user.email, &app.config.name, &code, ttl, &requested)).await?;
    Ok(Json(json!({ "otp_id": otp_id })))
}

#[derive(Deserialize)]
pub struct ActivateOtp {
    otp: String,
    otp_id: String,
}

/// E10: `POST /otp/activate {"otp","otp_id"}` → `{"auth_result"}`. 401 after too many attempts (the element shows
/// its "too many attempts" message only for 401); 400/404 otherwise ("invalid or expired").
pub async fn activate(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    ip: ClientIp,
    ApiJson(body): ApiJson<ActivateOtp>,
) -> Result<Json<Value>, ApiError> {
    let app = state.app(&app_id)?;
    otp_ttl(&app)?;
    state.limit_activation_by_ip(&ip)?;
    // Attempts are also counted per user before the code is checked, so requesting new codes does not give a
    // guesser unlimited tries at one account.
    if let Some(user_id) = otps::owner(state.db(), &app.config.id, &body.otp_id).await? {
        state.limit_activation_by_user(&app.config.id, &user_id)?;
    }
    let verification = otps::verify(state.db(), &app.config.id, &body.otp_id, body.otp.trim(), state.now()).await?;
    let user_id = match verification {
        Verification::Verified { user_id } => user_id,
        Verification::Wrong { .. } => {
            return Err(ApiError::bad_request("invalid_otp", "The code is not valid."));
        }
        Verification::TooManyAttempts { .. } => {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "otp_attempts_exceeded",
                "Too many attempts. Request a new code.",
            ))
        }
        Verification::Expired => {
            return Err(ApiError::bad_request("otp_expired", "The code has expired. Request a new code."))
        }
        Verification::NotFound => {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "otp_not_found",
                "The code is not valid or was already used.",
            ))
        }
    };
    let auth_result = email_auth::login_by_email(&state, &app, &user_id).await?;
    Ok(Json(json!({ "auth_result": auth_result })))
}
