//! E15 (current user) and E16/E17 (add a passkey), authenticated with the user's auth token (Bearer).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use webauthn_rs::prelude::RegisterPublicKeyCredential;

use super::email_auth;
use super::passkeys::{
    credential_error, finish_registration, require_passkeys, send_confirmation, start_registration, user_agent,
};
use crate::error::{ApiError, ApiJson};
use crate::ids;
use crate::mail;
use crate::state::{AppState, RegisteredApp};
use crate::store::challenges::CeremonyKind;
use crate::store::credentials::{self, NewCredential};
use crate::store::notices::{self, NoticeKind};
use crate::store::refresh_tokens;
use crate::store::users::{self, User, UserStatus};
use crate::tokens::Claims;
use crate::views;

/// The user named by a valid auth token for this app, and the token's claims. Inactive users are refused: their
/// tokens stop working. So are tokens of a session that has ended (signed out, reuse detected, or started by a
/// passkey that was removed): ASVS 5.0 V7.4.1, a terminated session must not be usable.
pub(super) async fn authenticated_user(
    state: &AppState,
    app: &RegisteredApp,
    headers: &HeaderMap,
) -> Result<(User, Claims), ApiError> {
    let token = super::extract::bearer(headers).ok_or_else(ApiError::invalid_token)?;
    let mut keys = state.keys();
    if !keys.knows_kid_of(token) && state.refresh_keys_if_changed().await.unwrap_or(false) {
        // Signed by a key another instance of the fleet rotated in moments ago.
        keys = state.keys();
    }
    let claims = keys.verify(&app.config.id, token)?;
    if let Some(sid) = &claims.sid {
        if !refresh_tokens::session_is_live(state.db(), &app.config.id, sid, state.now()).await? {
            return Err(ApiError::invalid_token());
        }
    }
    let user = users::find_by_id(state.db(), &app.config.id, &claims.sub).await?.ok_or_else(ApiError::invalid_token)?;
    if user.status == UserStatus::Inactive {
        return Err(ApiError::user_inactive());
    }
    Ok((user, claims))
}

/// Adding a passkey or changing the e-mail address (`action`, e.g. "add a passkey") needs a recent real sign-in, not
/// just a live session: ASVS 5.0 V7.5.1 "the application requires
/// full re-authentication before allowing modifications to sensitive account attributes which may affect
/// authentication"; NIST SP 800-63B §6.1 binds a new authenticator only after authenticating the subscriber. The
/// sign-in time is the token's `auth_time` (the session start, unchanged by refreshes); a token without it (minted
/// before this check existed) is stale. 401 with RFC 9470's error code `insufficient_user_authentication`: a new
/// sign-in yields a token that passes.
pub(super) fn require_recent_sign_in(
    state: &AppState,
    app: &RegisteredApp,
    claims: &Claims,
    action: &str,
) -> Result<(), ApiError> {
    let window = app.config.reauthentication_window_secs as i64;
    match claims.auth_time {
        Some(auth_time) if state.now() - auth_time <= window => Ok(()),
        _ => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "insufficient_user_authentication",
            format!("Sign in again to {action}: that needs a sign-in within the last {} minutes.", (window + 59) / 60),
        )),
    }
}

/// E15: `GET /currentuser` → `{"user": CurrentUser}`.
pub async fn get_current_user(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let app = state.app(&app_id)?;
    let (user, _) = authenticated_user(&state, &app, &headers).await?;
    let creds = credentials::for_user(state.db(), &user.id).await?;
    Ok(Json(json!({ "user": views::current_user(&user, &creds) })))
}

#[derive(Deserialize)]
pub struct AddDeviceStart {
    #[serde(default)]
    authenticator_attachment: Option<String>,
}

#[derive(Deserialize)]
pub struct AddDeviceFinish {
    handshake_id: String,
    #[serde(default)]
    user_id: Option<String>,
    handshake_response: RegisterPublicKeyCredential,
}

/// E16: `POST /currentuser/devices/start` → same shape as E4; the user's passkeys are excluded.
pub async fn add_device_start(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<AddDeviceStart>,
) -> Result<Json<Value>, ApiError> {
    let app = state.app(&app_id)?;
    require_passkeys(&app)?;
    let (user, claims) = authenticated_user(&state, &app, &headers).await?;
    require_recent_sign_in(&state, &app, &claims, "add a passkey")?;
    let body =
        start_registration(&state, &app, &user, body.authenticator_attachment.as_deref(), CeremonyKind::AddDevice)
            .await?;
    Ok(Json(body))
}

/// E17: `POST /currentuser/devices/finish` → `{"device": Device}`.
///
/// The owner is told (ASVS 5.0 V6.3.7): a "passkey added" mail and a stored notice. For a user whose address was
/// never proven (signed in with a provisional passkey) the new passkey is provisional too, with its own
/// confirmation link: a stranger's first passkey must not be able to vouch for a second one.
pub async fn add_device_finish(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<AddDeviceFinish>,
) -> Result<Json<Value>, ApiError> {
    let app = state.app(&app_id)?;
    require_passkeys(&app)?;
    let (user, claims) = authenticated_user(&state, &app, &headers).await?;
    // Checked again at finish: the start may have been just inside the window.
    require_recent_sign_in(&state, &app, &claims, "add a passkey")?;
    // The handshake must have been started by this same user (the token's subject), not just any user.
    let claimed = body.user_id.as_deref().unwrap_or(&user.id);
    if claimed != user.id {
        return Err(ApiError::bad_request("invalid_handshake", "The passkey handshake does not belong to this user."));
    }
    let (handshake_user, passkey) = finish_registration(
        &state,
        &app,
        &body.handshake_id,
        Some(&user.id),
        &body.handshake_response,
        CeremonyKind::AddDevice,
    )
    .await?;
    debug_assert_eq!(handshake_user, user.id);
    let now = state.now();
    let mut tx = state.db().begin().await?;
    // True while the address is unproven; holds the user row against a concurrent proof (see `users::claim_unproven`).
    let provisional = users::claim_unproven(&mut *tx, &user.id, false).await?.is_some();
    let new = NewCredential { passkey: &passkey, provisional, user_agent: user_agent(&headers), now };
    let inserted = credentials::insert(&mut tx, &app.config.id, &user.id, new).await.map_err(credential_error)?;
    let facts = email_auth::passkey_facts(&inserted.credential);
    if !provisional {
        let text = format!(
            "A passkey was added to your account ({}): created {} ({}). If this was not you, sign in with a code or \
             link and remove it.",
            ids::rfc3339(now),
            facts.created_at,
            facts.user_agent.as_deref().unwrap_or("unknown browser")
        );
        let data = json!({ "passkeys": [{ "id": inserted.credential.id, "created_at": facts.created_at,
            "user_agent": facts.user_agent }] });
        notices::insert(&mut *tx, &app.config.id, &user.id, NoticeKind::PasskeyAdded, &text, &data, now).await?;
    }
    tx.commit().await?;
    match &inserted.confirmation_token {
        Some(token) => send_confirmation(&state, &app, &user, &inserted.credential, token).await,
        None => {
            let language = email_auth::user_language(&app, &user);
            email_auth::inform(&state, &mail::passkey_added_mail(&user.email, &app.config.name, &facts, language)).await
        }
    }
    Ok(Json(json!({ "device": views::device(&inserted.credential) })))
}
