//! Extractors shared by route groups: the HTTP side of who is calling.

use std::sync::Arc;

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use axum::http::StatusCode;

use crate::error::ApiError;
use crate::state::{AppState, RegisteredApp};

/// The app of the path's `{app_id}`, proven by one of its management API keys in `Authorization: Bearer <key>`.
///
/// A missing key, a wrong key, another app's key and an unknown app id are answered alike (401
/// `invalid_access_token`, before any other check of the request), so a caller without this app's key learns
/// nothing: not whether the app exists, nor whether a user id is known.
pub struct ApiKey(pub Arc<RegisteredApp>);

impl FromRequestParts<AppState> for ApiKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let params = RawPathParams::from_request_parts(parts, state).await.map_err(|_| invalid_api_key())?;
        let app = params.iter().find(|(name, _)| *name == "app_id").and_then(|(_, id)| state.app(id).ok());
        let key = bearer(&parts.headers).unwrap_or_default();
        match app {
            Some(app) if app.accepts_api_key(key) => Ok(Self(app)),
            _ => Err(invalid_api_key()),
        }
    }
}

/// The credential of `Authorization: Bearer <credential>` (an auth token, or a management API key), if any.
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    let value = headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty()).then(|| token.trim())
}

/// Passage's 401 of the management API (its SDK's `Model401Error` knows this code).
fn invalid_api_key() -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "invalid_access_token", "Invalid or missing API key.")
}
