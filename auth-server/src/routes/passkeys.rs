//! E4–E7: passkey registration and login ceremonies (webauthn-rs as the relying party).
//! The ceremony state stays on the server (`webauthn_challenges`), is single use and expires.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use webauthn_rs::prelude::{
    AuthenticatorAttachment, CreationChallengeResponse, Passkey, PasskeyAuthentication, PasskeyRegistration,
    PublicKeyCredential, RegisterPublicKeyCredential, Uuid,
};

use webauthn_rs_proto::ResidentKeyRequirement;

use super::email_auth::{self, Proof};
use crate::error::{ApiError, ApiJson};
use crate::ids;
use crate::limits::ClientIp;
use crate::mail;
use crate::metrics::Ceremony;
use crate::sign_in;
use crate::state::{AppState, RegisteredApp};
use crate::store::challenges::{self, CeremonyKind};
use crate::store::credentials::{self, Credential, CredentialError, NewCredential, UseOutcome};
use crate::store::notices::{self, NoticeKind};
use crate::store::otp_failures;
use crate::store::refresh_tokens::{self, Session, SignInMethod};
use crate::store::users::{self, User, UserStatus};
use crate::views;

#[derive(Deserialize)]
pub struct RegisterStart {
    identifier: String,
    #[serde(default)]
    authenticator_attachment: Option<String>,
}

#[derive(Deserialize)]
pub struct RegisterFinish {
    handshake_id: String,
    #[serde(default)]
    user_id: Option<String>,
    handshake_response: RegisterPublicKeyCredential,
}

#[derive(Deserialize)]
pub struct LoginStart {
    #[serde(default)]
    identifier: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginFinish {
    handshake_id: String,
    #[serde(default)]
    user_id: Option<String>,
    handshake_response: PublicKeyCredential,
}

pub(crate) fn require_passkeys(app: &RegisteredApp) -> Result<(), ApiError> {
    if app.passkeys_enabled() {
        Ok(())
    } else {
        Err(ApiError::method_disabled("passkeys"))
    }
}

fn parse_attachment(raw: Option<&str>) -> Result<Option<AuthenticatorAttachment>, ApiError> {
    match raw {
        None | Some("") => Ok(None),
        Some("platform") => Ok(Some(AuthenticatorAttachment::Platform)),
        Some("cross-platform") => Ok(Some(AuthenticatorAttachment::CrossPlatform)),
        Some(_) => Err(ApiError::bad_request(
            "invalid_request",
            "authenticator_attachment must be \"platform\" or \"cross-platform\".",
        )),
    }
}

fn invalid_handshake() -> ApiError {
    ApiError::bad_request(
        "invalid_handshake",
        "The passkey handshake is unknown, expired or already used. Start again.",
    )
}

fn verification_failed(err: impl std::fmt::Display) -> ApiError {
    // Details (wrong origin, bad signature, replayed challenge...) are logged, not sent: they help attackers more
    // than users, and the element only shows a generic "try again".
    tracing::info!(error = %err, "webauthn verification failed");
    ApiError::bad_request("webauthn_verification_failed", "The passkey could not be verified.")
}

/// Start a registration ceremony for `user` and shape the E4/E16 response.
pub(crate) async fn start_registration(
    state: &AppState,
    app: &RegisteredApp,
    user: &User,
    attachment: Option<&str>,
    kind: CeremonyKind,
) -> Result<Value, ApiError> {
    let attachment = parse_attachment(attachment)?;
    let existing = credentials::for_user(state.db(), &user.id).await?;
    let exclude = existing.iter().map(|c| c.passkey.cred_id().clone()).collect::<Vec<_>>();
    let handle = Uuid::parse_str(&user.webauthn_handle).map_err(ApiError::internal)?;
    let (mut creation, registration) = app
        .webauthn
        .start_passkey_registration(handle, &user.email, &user.email, Some(exclude).filter(|e| !e.is_empty()))
        .map_err(ApiError::internal)?;
    shape_creation_options(&mut creation, attachment);
    let state_json = serde_json::to_string(&registration).map_err(ApiError::internal)?;
    let handshake_id =
        challenges::insert(state.db(), &app.config.id, &user.id, kind, &state_json, state.challenge_ttl_secs()).await?;
    Ok(json!({
        "handshake": { "id": handshake_id, "challenge": creation },
        "user": views::public_user(user, &existing),
    }))
}

/// Browser hints only (the server-side state keeps the policy): the attachment the element asked for, and a
/// preference for a discoverable credential. User verification stays "required" as webauthn-rs sets it for passkeys:
/// a passkey is the only factor here, so presence alone must not be enough.
fn shape_creation_options(creation: &mut CreationChallengeResponse, attachment: Option<AuthenticatorAttachment>) {
    if let Some(selection) = creation.public_key.authenticator_selection.as_mut() {
        selection.authenticator_attachment = attachment;
        selection.resident_key = Some(ResidentKeyRequirement::Preferred);
    }
}

/// Take the handshake (single use) and check it belongs to this ceremony and user.
async fn take_handshake(
    state: &AppState,
    app: &RegisteredApp,
    handshake_id: &str,
    kind: CeremonyKind,
    claimed_user: Option<&str>,
) -> Result<challenges::Challenge, ApiError> {
    // Deleted here, before any verification: a second finish with the same handshake always fails.
    let challenge = challenges::take(state.db(), &app.config.id, handshake_id).await?.ok_or_else(invalid_handshake)?;
    if !challenge.is(kind) || challenge.expires_at < ids::now() {
        return Err(invalid_handshake());
    }
    // The element echoes the user id it was given; a different one means a mixed-up or forged request.
    if claimed_user.is_some_and(|claimed| claimed != challenge.user_id) {
        return Err(invalid_handshake());
    }
    Ok(challenge)
}

/// Verify a registration response against the stored state; returns the new passkey.
pub(crate) async fn finish_registration(
    state: &AppState,
    app: &RegisteredApp,
    handshake_id: &str,
    claimed_user: Option<&str>,
    response: &RegisterPublicKeyCredential,
    kind: CeremonyKind,
) -> Result<(String, Passkey), ApiError> {
    let challenge = take_handshake(state, app, handshake_id, kind, claimed_user).await?;
    let registration: PasskeyRegistration = serde_json::from_str(&challenge.state).map_err(ApiError::internal)?;
    // webauthn-rs checks the challenge, the origin (= auth_origin), the RP ID hash, user verification and the
    // attestation statement.
    let passkey = app.webauthn.finish_passkey_registration(response, &registration).map_err(verification_failed)?;
    Ok((challenge.user_id, passkey))
}

pub(crate) fn credential_error(err: CredentialError) -> ApiError {
    match err {
        CredentialError::AlreadyRegistered => {
            ApiError::new(StatusCode::CONFLICT, "credential_already_registered", "This passkey is already registered.")
        }
        CredentialError::Db(err) => ApiError::internal(err),
    }
}

/// The registering browser's User-Agent, fit for a mail (see `credentials::sanitize_user_agent`).
pub(crate) fn user_agent(headers: &HeaderMap) -> Option<String> {
    headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|value| value.to_str().ok())
        .and_then(credentials::sanitize_user_agent)
}

/// The link in a passkey confirmation mail: this server's confirmation page (`GET .../passkeys/confirm`).
fn confirmation_link(state: &AppState, app: &RegisteredApp, token: &str) -> String {
    format!("{}/v1/apps/{}/passkeys/confirm?token={token}", state.public_url(), app.config.id)
}

/// Mail the owner of the address the link that keeps this provisional passkey.
pub(crate) async fn send_confirmation(
    state: &AppState,
    app: &RegisteredApp,
    user: &User,
    credential: &Credential,
    token: &str,
) {
    let link = confirmation_link(state, app, token);
    let facts = email_auth::passkey_facts(credential);
    let days = credentials::CONFIRMATION_TTL_SECS / 86_400;
    let language = email_auth::user_language(app, user);
    let message = mail::passkey_confirmation_mail(&user.email, &app.config.name, &facts, &link, days, language);
    email_auth::inform(state, &message).await;
}

/// E4: `POST /register/webauthn/start {"identifier", "authenticator_attachment"}`.
pub async fn register_start(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    ApiJson(body): ApiJson<RegisterStart>,
) -> Result<Json<Value>, ApiError> {
    let app = state.app(&app_id)?;
    require_passkeys(&app)?;
    let email = ids::normalize_email(&body.identifier)
        .ok_or_else(|| ApiError::bad_request("invalid_identifier", "Enter a valid email address."))?;
    let user = users::find_live_by_email(state.db(), &app.config.id, &email, state.now())
        .await?
        .ok_or_else(ApiError::user_not_found)?;
    match user.status {
        // An app that requires a verified identifier gets passkeys only after OTP or a magic link proved the
        // address (the element sends such users there first); otherwise anyone could claim any address.
        UserStatus::Pending if app.config.require_identifier_verification && !user.email_verified => {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "identifier_verification_required",
                "Verify your email address before adding a passkey.",
            ))
        }
        UserStatus::Pending => {}
        // Adding a passkey to an existing account needs that account's token (E16), never just its e-mail.
        UserStatus::Active => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "user_already_exists",
                "An account with this email already exists.",
            ))
        }
        UserStatus::Inactive => return Err(ApiError::user_inactive()),
    }
    let body =
        start_registration(&state, &app, &user, body.authenticator_attachment.as_deref(), CeremonyKind::Register)
            .await?;
    crate::metrics::ceremony_started(Ceremony::PasskeyRegister);
    Ok(Json(body))
}

/// E5: `POST /register/webauthn/finish` → `{"auth_result"}`; the pending user becomes active.
///
/// Nobody has proven the address yet, so the passkey is provisional: it signs in at once (the passkey-first
/// registration stays one step), and the address gets a link that keeps it. The first proof of the address by its
/// owner removes it if it was not kept (`email_auth::prove_address`). Two registrations racing for one pending user
/// each get such a provisional passkey and their own link.
pub async fn register_finish(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<RegisterFinish>,
) -> Result<Json<Value>, ApiError> {
    let app = state.app(&app_id)?;
    require_passkeys(&app)?;
    let (user_id, passkey) = finish_registration(
        &state,
        &app,
        &body.handshake_id,
        body.user_id.as_deref(),
        &body.handshake_response,
        CeremonyKind::Register,
    )
    .await?;
    let agent = user_agent(&headers);
    let session = Session::start(state.now(), SignInMethod::Passkey, None, agent.clone());
    let signed = sign_in::sign(&state, &app, &user_id, session)?;
    // One transaction for the ceremony's writes (the user, the passkey, the session): a failure keeps none of them,
    // so the element's retry finds the user as it was. Only the writes run inside it (the handshake was taken and
    // verified, the token signed, before), which keeps SQLite's write lock short for the registrations beside it.
    let written = state
        .queued_write(async {
            let mut tx = state.db().begin().await?;
            // Pre-account hijacking (Sudhodanan & Paverd 2022): once the owner has proven the address, a handshake
            // started before that (possibly by a stranger) must not add a passkey; adding one then needs the
            // account's token (E16).
            let Some(user) = users::claim_unproven(&mut *tx, &user_id, true).await? else {
                return Ok(None);
            };
            let new = NewCredential { passkey: &passkey, provisional: true, user_agent: agent, now: state.now() };
            let inserted =
                credentials::insert(&mut tx, &app.config.id, &user_id, new).await.map_err(credential_error)?;
            let auth_result = signed.with_passkey(&inserted.credential.id).store(&mut *tx).await?;
            tx.commit().await?;
            Ok::<_, ApiError>(Some((user, inserted, auth_result)))
        })
        .await?;
    let Some((user, inserted, auth_result)) = written else {
        return Err(match users::find_by_id(state.db(), &app.config.id, &user_id).await? {
            None => ApiError::user_not_found(),
            Some(_) => {
                ApiError::new(StatusCode::CONFLICT, "user_already_exists", "An account with this email already exists.")
            }
        });
    };
    if let Some(token) = &inserted.confirmation_token {
        send_confirmation(&state, &app, &user, &inserted.credential, token).await;
    }
    crate::metrics::ceremony_finished(Ceremony::PasskeyRegister);
    Ok(Json(json!({ "auth_result": auth_result })))
}

/// E6: `POST /login/webauthn/start {"identifier"}`. Discoverable login (`{}`) is not supported: 400.
pub async fn login_start(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    ApiJson(body): ApiJson<LoginStart>,
) -> Result<Json<Value>, ApiError> {
    let app = state.app(&app_id)?;
    require_passkeys(&app)?;
    let identifier = body
        .identifier
        .filter(|i| !i.trim().is_empty())
        .ok_or_else(|| ApiError::bad_request("identifier_required", "An identifier is required for passkey login."))?;
    let email = ids::normalize_email(&identifier)
        .ok_or_else(|| ApiError::bad_request("invalid_identifier", "Enter a valid email address."))?;
    let user = users::find_live_by_email(state.db(), &app.config.id, &email, state.now())
        .await?
        .ok_or_else(ApiError::user_not_found)?;
    if user.status == UserStatus::Inactive {
        return Err(ApiError::user_inactive());
    }
    let creds = credentials::for_user(state.db(), &user.id).await?;
    if creds.is_empty() {
        return Err(ApiError::bad_request("no_passkeys", "This user has no passkeys."));
    }
    let passkeys = creds.iter().map(|c| c.passkey.clone()).collect::<Vec<_>>();
    let (request, authentication) = app.webauthn.start_passkey_authentication(&passkeys).map_err(ApiError::internal)?;
    let state_json = serde_json::to_string(&authentication).map_err(ApiError::internal)?;
    let handshake_id = challenges::insert(
        state.db(),
        &app.config.id,
        &user.id,
        CeremonyKind::Login,
        &state_json,
        state.challenge_ttl_secs(),
    )
    .await?;
    crate::metrics::ceremony_started(Ceremony::PasskeyLogin);
    Ok(Json(json!({
        "handshake": { "id": handshake_id, "challenge": request },
        "user": views::public_user(&user, &creds),
    })))
}

/// E7: `POST /login/webauthn/finish` → `{"auth_result"}`.
pub async fn login_finish(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    ip: ClientIp,
    headers: HeaderMap,
    ApiJson(body): ApiJson<LoginFinish>,
) -> Result<Json<Value>, ApiError> {
    let app = state.app(&app_id)?;
    require_passkeys(&app)?;
    let challenge =
        take_handshake(&state, &app, &body.handshake_id, CeremonyKind::Login, body.user_id.as_deref()).await?;
    let authentication: PasskeyAuthentication = serde_json::from_str(&challenge.state).map_err(ApiError::internal)?;
    // webauthn-rs checks the challenge, origin, RP ID hash, that the credential is one of this user's
    // (allowCredentials from the state), user verification, the signature and the counter.
    let result = app
        .webauthn
        .finish_passkey_authentication(&body.handshake_response, &authentication)
        .map_err(verification_failed)?;
    let user = users::find_by_id(state.db(), &app.config.id, &challenge.user_id)
        .await?
        .ok_or_else(ApiError::user_not_found)?;
    // Re-checked at finish: the account may have been deactivated since the start.
    if user.status == UserStatus::Inactive {
        return Err(ApiError::user_inactive());
    }
    let mut creds = credentials::for_user(state.db(), &user.id).await?;
    let credential = creds
        .iter_mut()
        .find(|c| c.passkey.cred_id() == result.cred_id())
        .ok_or_else(|| verification_failed("credential not registered to this user"))?;
    credential.passkey.update_credential(&result);
    match credentials::record_use(state.db(), credential, result.counter(), state.now()).await? {
        UseOutcome::Recorded => {}
        // WebAuthn L3 §7.2 step 21: a counter not above the stored one "is a signal that the authenticator may be
        // cloned"; this server refuses the assertion (the element then offers a code or link instead).
        UseOutcome::CounterRegression => {
            tracing::warn!(
                app = %app.config.id, user = %user.id, credential = %credential.id, counter = result.counter(),
                "passkey signature counter did not increase: possible cloned authenticator, login refused"
            );
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "passkey_counter_regression",
                "This passkey could not be verified: its signature counter went backwards, which can mean it was \
                 copied. Sign in another way.",
            ));
        }
        UseOutcome::Missing => return Err(verification_failed("credential removed during the login")),
    }
    users::record_login(state.db(), &user.id).await?;
    // A confirmed passkey is the owner: their sign-in ends a run of wrong codes (NIST SP 800-63B §5.2.2). A
    // provisional one may be a stranger's (pre-account hijacking), who must not be able to reset the cap on
    // guessing the codes sent to the owner's mailbox, nor make their own network known.
    if !credential.is_provisional() {
        otp_failures::reset(state.db(), &app.config.id, &user.id, Some(&ip.network()), state.now()).await?;
    }
    let auth_result =
        sign_in::issue_after_passkey(&state, &app, &user.id, &credential.id, user_agent(&headers)).await?;
    crate::metrics::ceremony_finished(Ceremony::PasskeyLogin);
    Ok(Json(json!({ "auth_result": auth_result })))
}

/// The confirmation link's secret from `?token=`.
fn token_param(query: Option<&str>) -> Option<String> {
    url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(key, _)| key == "token")
        .map(|(_, value)| value.trim().to_owned())
        .filter(|token| !token.is_empty())
}

fn page(status: StatusCode, html: String) -> Response {
    let mut response = (status, axum::response::Html(html)).into_response();
    let headers = response.headers_mut();
    // A page that carries a secret in its URL: nothing external loads, nothing frames it, no Referer leaks it.
    for (name, value) in [
        ("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
        ("referrer-policy", "no-referrer"),
        ("cache-control", "no-store"),
        ("x-content-type-options", "nosniff"),
    ] {
        headers.insert(name, axum::http::HeaderValue::from_static(value));
    }
    response
}

fn link_not_valid(app: &RegisteredApp) -> Response {
    page(StatusCode::NOT_FOUND, views::confirmation_link_invalid(&app.config.name, &app.origin))
}

/// `GET /v1/apps/{app_id}/passkeys/confirm?token=` (the link in the confirmation mail): shows which passkey it is
/// about and asks to keep or remove it. Opening the page changes nothing: mail scanners fetch links on their own,
/// and a fetch alone must never keep a stranger's passkey. 404 page for an unknown, used or expired link.
pub async fn confirm_page(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let app = state.app(&app_id)?;
    let Some(token) = token_param(query.as_deref()) else {
        return Ok(link_not_valid(&app));
    };
    let Some(credential) = credentials::find_by_confirmation(state.db(), &app.config.id, &token, state.now()).await?
    else {
        return Ok(link_not_valid(&app));
    };
    let user = users::find_by_id(state.db(), &app.config.id, &credential.user_id).await?;
    let email = user.map(|u| u.email).unwrap_or_default();
    let facts = email_auth::passkey_facts(&credential);
    Ok(page(StatusCode::OK, views::confirmation_question(&app.config.name, &email, &facts, &token)))
}

/// `POST /v1/apps/{app_id}/passkeys/confirm` (the page's form: `token`, `action=keep|remove`).
///
/// keep: the passkey is confirmed, the address counts as proven (whoever holds the link reads the mailbox), and any
/// other passkey still provisional is removed as on a code sign-in. remove: only this passkey is deleted and the
/// sessions it started end. Both work once per link.
pub async fn confirm(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    body: String,
) -> Result<Response, ApiError> {
    let app = state.app(&app_id)?;
    let form = url::form_urlencoded::parse(body.as_bytes()).into_owned().collect::<Vec<(String, String)>>();
    let field = |name: &str| form.iter().find(|(key, _)| key == name).map(|(_, value)| value.trim().to_owned());
    let (Some(token), Some(action)) = (field("token"), field("action")) else {
        return Ok(link_not_valid(&app));
    };
    let now = state.now();
    match action.as_str() {
        "keep" => {
            let Some(credential) = credentials::confirm(state.db(), &app.config.id, &token, now).await? else {
                return Ok(link_not_valid(&app));
            };
            let user = users::find_by_id(state.db(), &app.config.id, &credential.user_id)
                .await?
                .ok_or_else(ApiError::user_not_found)?;
            let removed = email_auth::prove_address(&state, &app, &user, Proof::KeptPasskey(&credential.id)).await?;
            let removed = removed.iter().map(email_auth::passkey_facts).collect::<Vec<_>>();
            Ok(page(StatusCode::OK, views::confirmation_kept(&app.config.name, &app.origin, &removed)))
        }
        "remove" => {
            let mut tx = state.db().begin().await?;
            let Some(credential) = credentials::remove_by_confirmation(&mut *tx, &app.config.id, &token, now).await?
            else {
                return Ok(link_not_valid(&app));
            };
            let removed_ids = [credential.id.clone()];
            let sessions = refresh_tokens::revoke_started_with(&mut tx, &app.config.id, &removed_ids, now).await?;
            let facts = email_auth::passkey_facts(&credential);
            let text = format!(
                "You removed a passkey through its confirmation link ({}): created {} ({}). Its sessions were ended.",
                ids::rfc3339(now),
                facts.created_at,
                facts.user_agent.as_deref().unwrap_or("unknown browser")
            );
            let data = json!({ "passkeys": [{ "id": credential.id, "created_at": facts.created_at,
                "user_agent": facts.user_agent }], "sessions_ended": sessions });
            notices::insert(
                &mut *tx,
                &app.config.id,
                &credential.user_id,
                NoticeKind::PasskeyRemoved,
                &text,
                &data,
                now,
            )
            .await?;
            tx.commit().await?;
            tracing::warn!(app = %app.config.id, user = %credential.user_id, sessions, "provisional passkey removed by its owner");
            Ok(page(StatusCode::OK, views::confirmation_removed(&app.config.name, &app.origin)))
        }
        _ => Err(ApiError::bad_request("invalid_request", "action must be \"keep\" or \"remove\".")),
    }
}
