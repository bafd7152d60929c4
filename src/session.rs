//! The signed-in session in the browser: the stored tokens, renewing the auth token (E18), calls that need a
//! token, and signing out.
//!
//! Every call that needs the auth token goes through [`usable_token`] (or [`authorized`], which adds the 401
//! handling), so there is one refresher per page: concurrent callers share one refresh, because refresh tokens
//! rotate and presenting the same one twice revokes the session. The decisions are pure functions in
//! [`crate::token_refresh`].

use std::cell::RefCell;
use std::fmt;

use futures::future::{FutureExt as _, LocalBoxFuture, Shared};

use crate::api::{self, ApiFailure, AttemptFailure};
use crate::auth_cookie::{self, AUTH_COOKIE};
use crate::browser;
use crate::config::AppConfig;
use crate::i18n::Msg;
use crate::profile_outbox::ProfileOutbox;
use crate::token_refresh::{self, RenewedTokens, TokenPlan};

/// localStorage key of the refresh token written by the element (passage-auth-api.md §5.3).
pub const REFRESH_TOKEN_KEY: &str = "psg_refresh_token";

/// The prefix of every key the element writes to localStorage; sign-out removes them all.
pub const ELEMENT_STORAGE_PREFIX: &str = "psg_";

fn cookie_needs_secure() -> bool {
    let (_, protocol, hostname, _) = browser::location_parts();
    auth_cookie::needs_secure(&protocol, &hostname)
}

/// Rewrites `psg_auth_token` with the token's lifetime and `SameSite=Lax` (see [`crate::auth_cookie`]).
/// Returns false when the token is not a JWT (nothing is written).
pub fn store_auth_cookie(token: &str) -> bool {
    let max_age = crate::jwt::seconds_left(token, browser::now_secs());
    let Ok(cookie) = auth_cookie::auth_cookie(token, max_age, cookie_needs_secure()) else {
        return false;
    };
    browser::html_document().is_some_and(|document| document.set_cookie(&cookie).is_ok())
}

fn cookie_token() -> Option<String> {
    let cookies = browser::html_document().and_then(|d| d.cookie().ok()).unwrap_or_default();
    auth_cookie::cookie_value(&cookies, AUTH_COOKIE).map(str::to_owned)
}

fn local_storage_item(key: &str) -> Option<String> {
    browser::local_storage()?.get_item(key).ok()?.filter(|value| !value.is_empty())
}

/// The stored auth token as it is (possibly expired): of the cookie and the element's localStorage copy, the one
/// that expires last (see [`token_refresh::freshest`]). Calls should use [`usable_token`].
pub fn auth_token() -> Option<String> {
    let (cookie, stored) = (cookie_token(), local_storage_item(AUTH_COOKIE));
    token_refresh::freshest(cookie.as_deref(), stored.as_deref()).map(str::to_owned)
}

/// The refresh token the element (or the last refresh) stored, if any.
pub fn refresh_token() -> Option<String> {
    local_storage_item(REFRESH_TOKEN_KEY)
}

/// Stores a refresh's tokens where the SPA and the element read them: the cookie and `psg_auth_token` in
/// localStorage, and the rotated `psg_refresh_token`.
pub fn store_renewed_tokens(tokens: &RenewedTokens) {
    if !store_auth_cookie(&tokens.auth_token) {
        leptos::logging::warn!("the renewed auth token is not a JWT; the cookie was not rewritten");
    }
    if let Some(storage) = browser::local_storage() {
        let _ = storage.set_item(AUTH_COOKIE, &tokens.auth_token);
        let _ = storage.set_item(REFRESH_TOKEN_KEY, &tokens.refresh_token);
    }
}

/// Why no token (or no answer) could be had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionError {
    /// The session is over (no tokens, the refresh was refused, or the backend refuses a freshly renewed token):
    /// the tokens are forgotten; the page goes to the sign-in page.
    Ended,
    /// Anything else: the call failed (network, a status other than 401), or the refresh could not be done right
    /// now. The session may be fine; trying again may work.
    Failed(ApiFailure),
}

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SessionError::Ended => f.write_str("You are signed out. Please sign in again."),
            SessionError::Failed(failure) => failure.fmt(f),
        }
    }
}

impl std::error::Error for SessionError {}

impl SessionError {
    /// The error as a message in the page's language.
    pub fn to_msg(&self) -> Msg {
        match self {
            SessionError::Ended => Msg::new("error.signed_out"),
            SessionError::Failed(failure) => failure.to_msg(),
        }
    }
}

impl AttemptFailure for SessionError {
    fn status(&self) -> Option<u16> {
        match self {
            SessionError::Ended => Some(401),
            SessionError::Failed(failure) => failure.status(),
        }
    }

    fn worth_retrying(&self) -> bool {
        match self {
            SessionError::Ended => false,
            SessionError::Failed(failure) => failure.worth_retrying(),
        }
    }
}

type RefreshFuture = Shared<LocalBoxFuture<'static, Result<String, SessionError>>>;

thread_local! {
    /// The refresh in progress in this page, if any: every caller that needs one while it runs awaits it.
    static REFRESH_IN_FLIGHT: RefCell<Option<RefreshFuture>> = const { RefCell::new(None) };
}

/// An auth token to send now: the stored one if it has more than a minute left, else a renewed one (E18, shared
/// with concurrent callers). A refused refresh or a missing refresh token ends the session ([`SessionError::Ended`],
/// tokens forgotten); a refresh that could not be done (network, 5xx) is [`SessionError::Failed`] and changes
/// nothing stored.
pub async fn usable_token(config: &AppConfig) -> Result<String, SessionError> {
    match token_refresh::plan(auth_token().as_deref(), refresh_token().as_deref(), browser::now_secs()) {
        TokenPlan::Use(token) => Ok(token),
        TokenPlan::Refresh(refresh_token) => shared_refresh(config, refresh_token).await,
        TokenPlan::SignIn => {
            forget_tokens();
            Err(SessionError::Ended)
        }
    }
}

/// A token other than `rejected`, which a server refused although it had not expired (its session was ended
/// elsewhere, or the clock is off): a token someone renewed meanwhile, else a refresh now.
pub async fn token_instead_of(config: &AppConfig, rejected: &str) -> Result<String, SessionError> {
    if let Some(current) = auth_token().filter(|current| current != rejected) {
        if let TokenPlan::Use(token) = token_refresh::plan(Some(&current), None, browser::now_secs()) {
            return Ok(token);
        }
    }
    match refresh_token() {
        Some(refresh_token) => shared_refresh(config, refresh_token).await,
        None => {
            forget_tokens();
            Err(SessionError::Ended)
        }
    }
}

/// Runs `call` with a usable token. A 401 gets one more try with a renewed token; a second 401 ends the session.
pub async fn authorized<T>(
    config: &AppConfig,
    call: impl AsyncFn(&str) -> Result<T, ApiFailure>,
) -> Result<T, SessionError> {
    let token = usable_token(config).await?;
    match call(&token).await {
        Err(failure) if failure.status() == Some(401) => {}
        other => return other.map_err(SessionError::Failed),
    }
    let renewed = token_instead_of(config, &token).await?;
    match call(&renewed).await {
        Err(failure) if failure.status() == Some(401) => {
            forget_tokens();
            Err(SessionError::Ended)
        }
        other => other.map_err(SessionError::Failed),
    }
}

/// Joins the refresh in flight, or starts one with `refresh_token`.
async fn shared_refresh(config: &AppConfig, refresh_token: String) -> Result<String, SessionError> {
    let in_flight = REFRESH_IN_FLIGHT.with(|slot| slot.borrow().clone());
    let refresh = match in_flight {
        Some(refresh) => refresh,
        None => {
            let config = config.clone();
            let refresh = async move {
                let outcome = refresh_now(&config, &refresh_token).await;
                // Done: the next caller reads the stored tokens again instead of this answer.
                REFRESH_IN_FLIGHT.with(|slot| slot.borrow_mut().take());
                outcome
            }
            .boxed_local()
            .shared();
            REFRESH_IN_FLIGHT.with(|slot| *slot.borrow_mut() = Some(refresh.clone()));
            refresh
        }
    };
    refresh.await
}

async fn refresh_now(config: &AppConfig, refresh_token: &str) -> Result<String, SessionError> {
    match api::refresh_tokens(config, refresh_token).await {
        Ok(tokens) => {
            store_renewed_tokens(&tokens);
            Ok(tokens.auth_token)
        }
        Err(failure) if token_refresh::refresh_refused(failure.status()) => {
            leptos::logging::warn!("the session has ended: {failure:?}");
            forget_tokens();
            Err(SessionError::Ended)
        }
        Err(failure) => {
            leptos::logging::warn!("the auth token could not be renewed right now: {failure:?}");
            Err(SessionError::Failed(failure))
        }
    }
}

/// Forgets the tokens in this browser: the cookie and every `psg_*` key. The profile outbox stays: a session that
/// ended by itself must not lose a name typed at sign-up (the next sign-in of the same identifier finishes it).
pub fn forget_tokens() {
    if let Some(document) = browser::html_document() {
        let _ = document.set_cookie(&auth_cookie::clear_auth_cookie(cookie_needs_secure()));
    }
    if let Some(storage) = browser::local_storage() {
        let length = storage.length().unwrap_or(0);
        // Collect first: removing while iterating by index would skip keys.
        let keys: Vec<String> = (0..length)
            .filter_map(|i| storage.key(i).ok().flatten())
            .filter(|key| key.starts_with(ELEMENT_STORAGE_PREFIX))
            .collect();
        for key in keys {
            let _ = storage.remove_item(&key);
        }
    }
}

/// Signing out (or deleting the account): [`forget_tokens`] and any unsent profile (on a shared computer the next
/// person must not inherit it).
pub fn clear() {
    forget_tokens();
    if let Ok(outbox) = ProfileOutbox::local() {
        outbox.clear();
    }
}

/// Signing out of this browser: revokes the refresh token (E19, best effort: the local session is cleared whether
/// or not the auth server answers), then [`clear`].
pub async fn sign_out(config: &AppConfig) {
    if let Some(refresh_token) = refresh_token() {
        if let Err(failure) = api::revoke_refresh_token(config, &refresh_token).await {
            leptos::logging::warn!("revoking the refresh token failed: {failure:?}");
        }
    }
    clear();
}
