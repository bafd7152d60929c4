//! `POST /v1/apps/{app_id}/magic-links`: a sign-in link made for the app's backend, mailed by this server
//! (`send: true`) or handed back for the backend's own message (`send: false`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;

use super::wire::{MagicLink, MagicLinkResponse};
use super::{invalid, Body};
use crate::config::MAX_CODE_TTL_SECS;
use crate::error::ApiError;
use crate::ids;
use crate::mail;
use crate::routes::email_auth;
use crate::routes::extract::ApiKey;
use crate::routes::magic_link::build_link;
use crate::state::AppState;
use crate::store::magic_links;
use crate::store::users::{self, UserStatus};

/// The languages Passage's SDK lets a caller name (`MagicLinkLanguage`); the message is written in the one named
/// (`pt` is Brazilian Portuguese, `zh` simplified Chinese), else in the user's language (`email_auth::user_language`).
const LANGUAGES: [&str; 7] = ["de", "en", "es", "it", "pl", "pt", "zh"];

/// `CreateMagicLinkRequest`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateMagicLink {
    #[serde(default)]
    channel: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    user_id: Option<String>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    send: Option<bool>,
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    magic_link_path: Option<String>,
    #[serde(default)]
    redirect_url: Option<String>,
    /// Minutes.
    #[serde(default)]
    ttl: Option<i64>,
}

fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|text| !text.is_empty())
}

/// → 201 `{"magic_link": MagicLink}`. The link is the one E11/E12 mail (`auth_origin + magic_link_path` with
/// `psg_magic_link`), for an existing user named by `email` or `user_id`; opening it on a page with the login
/// element signs in (E14) and proves the address, so `login` and `verify_identifier` links behave the same.
/// `magic_link_path` defaults to the app's `login_url`; `ttl` is 1–10 minutes (default: the app's magic-link
/// `ttl`). `redirect_url` is checked (a path on the app) and echoed; after sign-in the element goes to the app's
/// `redirect_url`, as for every other sign-in. The app must offer magic links (`auth_methods.magic_link`): E14
/// refuses links of other apps.
pub async fn create(
    State(state): State<AppState>,
    ApiKey(app): ApiKey,
    Body(body): Body<CreateMagicLink>,
) -> Result<(StatusCode, Json<MagicLinkResponse>), ApiError> {
    let Some(method) = app.config.auth_methods.magic_link.as_ref() else {
        return Err(invalid("type", "this app does not offer magic links (auth_methods.magic_link in its config)"));
    };
    let kind = match given(&body.kind) {
        None | Some("login") => "login",
        Some("verify_identifier") => "verify_identifier",
        Some(_) => return Err(invalid("type", "must be login or verify_identifier")),
    };
    match given(&body.channel) {
        None | Some("email") => {}
        Some("phone") => return Err(invalid("channel", "phone is not supported: this server sends e-mail only")),
        Some(_) => return Err(invalid("channel", "must be email")),
    }
    if given(&body.phone).is_some() {
        return Err(invalid("phone", "phone numbers are not supported: this server signs users in by e-mail"));
    }
    if let Some(language) = given(&body.language) {
        if !LANGUAGES.contains(&language) {
            return Err(invalid("language", &format!("must be one of {}", LANGUAGES.join(", "))));
        }
    }
    let ttl_secs = match body.ttl {
        None => method.ttl.min(MAX_CODE_TTL_SECS),
        Some(minutes @ 1..=10) => minutes as u64 * 60,
        Some(_) => return Err(invalid("ttl", "must be 1 to 10 minutes")),
    };
    let path = given(&body.magic_link_path).unwrap_or(&app.config.login_url).to_owned();
    build_link(&app.origin, &path, "check").map_err(|err| invalid("magic_link_path", &err.message))?;
    let redirect_url = given(&body.redirect_url).unwrap_or(&app.config.redirect_url).to_owned();
    if !redirect_url.starts_with('/') || redirect_url.starts_with("//") || redirect_url.contains('\\') {
        return Err(invalid("redirect_url", "must be a path on the app's origin, starting with a single \"/\""));
    }
    let now = state.now();
    let user = match (given(&body.email), given(&body.user_id)) {
        (Some(_), Some(_)) => return Err(invalid("email", "give email or user_id, not both")),
        (None, None) => return Err(invalid("email", "email or user_id is required")),
        (Some(email), None) => {
            let email = ids::normalize_email(email).ok_or_else(|| invalid("email", "not a valid e-mail address"))?;
            users::find_live_by_email(state.db(), &app.config.id, &email, now).await?
        }
        (None, Some(user_id)) => users::find_by_id(state.db(), &app.config.id, user_id).await?,
    }
    .ok_or_else(ApiError::user_not_found)?;
    if user.status == UserStatus::Inactive {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "operation_not_allowed", "The user is deactivated."));
    }
    let (id, token) = magic_links::create(state.db(), &app.config.id, &user.id, None, ttl_secs as i64, now).await?;
    let url = build_link(&app.origin, &path, &token)?;
    if body.send.unwrap_or(false) {
        let language = given(&body.language)
            .and_then(mail::Language::from_tag)
            .unwrap_or_else(|| email_auth::user_language(&app, &user));
        let message = mail::app_magic_link_mail(&user.email, &app.config.name, &url, ttl_secs, language);
        email_auth::deliver(&state, &message).await?;
    }
    let magic_link = MagicLink {
        id,
        app_id: app.config.id.clone(),
        user_id: user.id,
        identifier: user.email,
        kind,
        activated: false,
        redirect_url,
        secret: token,
        ttl: ttl_secs.div_ceil(60),
        url,
    };
    Ok((StatusCode::CREATED, Json(MagicLinkResponse { magic_link })))
}
