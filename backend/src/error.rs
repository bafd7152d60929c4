//! The one error type of the API and the layer that gives every error response the same JSON body.

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use contract::{ApiError, NameError};

use crate::auth_server::AuthServerError;
use crate::db::DbError;
use crate::log_text::Untrusted;

/// Everything a handler can fail with. Each variant knows its status, code and a message for a person.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("no bearer token")]
    MissingToken,
    /// The reason was logged where the token was checked; it is not returned.
    #[error("invalid token")]
    InvalidToken,
    #[error("invalid JSON: {0}")]
    InvalidJson(String),
    #[error("wrong content type")]
    UnsupportedMediaType,
    #[error("body too large")]
    PayloadTooLarge,
    #[error("invalid name: {0}")]
    InvalidName(NameError),
    /// `GET /readyz`: a dependency did not answer (the reason was logged by the check).
    #[error("not ready: {0}")]
    NotReady(ops::health::NotReady),
    /// A call the request depends on failed at the auth server (network, timeout, 5xx, unexpected answer).
    #[error("auth server unavailable: {0}")]
    AuthServerUnavailable(AuthServerError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<DbError> for AppError {
    fn from(error: DbError) -> Self {
        AppError::Internal(error.to_string())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code, message) = match &self {
            AppError::MissingToken => (
                StatusCode::UNAUTHORIZED,
                "missing_token",
                "Sign in first: this request needs an `Authorization: Bearer <token>` header.".to_owned(),
            ),
            AppError::InvalidToken => (
                StatusCode::UNAUTHORIZED,
                "invalid_token",
                "Your sign-in token is invalid or has expired. Please sign in again.".to_owned(),
            ),
            AppError::InvalidJson(detail) => (
                StatusCode::BAD_REQUEST,
                "invalid_json",
                format!("The request body must be JSON like {{\"name\": \"Ada\"}}: {detail}"),
            ),
            AppError::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Send the body as JSON with `Content-Type: application/json`.".to_owned(),
            ),
            AppError::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", too_large_message()),
            AppError::InvalidName(error) => (StatusCode::BAD_REQUEST, "invalid_name", error.to_string()),
            AppError::NotReady(not_ready) => (StatusCode::SERVICE_UNAVAILABLE, "not_ready", not_ready.to_string()),
            AppError::AuthServerUnavailable(error) => {
                tracing::error!(error = %Untrusted(&error), "auth server call failed");
                (
                    StatusCode::BAD_GATEWAY,
                    "auth_server_unavailable",
                    "The sign-in service could not be reached, so nothing was changed. Please try again.".to_owned(),
                )
            }
            AppError::Internal(detail) => {
                // The detail goes to the log only: 5xx bodies never show internals.
                tracing::error!(detail = %Untrusted(detail), "request failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal_error", internal_message())
            }
        };
        let mut response = (status, Json(ApiError::new(code, message))).into_response();
        match self {
            // RFC 6750 §3: no credentials → a bare challenge; bad credentials → error="invalid_token".
            AppError::MissingToken => {
                response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            AppError::InvalidToken => {
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer error=\"invalid_token\""));
            }
            _ => {}
        }
        response
    }
}

fn too_large_message() -> String {
    format!("The request body is larger than {} bytes.", crate::MAX_BODY_BYTES)
}

fn internal_message() -> String {
    "Something went wrong on our side. Please try again.".to_owned()
}

/// Rewrites error responses that were not made by [`AppError`] (404 and 405 from the router, 413 from the body
/// limit, 503 from the timeout, 500 from a caught panic, ...) into the API's JSON error body. Headers such as
/// `Allow` and the CORS ones are kept.
pub async fn json_error_bodies(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (code, message) = match status {
        StatusCode::NOT_FOUND => ("not_found", "There is nothing at this address.".to_owned()),
        StatusCode::METHOD_NOT_ALLOWED => {
            ("method_not_allowed", "This address does not accept this HTTP method.".to_owned())
        }
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", too_large_message()),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ("unsupported_media_type", "Send the body as JSON with `Content-Type: application/json`.".to_owned())
        }
        StatusCode::TOO_MANY_REQUESTS => ("rate_limited", "Too many requests. Please wait a moment.".to_owned()),
        StatusCode::REQUEST_TIMEOUT | StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT => {
            ("timeout", "The request took too long. Please try again.".to_owned())
        }
        status if status.is_server_error() => ("internal_error", internal_message()),
        _ => ("bad_request", "The request could not be understood.".to_owned()),
    };
    let (mut parts, _discarded_body) = response.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let body = serde_json::to_vec(&ApiError::new(code, message)).unwrap_or_default();
    Response::from_parts(parts, axum::body::Body::from(body))
}
