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
    sign(state, app, user_id, session.clone())?.store(state.db()).await
}

/// Sign the auth token for `user_id` in `session`; the refresh token is made and stored by [`SignedIn::store`].
/// Two steps so that a ceremony can store the session in the transaction of its other writes (all or nothing)
/// while the signing, RSA and the slowest part, runs before that transaction holds SQLite's write lock.
pub fn sign(
    state: &AppState,
    app: &RegisteredApp,
    user_id: &str,
    session: store::refresh_tokens::Session,
) -> Result<SignedIn, ApiError> {
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
    Ok(SignedIn {
        auth_token: state.keys().sign(&claims)?,
        app_id: app.config.id.clone(),
        user_id: user_id.to_owned(),
        session,
        inactivity_secs: app.config.refresh_token_lifetime_secs as i64,
        absolute_secs: app.config.session_absolute_lifetime_secs as i64,
        redirect_url: app.config.redirect_url.clone(),
        now: state.now(),
    })
}

/// A signed auth token whose session is not stored yet (see [`sign`]).
pub struct SignedIn {
    auth_token: String,
    app_id: String,
    user_id: String,
    session: store::refresh_tokens::Session,
    inactivity_secs: i64,
    absolute_secs: i64,
    redirect_url: String,
    now: i64,
}

impl SignedIn {
    /// The passkey the session signs in with, once it is stored: removing the passkey ends the session. The
    /// auth token does not name it, so it can be known after signing (a new passkey's row id is made on insert).
    pub fn with_passkey(mut self, credential_id: &str) -> Self {
        self.session.credential_id = Some(credential_id.to_owned());
        self
    }

    /// Store the session's refresh token (on the pool, or in the caller's transaction) and shape the AuthResult.
    pub async fn store<'e, E>(self, db: E) -> Result<AuthResult, ApiError>
    where
        E: sqlx::Executor<'e, Database = sqlx::Any>,
    {
        let (refresh_token, refresh_token_expiration) = store::refresh_tokens::create(
            db,
            &self.app_id,
            &self.user_id,
            &self.session,
            self.inactivity_secs,
            self.absolute_secs,
            self.now,
        )
        .await?;
        Ok(AuthResult {
            auth_token: self.auth_token,
            redirect_url: self.redirect_url,
            refresh_token,
            refresh_token_expiration,
        })
    }
}
