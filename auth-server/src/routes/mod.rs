//! HTTP routes. Paths follow Passage: `/v1/apps/{app_id}/...` (spec §2), plus locales, liveness and readiness.

mod app_info;
mod current_user;
mod dev_mailbox;
mod devices;
mod email_auth;
mod email_change;
mod extract;
mod health;
mod limited;
mod locales;
mod magic_link;
pub mod management;
mod otp;
mod passkeys;
mod profile_fields;
mod session;
mod sessions;
mod users;
mod well_known;

use axum::routing::{delete, get, patch, post, MethodFilter};
use axum::Router;

use self::limited::per_network;

use crate::error::ApiError;
use crate::limits::Bucket;
use crate::state::AppState;

/// The English locale file served at `/locales/v2/en.json` (all shipped files: [`crate::locales::SHIPPED`]).
pub fn locales_en_json() -> &'static str {
    crate::locales::ENGLISH.json
}

/// Every route of the API (the dev mailbox is [`dev_mailbox`], with its own CORS).
pub fn router() -> Router<AppState> {
    let router = Router::new()
        .route("/v1/apps/{app_id}", get(app_info::get_app))
        // Unauthenticated endpoints count per client network (OWASP ASVS 5.0 V2.4); the e-mail endpoints count
        // in their handlers (per network and per address).
        .route(
            "/v1/apps/{app_id}/users",
            per_network(MethodFilter::GET, Bucket::Lookup, users::lookup).merge(per_network(
                MethodFilter::POST,
                Bucket::CreateUser,
                users::create,
            )),
        )
        .route(
            "/v1/apps/{app_id}/register/webauthn/start",
            per_network(MethodFilter::POST, Bucket::CeremonyStart, passkeys::register_start),
        )
        .route("/v1/apps/{app_id}/register/webauthn/finish", post(passkeys::register_finish))
        .route(
            "/v1/apps/{app_id}/login/webauthn/start",
            per_network(MethodFilter::POST, Bucket::CeremonyStart, passkeys::login_start),
        )
        .route("/v1/apps/{app_id}/login/webauthn/finish", post(passkeys::login_finish))
        .route("/v1/apps/{app_id}/register/otp", post(otp::register))
        .route("/v1/apps/{app_id}/login/otp", post(otp::login))
        .route("/v1/apps/{app_id}/otp/activate", post(otp::activate))
        .route("/v1/apps/{app_id}/register/magic-link", post(magic_link::register))
        .route("/v1/apps/{app_id}/login/magic-link", post(magic_link::login))
        .route("/v1/apps/{app_id}/magic-link/status", per_network(MethodFilter::POST, Bucket::Poll, magic_link::status))
        .route("/v1/apps/{app_id}/magic-link/activate", patch(magic_link::activate))
        .route("/v1/apps/{app_id}/currentuser", get(current_user::get_current_user))
        .route("/v1/apps/{app_id}/currentuser/devices/start", post(current_user::add_device_start))
        .route("/v1/apps/{app_id}/currentuser/devices/finish", post(current_user::add_device_finish))
        .route("/v1/apps/{app_id}/currentuser/devices", get(devices::list))
        .route("/v1/apps/{app_id}/currentuser/devices/{device_id}", patch(devices::rename).delete(devices::remove))
        .route("/v1/apps/{app_id}/currentuser/sessions", get(sessions::list).delete(sessions::revoke_all))
        .route("/v1/apps/{app_id}/currentuser/sessions/{session_id}", delete(sessions::revoke))
        .route("/v1/apps/{app_id}/currentuser/email", patch(email_change::request))
        .route("/v1/apps/{app_id}/currentuser/phone", patch(profile_fields::change_phone))
        .route(
            "/v1/apps/{app_id}/currentuser/user-metadata",
            get(profile_fields::get_metadata).patch(profile_fields::change_metadata),
        )
        .route("/v1/apps/{app_id}/currentuser/social-connections", get(profile_fields::social_connections))
        .route(
            "/v1/apps/{app_id}/currentuser/social-connections/{provider}",
            delete(profile_fields::remove_social_connection),
        )
        .route("/v1/apps/{app_id}/passkeys/confirm", get(passkeys::confirm_page).post(passkeys::confirm))
        .route(
            "/v1/apps/{app_id}/tokens",
            per_network(MethodFilter::POST, Bucket::Refresh, session::refresh).delete(session::revoke),
        )
        .route("/v1/apps/{app_id}/.well-known/jwks.json", get(well_known::jwks))
        .route("/locales/v2/{file}", get(locales::get_locale))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz));
    with_fallbacks(router)
}

/// Unknown paths and methods answered in the API's error shape (both listeners).
fn with_fallbacks(router: Router<AppState>) -> Router<AppState> {
    router
        .fallback(|| async { ApiError::new(axum::http::StatusCode::NOT_FOUND, "not_found", "No such endpoint.") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(axum::http::StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "Method not allowed.")
        })
}

/// `GET /dev/mailbox`: routed only in `--dev` mode (it shows every code and link), without a fallback of its own so
/// it can be merged beside [`router`].
pub fn dev_mailbox() -> Router<AppState> {
    Router::new().route("/dev/mailbox", get(dev_mailbox::list)).method_not_allowed_fallback(|| async {
        ApiError::new(axum::http::StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "Method not allowed.")
    })
}
