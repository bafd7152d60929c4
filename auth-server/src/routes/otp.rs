//! E8 / E9 (send a one-time code for registration or login) and E10 (activate it).

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::email_auth::{self, Purpose, Requester};
use crate::error::{ApiError, ApiJson};
use crate::limits::ClientIp;
use crate::mail;
use crate::metrics::Ceremony;
use crate::state::{AppState, RegisteredApp};
use crate::store::otp_failures;
use crate::store::otps::{self, Verification};
use crate::store::refresh_tokens::SignInMethod;

#[derive(Deserialize)]
pub struct SendOtp {
    identifier: String,
    /// The element's UI language (the first part of its locale): the mail's, and the user's once the code or link is
    /// used (for later notices).
    #[serde(default)]
    language: Option<String>,
}

fn otp_ttl(app: &RegisteredApp) -> Result<u64, ApiError> {
    app.config.auth_methods.otp.as_ref().map(|m| m.ttl).ok_or_else(|| ApiError::method_disabled("one-time code"))
}

/// E8: `POST /register/otp {"identifier","language"}` → `{"otp_id"}`.
pub async fn register(
    state: State<AppState>,
    path: Path<String>,
    requester: Requester,
    body: ApiJson<SendOtp>,
) -> Result<Json<Value>, ApiError> {
    send(state, path, requester, body, Purpose::Register).await
}

/// E9: `POST /login/otp {"identifier","language"}` → `{"otp_id"}` (also for pending users: "Resend").
pub async fn login(
    state: State<AppState>,
    path: Path<String>,
    requester: Requester,
    body: ApiJson<SendOtp>,
) -> Result<Json<Value>, ApiError> {
    send(state, path, requester, body, Purpose::Login).await
}

async fn send(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    Requester(requested): Requester,
    ApiJson(body): ApiJson<SendOtp>,
    purpose: Purpose,
) -> Result<Json<Value>, ApiError> {
    let app = state.app(&app_id)?;
    let ttl = otp_ttl(&app)?;
    // The budgets count the same client the message names (the extractor read it once).
    let ip = ClientIp(requested.ip);
    let user = email_auth::recipient(&state, &app, &ip, &body.identifier, purpose).await?;
    let (language, to_remember) = email_auth::requested_language(&app, body.language.as_deref());
    let (otp_id, code) =
        otps::create(state.db(), &app.config.id, &user.id, to_remember, ttl as i64, state.now()).await?;
    // ASVS 5.0 V6.3.5: the message tells the owner who asked for the code (time, browser, network).
    let message = mail::otp_mail(&user.email, &app.config.name, &code, ttl, &requested, language);
    email_auth::deliver(&state, &message).await?;
    crate::metrics::code_sent();
    crate::metrics::ceremony_started(Ceremony::Otp);
    Ok(Json(json!({ "otp_id": otp_id })))
}

#[derive(Deserialize)]
pub struct ActivateOtp {
    otp: String,
    otp_id: String,
}

/// E10: `POST /otp/activate {"otp","otp_id"}` → `{"auth_result"}`. 401 after too many attempts (the element shows
/// its "too many attempts" message only for 401); 400/404 otherwise ("invalid or expired").
pub async fn activate(
    State(state): State<AppState>,
    Path(app_id): Path<String>,
    ip: ClientIp,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ActivateOtp>,
) -> Result<Json<Value>, ApiError> {
    let app = state.app(&app_id)?;
    otp_ttl(&app)?;
    state.limit_activation_by_ip(&ip).await?;
    // Attempts are counted per account before the code is checked, so requesting new codes does not give a
    // guesser more tries at one account. An attempt at a locked or expired code is no guess: not counted.
    if let Some(owner) = otps::owner(state.db(), &app.config.id, &body.otp_id, state.now()).await? {
        if owner.open {
            state.limit_activation_by_user(&app.config.id, &owner.user_id, &ip).await?;
            count_attempt(&state, &app.config.id, &owner.user_id, &ip.network()).await?;
        }
    }
    let verification = otps::verify(state.db(), &app.config.id, &body.otp_id, body.otp.trim(), state.now()).await?;
    let user_id = match verification {
        Verification::Verified { user_id, language } => {
            email_auth::remember_language(&state, &user_id, language.as_deref()).await?;
            user_id
        }
        Verification::Wrong { .. } => {
            return Err(ApiError::bad_request("invalid_otp", "The code is not valid."));
        }
        Verification::TooManyAttempts { .. } => {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "otp_attempts_exceeded",
                "Too many attempts. Request a new code.",
            ))
        }
        Verification::Expired => {
            return Err(ApiError::bad_request("otp_expired", "The code has expired. Request a new code."))
        }
        Verification::NotFound => {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "otp_not_found",
                "The code is not valid or was already used.",
            ))
        }
    };
    // `login_by_email` also ends the run of consecutive failures and makes this network known.
    let agent = email_auth::session_user_agent(&headers);
    let auth_result = email_auth::login_by_email(&state, &app, &user_id, &ip, SignInMethod::Otp, agent).await?;
    crate::metrics::ceremony_finished(Ceremony::Otp);
    Ok(Json(json!({ "auth_result": auth_result })))
}

/// Count this activation attempt as a failure of (account, network) before the code is compared (a right code
/// then resets the count), after checking the rules of NIST SP 800-63B §5.2.2 ("limit consecutive failed
/// authentication attempts on a single subscriber account to no more than 100", with back-off):
/// * back-off: after `otp_free_failures` consecutive failures the next attempt from that network waits 1 s, then
///   2 s, 4 s, ... up to `otp_max_backoff_secs` (429 with `Retry-After`);
/// * cap per (account, network) (`otp_failures_per_network`, 100): then that network tries no more codes for the
///   account until the user signs in successfully (401, the element's "too many attempts");
/// * cap per account (`otp_failures_per_account`, 100) over the networks the user never signed in from, checked
///   only for attempts from such a network: however many networks a stranger uses, they get at most 100
///   consecutive guesses at the account until the owner's next sign-in.
///
/// A *known* network (one the user signed in from, see `otp_failures::reset`) is held only to its own cap: a
/// stranger elsewhere can slow down and lock out their own networks and the unknown ones, never the owner's. The
/// owner on a network they never signed in from, while a stranger has used up the account-wide cap, is refused
/// codes and signs in with a passkey (or a magic link, which ends the run of failures).
async fn count_attempt(state: &AppState, app_id: &str, user_id: &str, network: &str) -> Result<(), ApiError> {
    let limits = state.limits();
    let seen = otp_failures::load(state.db(), app_id, user_id, network).await?;
    // NIST SP 800-63B §5.2.2: "no more than 100 consecutive failed authentication attempts on a single subscriber
    // account" (both caps are at most 100, see `cli.rs`); the account-wide one is not the owner's to use up.
    let account_cap = (!seen.known).then_some(limits.otp_failures_per_account);
    let over_account_cap = account_cap.is_some_and(|cap| seen.unknown_networks >= cap);
    if seen.network >= limits.otp_failures_per_network || over_account_cap {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "otp_failures_exceeded",
            "Too many wrong codes were entered for this account. Sign in another way, for example with a passkey.",
        ));
    }
    let now = state.now();
    let allowed_at = seen.last_failure_at.saturating_add(limits.otp_backoff_secs(seen.network) as i64);
    if now < allowed_at {
        crate::metrics::otp_backoff();
        return Err(ApiError::too_many_requests((allowed_at - now) as u64));
    }
    // Compare-and-count: of parallel attempts that all passed the checks above, one per network is counted (and
    // none beyond the account-wide cap), the rest wait.
    if !otp_failures::count(state.db(), app_id, user_id, network, seen.network, account_cap, now).await? {
        return Err(ApiError::too_many_requests(1));
    }
    Ok(())
}
