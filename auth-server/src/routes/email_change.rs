//! P8 (`PATCH /currentuser/email`, from `<passage-profile>`) and its second half in E14: a signed-in user asks to
//! move the account to a new address; the address gets a `psg_verify_link` link, the old address is told; only when
//! the link is opened (E14, by the auth elements on the app's login page) does the account move, with the new
//! address verified, and the old address is told again. PROFILE-API.md §2.5, ACCOUNT-CONTRACT "E-mail change".
//!
//! The link is a magic link of purpose `email_change` (`store::magic_links`): secret token stored as a digest,
//! single use, a short life, a newer request replaces an unopened older one.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::current_user::{authenticated_user, require_recent_sign_in};
use super::email_auth::{self, Proof, Requester};
use super::magic_link::{build_link_with, VERIFY_LINK_PARAM};
use crate::error::{ApiError, ApiJson};
use crate::ids;
use crate::limits::ClientIp;
use crate::mail::{self, Language};
use crate::state::{AppState, RegisteredApp};
use crate::store::magic_links;
use crate::store::notices::{self, NoticeKind};
use crate::store::otps;
use crate::store::refresh_tokens::SignInMethod;
use crate::store::users::{self, UserStatus};
use crate::tokens::AuthResult;

/// How long a change link works when the app has no magic links of its own (whose `ttl` it uses otherwise): the
/// longest any code or link lives (`config::MAX_CODE_TTL_SECS`).
const DEFAULT_LINK_TTL_SECS: u64 = 600;

#[derive(Deserialize)]
pub struct ChangeEmail {
    /// Optional in the type, so a missing field gets the same clear 400 as an empty one.
    #[serde(default)]
    new_email: Option<String>,
}

fn invalid_email() -> ApiError {
    ApiError::bad_request(
        "invalid_email",
        "Enter a valid new email address (spaces and the characters < > \" ' & ` \\ are not allowed).",
    )
}

fn link_ttl(app: &RegisteredApp) -> u64 {
    app.config.auth_methods.magic_link.as_ref().map_or(DEFAULT_LINK_TTL_SECS, |m| m.ttl)
}

/// P8: `PATCH /currentuser/email {"new_email"}` → `{"magic_link": {"id"}}` (the element ignores the value; E13 never
/// hands anything out for it). 400 `invalid_email` / `email_unchanged`, 409 `identifier_exists` (a pending user
/// counts, as for the element's own P7 check), 401 `insufficient_user_authentication` when the session's sign-in is
/// older than the app's `reauthentication_window_secs` (as for adding a passkey), 429 over a budget. Bad input is refused before anything is counted
/// or stored.
pub async fn request(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    Requester(requested): Requester,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ChangeEmail>,
) -> Result<Json<Value>, ApiError> {
    let app = state.app(&app_id)?;
    let (user, claims) = authenticated_user(&state, &app, &headers).await?;
    // A stolen or left-open session must not move the account to its holder's mailbox (ASVS 5.0 V7.5.1).
    require_recent_sign_in(&state, &app, &claims, "change the email address")?;
    let new_email = body.new_email.as_deref().and_then(ids::normalize_email).ok_or_else(invalid_email)?;
    if new_email == user.email {
        return Err(ApiError::bad_request("email_unchanged", "This is already the account's email address."));
    }
    // Where the link opens: the app's login page, whose auth element sends the token to E14. Checked before
    // anything is counted or stored (a bad `login_url` is a config problem, not the caller's).
    build_link_with(&app.origin, &app.config.login_url, VERIFY_LINK_PARAM, "check")
        .map_err(|_| ApiError::internal(format!("app {}: login_url is not a path on auth_origin", app.config.id)))?;
    let ip = ClientIp(requested.ip);
    // Counted before the lookup: P8 must not be a faster way than E2 to learn which addresses have accounts.
    state.limit_email_change(&ip, &app.config.id, &user.id, &new_email).await?;
    if users::find_live_by_email(state.db(), &app.config.id, &new_email, state.now()).await?.is_some() {
        return Err(email_auth::identifier_exists());
    }
    let ttl = link_ttl(&app);
    let (id, token) =
        magic_links::create_email_change(state.db(), &app.config.id, &user.id, &new_email, ttl as i64, state.now())
            .await?;
    let link = build_link_with(&app.origin, &app.config.login_url, VERIFY_LINK_PARAM, &token)?;
    // The account page's browser says which languages its user reads; without that, the user's stored one.
    let language = headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
        .and_then(Language::from_accept_language)
        .unwrap_or_else(|| email_auth::user_language(&app, &user));
    let message = mail::email_change_link_mail(&new_email, &app.config.name, &link, ttl, &requested, language);
    email_auth::deliver(&state, &message).await?;
    // ASVS 5.0 V6.3.7 / V7.2: the current address hears of the request at once, with who asked; no link to it, so
    // nothing in the old mailbox can confirm the change.
    let notice =
        mail::email_change_requested_mail(&user.email, &app.config.name, &new_email, ttl, &requested, language);
    email_auth::inform(&state, &notice).await;
    Ok(Json(json!({ "magic_link": { "id": id } })))
}

/// E14 for an e-mail change link, in the transaction that claimed the link: move the account to `new_email`, mark
/// it verified, and sign the opening tab in (a new session; the account's other sessions go on). Refused with 409
/// `identifier_exists` when another user took the address meanwhile: the unique `(app_id, email)` constraint
/// decides a race with a registration, and the dropped transaction changes nothing, link included.
///
/// Provisional passkeys: opening the link is the first proof of the account's (new) address, so it runs
/// `email_auth::prove_in` like a code or link sign-in, which removes every passkey never confirmed and ends their
/// sessions. That keeps the invariant "no passkey registered before its address was proven survives the owner's
/// first proof of the address": a stranger who pre-registered a passkey for an address they do not own, then moves
/// the account to a victim's address and gets the victim to open the link, must not keep a passkey into an account
/// that now carries the victim's verified address. The cost falls on a real owner who never confirmed their passkey
/// through its link: it is removed, with the usual mail and notice, and they can add it again (they are signed in).
/// Confirmed passkeys stay: their owner proved the old address.
///
/// Codes and links not used yet were sent to the old address: they are deleted with the change, so the old
/// mailbox cannot sign in to the account any more.
pub async fn apply(
    state: &AppState,
    app: &Arc<RegisteredApp>,
    mut tx: sqlx::Transaction<'static, sqlx::Any>,
    user_id: &str,
    new_email: &str,
    ip: &ClientIp,
    user_agent: Option<String>,
) -> Result<AuthResult, ApiError> {
    let user = users::find_by_id(state.db(), &app.config.id, user_id).await?.ok_or_else(ApiError::user_not_found)?;
    if user.status == UserStatus::Inactive {
        return Err(ApiError::user_inactive());
    }
    let proof = Proof::NewAddress(new_email);
    let removed = email_auth::prove_in(&mut tx, state, app, &user, proof).await?;
    otps::delete_of_user(&mut tx, &app.config.id, &user.id).await?;
    magic_links::delete_unopened_of_user(&mut tx, &app.config.id, &user.id).await?;
    let now = state.now();
    let text = format!(
        "The e-mail address of your account was changed from {} to {new_email} ({}).",
        user.email,
        ids::rfc3339(now)
    );
    let data = json!({ "old_email": user.email, "new_email": new_email });
    notices::insert(&mut *tx, &app.config.id, &user.id, NoticeKind::EmailChanged, &text, &data, now).await?;
    tx.commit().await?;
    tracing::info!(app = %app.config.id, user = %user.id, "e-mail address changed");
    email_auth::announce_removed(state, app, &user, proof, &removed).await;
    let language = email_auth::user_language(app, &user);
    email_auth::inform(state, &mail::email_changed_mail(&user.email, &app.config.name, new_email, language)).await;
    email_auth::signed_in_by_email(state, app, &user.id, ip, SignInMethod::MagicLink, user_agent).await
}
