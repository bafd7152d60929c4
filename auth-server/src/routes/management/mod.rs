//! The management API (server to server, Passage's "api" host): the calls of Passage's server SDKs, with
//! `Authorization: Bearer <api key>` per app ([`ApiKey`](crate::routes::extract::ApiKey)). Served on its own
//! listener (`--management-bind`), apart from the element API, because both use `/v1/apps/{app_id}/users` for
//! different things (the paginated list here, the elements' lookup there). Its JSON is in [`wire`].

mod devices;
mod list;
mod magic_links;
mod tokens;
pub mod users;
mod wire;

use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::routing::{delete, get, patch, post};
use axum::Router;

use crate::error::{ApiError, ApiJson};
use crate::state::AppState;

/// Every route of the management API.
pub fn router() -> Router<AppState> {
    let router = Router::new()
        .route("/v1/apps/{app_id}/users", get(list::list).post(users::create))
        .route("/v1/apps/{app_id}/users/{user_id}", get(users::get).patch(users::update).delete(users::delete))
        .route("/v1/apps/{app_id}/users/{user_id}/activate", patch(users::activate))
        .route("/v1/apps/{app_id}/users/{user_id}/deactivate", patch(users::deactivate))
        .route("/v1/apps/{app_id}/users/{user_id}/devices", get(devices::list))
        .route("/v1/apps/{app_id}/users/{user_id}/devices/{device_id}", delete(devices::revoke))
        .route("/v1/apps/{app_id}/users/{user_id}/tokens", delete(tokens::revoke_all))
        .route("/v1/apps/{app_id}/magic-links", post(magic_links::create))
        .route("/healthz", get(super::health::healthz));
    super::with_fallbacks(router)
}

/// A 400 as Passage's SDK reads it (`Model400Error` knows only the code `invalid_request`): the message starts with
/// the field.
fn invalid(field: &str, problem: &str) -> ApiError {
    ApiError::bad_request("invalid_request", format!("{field}: {problem}"))
}

/// A JSON body of the management API. As [`ApiJson`], but a body of the wrong shape (a missing, unknown or mistyped
/// field; axum says 422) is a 400 `invalid_request` as well, as Passage answered: its message names the field.
pub struct Body<T>(pub T);

impl<S, T> FromRequest<S> for Body<T>
where
    ApiJson<T>: FromRequest<S, Rejection = ApiError>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        match ApiJson::<T>::from_request(request, state).await {
            Ok(ApiJson(value)) => Ok(Self(value)),
            Err(err) if err.status == StatusCode::UNPROCESSABLE_ENTITY => {
                Err(ApiError::bad_request("invalid_request", err.message))
            }
            Err(err) => Err(err),
        }
    }
}
