//! What the OTP and magic-link routes share: who may receive a code or link, and how a proven user logs in.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::StatusCode;

use crate::error::ApiError;
use crate::ids;
use crate::limits::ClientIp;
use crate::mail::{Mail, MailError};
use crate::state::{AppState, RegisteredApp};
use crate::store::users::{self, User, UserStatus};
use crate::tokens::{self, AuthResult};

/// Registration (E8, E11) or login (E9, E12).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Register,
    Login,
}

/// The identifier check of E3, E8/E9, E11/E12: a 400 the element shows as an error, never an address with markup
/// in it (see `ids::IDENTIFIER_FORBIDDEN_CHARS`).
pub fn invalid_identifier() -> ApiError {
    ApiError::bad_request(
        "invalid_identifier",
        "Enter a valid email address (spaces and the characters < > \" ' & ` \\ are not allowed).",
    )
}

pub fn parse_identifier(raw: &str) -> Result<String, ApiError> {
    ids::normalize_email(raw).ok_or_else(invalid_identifier)
}

/// The user a code or link may be sent to, after the send limits were counted.
///
/// Registration needs the pending user E3 created (an active account must log in instead). Login accepts active
/// and pending users: the elements' "Resend" always calls the login variant, also during registration.
pub async fn recipient(
    state: &AppState,
    app: &RegisteredApp,
    ip: &ClientIp,
    identifier: &str,
    purpose: Purpose,
) -> Result<User, ApiError> {
    let email = parse_identifier(identifier)?;
    // Counted before the lookup, so probing unknown addresses is limited as much as mailing known ones.
    state.limit_send(ip, &app.config.id, &email)?;
    let user = users::find_by_email(state.db(), &app.config.id, &email).await?.ok_or_else(ApiError::user_not_found)?;
    match (user.status, purpose) {
        (UserStatus::Inactive, _) => Err(ApiError::user_inactive()),
        (UserStatus::Active, Purpose::Register) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "user_already_exists",
            "An account with this email already exists.",
        )),
        _ => Ok(user),
    }
}

/// Send a message; a transport failure is logged and answered 502 (the element shows "could not send").
pub async fn deliver(state: &AppState, mail: &Mail) -> Result<(), ApiError> {
    state.mailer().send(mail).await.map_err(|err: MailError| {
        // The error can quote the address or the SMTP server's reply: escaped onto one line (ASVS 5.0 V16.4.1).
        tracing::error!(err = %crate::log_text::escaped(&err), "sending mail failed");
        ApiError::new(StatusCode::BAD_GATEWAY, "mail_not_sent", "The message could not be sent. Try again later.")
    })
}

/// The user proved control of their address: activate a pending user, mark the address verified, count the
/// login, and issue the AuthResult. Inactive users are refused even with a valid code.
pub async fn login_by_email(state: &AppState, app: &Arc<RegisteredApp>, user_id: &str) -> Result<AuthResult, ApiError> {
    let user = users::find_by_id(state.db(), &app.config.id, user_id).await?.ok_or_else(ApiError::user_not_found)?;
    if user.status == UserStatus::Inactive {
        return Err(ApiError::user_inactive());
    }
    users::record_email_login(state.db(), &user.id).await?;
    tokens::issue_auth_result(state, app, &user.id).await
}

/// Who asked for a code or link: when, with which User-Agent, from which client IP (the per-IP limits' address),
/// for the notice in its message (`mail::RequestContext`).
pub struct Requester(pub crate::mail::RequestContext);

impl FromRequestParts<AppState> for Requester {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ip = ClientIp::from_request_parts(parts, state).await?;
        let user_agent = parts
            .headers
            .get(axum::http::header::USER_AGENT)
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
        Ok(Self(crate::mail::RequestContext { at: state.now(), user_agent, ip: ip.0 }))
    }
}
