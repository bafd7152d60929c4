//! E1: `GET /v1/apps/{app_id}`: the App object (spec §4). Every field the elements require is present.

use axum::extract::{Path, State};
use axum::Json;
use serde_json::{json, Value};

use crate::error::ApiError;
use crate::state::AppState;

pub async fn get_app(State(state): State<AppState>, Path(app_id): Path<String>) -> Result<Json<Value>, ApiError> {
    let app = state.app(&app_id)?;
    let config = &app.config;
    let fallback = if config.auth_methods.otp.is_some() {
        "otp"
    } else if config.auth_methods.magic_link.is_some() {
        "magic_link"
    } else {
        "none"
    };
    let fallback_ttl =
        config.auth_methods.otp.as_ref().or(config.auth_methods.magic_link.as_ref()).map(|m| m.ttl).unwrap_or(0);
    Ok(Json(json!({ "app": {
        "id": config.id,
        "name": config.name,
        "auth_origin": app.origin,
        "redirect_url": config.redirect_url,
        "login_url": config.login_url,
        "default_language": config.default_language,
        "allowed_identifier": config.allowed_identifier,
        "required_identifier": config.allowed_identifier,
        "public_signup": config.public_signup,
        "require_identifier_verification": config.require_identifier_verification,
        "require_email_verification": false,
        "passage_branding": false,
        "profile_management": true,
        "ephemeral": false,
        "session_timeout_length": config.auth_token_lifetime_secs / 60,
        "rsa_public_key": "",
        "auth_fallback_method": fallback,
        "auth_fallback_method_ttl": fallback_ttl,
        "auth_methods": config.auth_methods,
        "social_connections": {},
        "user_metadata_schema": [],
        "layouts": { "registration": [], "profile": [] },
        "element_customization": {},
        "element_customization_dark": {},
    }})))
}
