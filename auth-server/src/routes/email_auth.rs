//! What the OTP and magic-link routes share: who may receive a code or link, and how a proven user logs in.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::StatusCode;

use serde_json::json;

use crate::db::is_unique_violation;
use crate::error::ApiError;
use crate::ids;
use crate::limits::ClientIp;
use crate::mail::{self, Language, Mail, MailError, PasskeyFacts};
use crate::state::{AppState, RegisteredApp};
use crate::store::credentials::{self, Credential};
use crate::store::notices::{self, NoticeKind};
use crate::store::otp_failures;
use crate::store::refresh_tokens::{self, SignInMethod};
use crate::store::users::{self, User, UserStatus};
use crate::tokens::AuthResult;

/// Registration (E8, E11) or login (E9, E12).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Register,
    Login,
}

/// The identifier check of E3, E8/E9, E11/E12: a 400 the element shows as an error, never an address with markup
/// in it (see `ids::IDENTIFIER_FORBIDDEN_CHARS`).
pub fn invalid_identifier() -> ApiError {
    ApiError::bad_request(
        "invalid_identifier",
        "Enter a valid email address (spaces and the characters < > \" ' & ` \\ are not allowed).",
    )
}

pub fn parse_identifier(raw: &str) -> Result<String, ApiError> {
    ids::normalize_email(raw).ok_or_else(invalid_identifier)
}

/// The user a code or link may be sent to, after the send limits were counted.
///
/// Registration needs the pending user E3 created (an active account must log in instead). Login accepts active
/// and pending users: the elements' "Resend" always calls the login variant, also during registration.
pub async fn recipient(
    state: &AppState,
    app: &RegisteredApp,
    ip: &ClientIp,
    identifier: &str,
    purpose: Purpose,
) -> Result<User, ApiError> {
    let email = parse_identifier(identifier)?;
    // Counted before the lookup, so probing unknown addresses is limited as much as mailing known ones.
    state.limit_send(ip, &app.config.id, &email).await?;
    let user = users::find_live_by_email(state.db(), &app.config.id, &email, state.now())
        .await?
        .ok_or_else(ApiError::user_not_found)?;
    match (user.status, purpose) {
        (UserStatus::Inactive, _) => Err(ApiError::user_inactive()),
        (UserStatus::Active, Purpose::Register) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "user_already_exists",
            "An account with this email already exists.",
        )),
        _ => Ok(user),
    }
}

/// The language of a mail that answers a request naming `requested` (the elements' `language`, E8/E9/E11/E12): that
/// one when it is shipped (and its tag, to keep on the code or link for [`remember_language`]); else the app's
/// `default_language`, else English (no tag: nothing to remember).
pub fn requested_language(app: &RegisteredApp, requested: Option<&str>) -> (Language, Option<&'static str>) {
    match requested.and_then(Language::from_tag) {
        Some(language) => (language, Some(language.tag())),
        None => (Language::resolve(None, &app.config.default_language), None),
    }
}

/// Store the language a used code or opened link was requested in on its user, for the notices sent later
/// ([`user_language`]). Only on use: whoever asks for a code knows an address, whoever uses one reads its mailbox,
/// and only the owner may choose the language of the owner's security notices.
pub async fn remember_language(state: &AppState, user_id: &str, requested: Option<&str>) -> Result<(), ApiError> {
    if let Some(language) = requested.and_then(Language::from_tag) {
        users::set_language(state.db(), user_id, language.tag()).await?;
    }
    Ok(())
}

/// The language of a notice nobody asked for just now: the one of the last code the user used or link they opened,
/// else the app's `default_language`, else English.
pub fn user_language(app: &RegisteredApp, user: &User) -> Language {
    Language::resolve(user.language.as_deref(), &app.config.default_language)
}

/// Send a message; a transport failure is logged and answered 502 (the element shows "could not send").
pub async fn deliver(state: &AppState, mail: &Mail) -> Result<(), ApiError> {
    state.mailer().send(mail).await.map_err(|err: MailError| {
        // The error can quote the address or the SMTP server's reply: escaped onto one line (ASVS 5.0 V16.4.1).
        tracing::error!(err = %crate::log_text::escaped(&err), "sending mail failed");
        ApiError::new(StatusCode::BAD_GATEWAY, "mail_not_sent", "The message could not be sent. Try again later.")
    })
}

/// Send a message that informs (a notice, a confirmation link) rather than one the user is waiting for: a transport
/// failure is logged, and what triggered it (a sign-in, a registration) still succeeds. The stored notice and the
/// provisional state do not depend on the mail.
pub async fn inform(state: &AppState, mail: &Mail) {
    if let Err(err) = state.mailer().send(mail).await {
        tracing::warn!(%err, subject = %mail.subject, "sending an account mail failed");
    }
}

/// How a mail names a passkey.
pub fn passkey_facts(credential: &Credential) -> PasskeyFacts {
    PasskeyFacts { created_at: ids::rfc3339(credential.created_at), user_agent: credential.user_agent.clone() }
}

/// How the proof of the address came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof<'a> {
    /// A code or magic link sign-in (E10, E13, E14): counts as a login.
    SignIn,
    /// The owner kept this provisional passkey through its confirmation link.
    KeptPasskey(&'a str),
    /// An e-mail change link (P8) was opened at E14: the account moves to this address, which the opening proves.
    /// Counts as a login (E14 signs the opening tab in).
    NewAddress(&'a str),
}

/// 409 `identifier_exists`: another user has the address (P8, and E14 when it was taken meanwhile).
pub fn identifier_exists() -> ApiError {
    ApiError::new(StatusCode::CONFLICT, "identifier_exists", "Another account already uses this email address.")
}

/// The owner proved control of the address: mark it verified (activating a pending user), remove every passkey still
/// provisional (except the one being kept), end the sessions those passkeys started, and tell the owner by mail and
/// by a stored notice.
///
/// Pre-account hijacking (Sudhodanan & Paverd, USENIX Security 2022, "classic-federated merge" and "unexpired
/// session" attacks): a stranger who registered a passkey for someone else's address must not keep it, or any session
/// it opened, once the address's owner shows up. ASVS 5.0 V6.3.7: users are notified after updates to authentication
/// details. Runs in one transaction that first updates the user row, so a passkey registration racing with the proof
/// (`users::claim_unproven`) lands entirely before it (and is removed here) or after it (and is refused).
pub async fn prove_address(
    state: &AppState,
    app: &RegisteredApp,
    user: &User,
    proof: Proof<'_>,
) -> Result<Vec<Credential>, ApiError> {
    let mut tx = state.db().begin().await?;
    let removed = prove_in(&mut tx, state, app, user, proof).await?;
    tx.commit().await?;
    announce_removed(state, app, user, proof, &removed).await;
    Ok(removed)
}

/// [`prove_address`] inside the caller's transaction (an e-mail change also consumes its link and stores a notice in
/// it); the caller commits, then calls [`announce_removed`]. For [`Proof::NewAddress`] a unique-constraint violation
/// (another user registered the address meanwhile) is answered 409 [`identifier_exists`], and the caller's
/// transaction, dropped, changes nothing.
pub async fn prove_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    state: &AppState,
    app: &RegisteredApp,
    user: &User,
    proof: Proof<'_>,
) -> Result<Vec<Credential>, ApiError> {
    let now = state.now();
    let keep = match proof {
        Proof::SignIn => {
            users::record_email_login(&mut **tx, &user.id).await?;
            None
        }
        Proof::KeptPasskey(credential_id) => {
            users::mark_email_verified(&mut **tx, &user.id).await?;
            Some(credential_id)
        }
        Proof::NewAddress(email) => {
            match users::change_email(tx, &app.config.id, &user.id, email, now).await {
                Ok(true) => {}
                Ok(false) => return Err(ApiError::user_not_found()),
                Err(err) if is_unique_violation(&err) => return Err(identifier_exists()),
                Err(err) => return Err(err.into()),
            }
            None
        }
    };
    let removed = credentials::remove_provisional(&mut **tx, &user.id, keep).await?;
    if removed.is_empty() {
        return Ok(removed);
    }
    let removed_ids = removed.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
    let sessions = refresh_tokens::revoke_started_with(tx, &app.config.id, &removed_ids, now).await?;
    let facts = removed.iter().map(passkey_facts).collect::<Vec<_>>();
    let text = format!(
        "{} passkey(s) registered for your address before you proved it was yours were never confirmed, so they were \
         removed when you proved it ({}), and their sessions were ended: {}. If one was yours, add it again.",
        removed.len(),
        ids::rfc3339(now),
        facts
            .iter()
            .map(|f| format!("created {} ({})", f.created_at, f.user_agent.as_deref().unwrap_or("unknown browser")))
            .collect::<Vec<_>>()
            .join("; "),
    );
    let data = json!({
        "reason": "registered_before_address_proven",
        "passkeys": removed.iter().map(|c| json!({
            "id": c.id, "created_at": ids::rfc3339(c.created_at), "user_agent": c.user_agent,
        })).collect::<Vec<_>>(),
        "sessions_ended": sessions,
    });
    notices::insert(&mut **tx, &app.config.id, &user.id, NoticeKind::ProvisionalPasskeysRemoved, &text, &data, now)
        .await?;
    tracing::warn!(
        app = %app.config.id, user = %user.id, passkeys = removed.len(), sessions,
        "address proven: removed passkeys registered before it was proven"
    );
    Ok(removed)
}

/// After [`prove_in`] committed: mail the proven address the passkeys it removed, if any.
pub async fn announce_removed(
    state: &AppState,
    app: &RegisteredApp,
    user: &User,
    proof: Proof<'_>,
    removed: &[Credential],
) {
    if removed.is_empty() {
        return;
    }
    let address = match proof {
        Proof::NewAddress(email) => email,
        Proof::SignIn | Proof::KeptPasskey(_) => &user.email,
    };
    let facts = removed.iter().map(passkey_facts).collect::<Vec<_>>();
    let language = user_language(app, user);
    inform(state, &mail::provisional_passkeys_removed_mail(address, &app.config.name, &facts, language)).await;
}

/// The browser that signs in, as its session records it: its sanitised User-Agent.
pub fn session_user_agent(headers: &axum::http::HeaderMap) -> Option<String> {
    super::passkeys::user_agent(headers)
}

/// The user proved control of their address: activate a pending user, mark the address verified, count the
/// login, remove passkeys registered before the proof ([`prove_address`]), and issue the AuthResult. Inactive users
/// are refused even with a valid code. `ip` is the network that signed in (it becomes known, see
/// `otp_failures::reset`); `method` and `user_agent` name the new session.
pub async fn login_by_email(
    state: &AppState,
    app: &Arc<RegisteredApp>,
    user_id: &str,
    ip: &ClientIp,
    method: SignInMethod,
    user_agent: Option<String>,
) -> Result<AuthResult, ApiError> {
    let user = users::find_by_id(state.db(), &app.config.id, user_id).await?.ok_or_else(ApiError::user_not_found)?;
    if user.status == UserStatus::Inactive {
        return Err(ApiError::user_inactive());
    }
    prove_address(state, app, &user, Proof::SignIn).await?;
    signed_in_by_email(state, app, &user.id, ip, method, user_agent).await
}

/// What follows every sign-in that proved the mailbox: end the run of wrong codes, make the network known, and
/// issue the AuthResult in a new session.
pub async fn signed_in_by_email(
    state: &AppState,
    app: &Arc<RegisteredApp>,
    user_id: &str,
    ip: &ClientIp,
    method: SignInMethod,
    user_agent: Option<String>,
) -> Result<AuthResult, ApiError> {
    // A sign-in by the owner ends the run of consecutive wrong codes (NIST SP 800-63B §5.2.2 caps *consecutive*
    // failures): a code or a link proves the mailbox, so it is the owner, and their network becomes known.
    let network = ip.network();
    otp_failures::reset(state.db(), &app.config.id, user_id, Some(&network), state.now()).await?;
    crate::sign_in::issue_auth_result(state, app, user_id, method, user_agent).await
}

/// Who asked for a code or link: when, with which User-Agent, from which client IP (the per-IP limits' address),
/// for the notice in its message (`mail::RequestContext`).
pub struct Requester(pub crate::mail::RequestContext);

impl FromRequestParts<AppState> for Requester {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ip = ClientIp::from_request_parts(parts, state).await?;
        let user_agent = parts
            .headers
            .get(axum::http::header::USER_AGENT)
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
        Ok(Self(crate::mail::RequestContext { at: state.now(), user_agent, ip: ip.0 }))
    }
}
