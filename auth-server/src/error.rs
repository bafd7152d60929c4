//! The one error type of the API. Every failure becomes `{"code": "...", "error": "..."}` with a 4xx/5xx status
//! (spec §1.4): the elements show `error` and react to the status; `code` is for people and scripts.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Seconds for a `Retry-After` header (429 answers).
    pub retry_after_secs: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), retry_after_secs: None }
    }

    /// 429 with `Retry-After`: a rate limit was hit.
    pub fn too_many_requests(retry_after_secs: u64) -> Self {
        Self {
            retry_after_secs: Some(retry_after_secs.max(1)),
            ..Self::new(StatusCode::TOO_MANY_REQUESTS, "too_many_requests", "Too many requests. Try again later.")
        }
    }

    /// The shared rate-limit store (Redis) did not answer: requests that need a budget are refused rather than let
    /// through unlimited. 503 tells the load balancer and the client that trying again later may work.
    pub fn limit_store_unavailable() -> Self {
        Self {
            retry_after_secs: Some(5),
            ..Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "limit_store_unavailable",
                "The service is temporarily unavailable. Try again in a moment.",
            )
        }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn app_not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "app_not_found", "App not found.")
    }

    pub fn user_not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "user_not_found", "User not found.")
    }

    pub fn invalid_token() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_access_token", "Missing or invalid auth token.")
    }

    pub fn user_inactive() -> Self {
        Self::new(StatusCode::FORBIDDEN, "user_inactive", "This account is no longer active.")
    }

    pub fn method_disabled(method: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "auth_method_disabled",
            format!("The {method} auth method is not enabled for this app."),
        )
    }

    /// A server-side failure: the cause is logged, never sent (it may name tables, paths or keys). Escaped onto one
    /// line: a database error can quote the value that caused it (ASVS 5.0 V16.4.1, see `log_text`).
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(cause = %crate::log_text::escaped(cause), "internal error");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_server_error", "Internal server error.")
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(json!({ "code": self.code, "error": self.message }))).into_response();
        if let Some(secs) = self.retry_after_secs {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        response
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        Self::internal(err)
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        let status = rejection.status();
        let code =
            if status == StatusCode::UNSUPPORTED_MEDIA_TYPE { "unsupported_media_type" } else { "invalid_request" };
        Self::new(status, code, rejection.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        Self::new(rejection.status(), "invalid_request", rejection.body_text())
    }
}

/// `axum::Json`, but a bad body is answered in our error shape instead of axum's plain text.
#[derive(Debug, axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

/// `axum::extract::Query`, but a bad query string is answered in our error shape.
#[derive(Debug, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);
