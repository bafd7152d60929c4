//! P2–P4 of PROFILE-API.md: list, rename and remove the current user's passkeys (the `<passage-profile>` passkey
//! table), authenticated with the user's auth token like E15. A device id of another user is "not found": its
//! existence is never confirmed.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::current_user::authenticated_user;
use super::email_auth;
use crate::error::{ApiError, ApiJson};
use crate::ids;
use crate::mail;
use crate::state::{AppState, RegisteredApp};
use crate::store::credentials::{self, Removal};
use crate::store::notices::{self, NoticeKind};
use crate::store::refresh_tokens;
use crate::views;

/// The element's own limit (`device-name-maximum`, PROFILE-API.md §2.2), counted in characters after trimming.
pub const MAX_FRIENDLY_NAME_CHARS: usize = 64;

pub fn device_not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "device_not_found", "No such passkey on this account.")
}

/// Bidirectional formatting characters: they reorder how the rest of a line is displayed (Trojan Source,
/// CVE-2021-42574), so a name could show as something else in a mail or a list.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A passkey name as stored: trimmed, 1–64 characters, no control or bidi characters (a line break would forge
/// lines in a mail or log that quotes it). Markup is not refused: it is text, stored as typed and always sent as a
/// JSON string; the element shows it as an `<input>` value (PROFILE-API.md §2.2), never as HTML.
pub fn valid_friendly_name(raw: Option<&str>) -> Result<String, ApiError> {
    let name = raw.unwrap_or("").trim();
    if name.is_empty() {
        return Err(ApiError::bad_request("friendly_name_required", "Enter a name for the passkey."));
    }
    if name.chars().count() > MAX_FRIENDLY_NAME_CHARS {
        return Err(ApiError::bad_request(
            "friendly_name_too_long",
            format!("A passkey name can be at most {MAX_FRIENDLY_NAME_CHARS} characters long."),
        ));
    }
    if name.chars().any(|c| c.is_control() || is_bidi_control(c)) {
        return Err(ApiError::bad_request(
            "friendly_name_invalid_characters",
            "A passkey name cannot contain line breaks, tabs or other control characters.",
        ));
    }
    Ok(name.to_owned())
}

/// Whether the user can still sign in without any passkey: the app offers a code or a magic link to the address.
fn has_fallback(app: &RegisteredApp) -> bool {
    app.config.auth_methods.otp.is_some() || app.config.auth_methods.magic_link.is_some()
}

/// P2: `GET /currentuser/devices` → `{"devices": [Device]}` (always an array; the element calls `.map`).
pub async fn list(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let app = state.app(&app_id)?;
    let (user, _) = authenticated_user(&state, &app, &headers).await?;
    let creds = credentials::for_user(state.db(), &user.id).await?;
    Ok(Json(json!({ "devices": creds.iter().map(views::device).collect::<Vec<_>>() })))
}

#[derive(Deserialize)]
pub struct Rename {
    #[serde(default)]
    friendly_name: Option<String>,
}

/// P3: `PATCH /currentuser/devices/{device_id}` `{"friendly_name"}` → `{"device": Device}`. A repeated identical
/// rename is a plain success (the element sends each rename on Enter and again on blur).
pub async fn rename(
    State(state): State<AppState>,
    Path((app_id, device_id)): Path<(String, String)>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<Rename>,
) -> Result<Json<Value>, ApiError> {
    let app = state.app(&app_id)?;
    let (user, _) = authenticated_user(&state, &app, &headers).await?;
    let name = valid_friendly_name(body.friendly_name.as_deref())?;
    let renamed = credentials::rename(state.db(), &app.config.id, &user.id, &device_id, &name, state.now())
        .await?
        .ok_or_else(device_not_found)?;
    Ok(Json(json!({ "device": views::device(&renamed) })))
}

/// P4: `DELETE /currentuser/devices/{device_id}` → 204.
///
/// Refused (409 `last_sign_in_method`) for the user's only passkey when the app has no code or link sign-in: the
/// account would have no way to sign in left (NIST SP 800-63B §6.1.2.1 would then leave only account recovery,
/// which this server does not have). Otherwise the passkey is deleted and every session it started ends with it
/// (ASVS 5.0 V7.4.1: a terminated authenticator must not keep a session alive), which includes this request's own
/// session when the user removes the passkey they signed in with. The owner is told by a stored notice and a mail
/// (ASVS 5.0 V6.3.7).
pub async fn remove(
    State(state): State<AppState>,
    Path((app_id, device_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let app = state.app(&app_id)?;
    let (user, _) = authenticated_user(&state, &app, &headers).await?;
    let now = state.now();
    let mut tx = state.db().begin().await?;
    let removed =
        match credentials::remove_for_user(&mut tx, &app.config.id, &user.id, &device_id, !has_fallback(&app)).await? {
            Removal::Removed(credential) => *credential,
            Removal::NotFound => return Err(device_not_found()),
            Removal::LastPasskey => {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "last_sign_in_method",
                    "This is your only passkey and this app has no other way to sign in: add another passkey before \
                 removing this one.",
                ))
            }
        };
    let facts = end_removed_passkey(&mut tx, &app.config.id, &user.id, &removed, now).await?;
    tx.commit().await?;
    let language = email_auth::user_language(&app, &user);
    email_auth::inform(&state, &mail::passkey_removed_mail(&user.email, &app.config.name, &facts, language)).await;
    Ok(StatusCode::NO_CONTENT)
}

/// What follows a passkey's removal, by its owner (P4) or by the app (management API), in the removal's
/// transaction: every session it started ends (ASVS 5.0 V7.4.1), and the owner gets a `passkey_removed` notice.
/// Returns what the owner's mail (sent after the commit) names.
pub async fn end_removed_passkey(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    app_id: &str,
    user_id: &str,
    removed: &credentials::Credential,
    now: i64,
) -> Result<mail::PasskeyFacts, ApiError> {
    let sessions = refresh_tokens::revoke_started_with(tx, app_id, std::slice::from_ref(&removed.id), now).await?;
    let facts = email_auth::passkey_facts(removed);
    let text = format!(
        "A passkey was removed from your account ({}): \"{}\", created {} ({}). Its sessions were ended.",
        ids::rfc3339(now),
        removed.friendly_name,
        facts.created_at,
        facts.user_agent.as_deref().unwrap_or("unknown browser")
    );
    let data = json!({ "passkeys": [{ "id": removed.id, "friendly_name": removed.friendly_name,
        "created_at": facts.created_at, "user_agent": facts.user_agent }], "sessions_ended": sessions });
    notices::insert(&mut **tx, app_id, user_id, NoticeKind::PasskeyRemoved, &text, &data, now).await?;
    Ok(facts)
}
