//! Request extractors: the caller's identity from the bearer token, and a JSON body with API-shaped errors.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;

use crate::error::AppError;
use crate::log_text::Untrusted;
use crate::state::AppState;

/// The verified caller. Extracting it checks `Authorization: Bearer <token>` against the auth server's keys.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: String,
    /// The auth server's session of the token (`sid`), if it names one.
    pub session_id: Option<String>,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
            return Err(AppError::MissingToken);
        };
        let value = value.to_str().map_err(|_| {
            tracing::info!(reason = "Authorization header is not visible ASCII", "rejected bearer token");
            AppError::InvalidToken
        })?;
        // The scheme is case-insensitive (RFC 7235 §2.1). Another scheme (Basic, ...) means no bearer token.
        let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(AppError::MissingToken);
        }
        let token = token.trim();
        if token.is_empty() {
            tracing::info!(reason = "empty bearer token", "rejected bearer token");
            return Err(AppError::InvalidToken);
        }
        match state.verifier.verify(token).await {
            Ok(verified) => Ok(Caller { user_id: verified.user_id, session_id: verified.session_id }),
            Err(reason) => {
                // The reason is for operators; the client only learns "invalid_token". It may quote the token's
                // header (e.g. serde's "unknown variant `<alg>`"), so it is escaped: ASVS 5.0 V16.4.1, log
                // entries must be encoded so an attacker cannot forge a line.
                tracing::info!(reason = %Untrusted(&reason), "rejected bearer token");
                Err(AppError::InvalidToken)
            }
        }
    }
}

/// `axum::Json`, with its rejections turned into the API's errors (415, 413, 400 `invalid_json`).
pub struct JsonBody<T>(pub T);

impl<T, S> FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(JsonBody(value)),
            Err(rejection) => Err(match rejection {
                JsonRejection::MissingJsonContentType(_) => AppError::UnsupportedMediaType,
                JsonRejection::JsonDataError(error) => AppError::InvalidJson(error.body_text()),
                JsonRejection::JsonSyntaxError(error) => AppError::InvalidJson(error.body_text()),
                // Reading the body failed: over the size limit (413), or the client went away.
                other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
                other => AppError::InvalidJson(other.body_text()),
            }),
        }
    }
}
