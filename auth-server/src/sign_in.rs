//! Signing a proven user in: an auth token and a new (or continued) session, shaped as the elements' AuthResult.
//! Every sign-in method ends here once the user is proven. It sits above `state` (it needs the app, the keys and
//! the database), so `tokens` below stays free of the state it would otherwise import.

use crate::error::ApiError;
use crate::ids;
use crate::state::{AppState, RegisteredApp};
use crate::store;
use crate::store::refresh_tokens::SignInMethod;
use crate::tokens::{AuthResult, Claims};

/// Sign an auth token for `user_id`, start a new session (refresh-token family), and shape the AuthResult.
/// Reusable by every login method: call it once the user is proven. `method` and `user_agent` (sanitised, see
/// `credentials::sanitize_user_agent`) name the session in the account page's session list.
pub async fn issue_auth_result(
    state: &AppState,
    app: &RegisteredApp,
    user_id: &str,
    method: SignInMethod,
    user_agent: Option<String>,
) -> Result<AuthResult, ApiError> {
    let session = store::refresh_tokens::Session::start(state.now(), method, None, user_agent);
    issue_in_session(state, app, user_id, &session).await
}

/// As [`issue_auth_result`] for a passkey sign-in: the session remembers the passkey, so removing the passkey ends it.
pub async fn issue_after_passkey(
    state: &AppState,
    app: &RegisteredApp,
    user_id: &str,
    credential_id: &str,
    user_agent: Option<String>,
) -> Result<AuthResult, ApiError> {
    let session =
        store::refresh_tokens::Session::start(state.now(), SignInMethod::Passkey, Some(credential_id), user_agent);
    issue_in_session(state, app, user_id, &session).await
}

/// Issue tokens in `session`: a new one, or the presented token's on a refresh, so the absolute lifetime still
/// counts from the sign-in, `auth_time` stays the sign-in time, and reuse detection covers the new token.
pub async fn issue_in_session(
    state: &AppState,
    app: &RegisteredApp,
    user_id: &str,
    session: &store::refresh_tokens::Session,
) -> Result<AuthResult, ApiError> {
    // JWT times follow the system clock: that is what every verifier of the token compares them with.
    let now = ids::now();
    let claims = Claims {
        sub: user_id.to_owned(),
        aud: vec![app.origin.clone(), app.config.id.clone()],
        iss: app.config.id.clone(),
        iat: now,
        nbf: now,
        exp: now + app.config.auth_token_lifetime_secs as i64,
        // The server clock, as the reauthentication check compares it with `state.now()` (equal outside tests).
        auth_time: Some(session.started_at),
        sid: Some(session.family_id.clone()),
    };
    let auth_token = state.keys().sign(&claims)?;
    let (refresh_token, refresh_token_expiration) = store::refresh_tokens::create(
        state.db(),
        &app.config.id,
        user_id,
        session,
        app.config.refresh_token_lifetime_secs as i64,
        app.config.session_absolute_lifetime_secs as i64,
        state.now(),
    )
    .await?;
    Ok(AuthResult {
        auth_token,
        redirect_url: app.config.redirect_url.clone(),
        refresh_token,
        refresh_token_expiration,
    })
}
