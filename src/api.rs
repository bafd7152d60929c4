//! Calls to the app's backend (`/user`) and the auth server's token endpoints (refresh, sign-out), and the
//! request plumbing (timeout, error bodies) the other call modules share.

use std::fmt;

use contract::{ApiError, CurrentUser, SaveName, SavedProfile};
use gloo_net::http::{Request, RequestBuilder, Response};
use serde::Deserialize;

use crate::config::AppConfig;
use crate::i18n::Msg;
use crate::retry::{self, Verdict};
use crate::token_refresh::{self, RenewedTokens};

/// A failed call, with a message fit for the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiFailure {
    /// No HTTP response (offline, CORS refusal, DNS, timeout).
    Network(String),
    /// The server answered with a non-2xx status; `message` comes from its `{"error":{...}}` body when it has one.
    Status { status: u16, message: String },
}

impl ApiFailure {
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiFailure::Network(_) => None,
            ApiFailure::Status { status, .. } => Some(*status),
        }
    }
}

impl fmt::Display for ApiFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // The browser's own wording ("TypeError: Failed to fetch") means nothing to a user; it stays in Debug
            // output for the console.
            ApiFailure::Network(_) => f.write_str("The server could not be reached."),
            ApiFailure::Status { message, .. } => f.write_str(message),
        }
    }
}

impl std::error::Error for ApiFailure {}

impl ApiFailure {
    /// The failure as a message in the page's language. A server's own sentence stays as sent (servers speak
    /// English to API clients), framed in the page's language; without one, the status alone.
    pub fn to_msg(&self) -> Msg {
        match self {
            ApiFailure::Network(_) => Msg::new("error.network"),
            ApiFailure::Status { status, message } if message.is_empty() || *message == status_message(*status) => {
                Msg::new("error.status").text("status", status.to_string())
            }
            ApiFailure::Status { message, .. } => Msg::new("error.server_said").text("detail", message.clone()),
        }
    }
}

/// The sentence for a status without a message of the server's (English; see [`ApiFailure::to_msg`]).
fn status_message(status: u16) -> String {
    format!("The server answered with status {status}.")
}

/// A failed attempt as [`keep_trying`] judges it.
pub trait AttemptFailure {
    /// The HTTP status, `None` when there was no response.
    fn status(&self) -> Option<u16>;
    /// Whether the same attempt may succeed later (network, 5xx, 429: see [`retry::verdict`]).
    fn worth_retrying(&self) -> bool {
        retry::verdict(self.status()) == Verdict::Retry
    }
}

impl AttemptFailure for ApiFailure {
    fn status(&self) -> Option<u16> {
        ApiFailure::status(self)
    }
}

/// The two error bodies the SPA meets: the backend's `{"error": {"code", "message"}}` and the auth server's
/// `{"code", "error": "<message>"}`.
#[derive(Deserialize)]
#[serde(untagged)]
enum ErrorBody {
    Backend(ApiError),
    AuthServer { error: String },
}

/// The message to show for an error response: the server's own sentence, else a generic one with the status.
/// Pure, so it is unit-tested natively.
pub fn error_message(status: u16, body: &str) -> String {
    let message = match serde_json::from_str::<ErrorBody>(body) {
        Ok(ErrorBody::Backend(error)) => error.error.message,
        Ok(ErrorBody::AuthServer { error }) => error,
        Err(_) => String::new(),
    };
    if message.trim().is_empty() {
        status_message(status)
    } else {
        message
    }
}

pub(crate) fn with_timeout(builder: RequestBuilder) -> RequestBuilder {
    // A stalled connection would otherwise hold "Saving your profile…" forever; the timeout turns it into a
    // network error that the retry schedule handles.
    let signal = web_sys::AbortSignal::timeout_with_u32(retry::ATTEMPT_TIMEOUT_MS);
    builder.abort_signal(Some(&signal))
}

/// Sends `request`; a non-2xx answer becomes [`ApiFailure::Status`] with the server's message.
pub(crate) async fn send(request: Result<Request, gloo_net::Error>) -> Result<Response, ApiFailure> {
    let request = request.map_err(|e| ApiFailure::Network(e.to_string()))?;
    let response = request.send().await.map_err(|e| ApiFailure::Network(e.to_string()))?;
    if response.ok() {
        Ok(response)
    } else {
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        Err(ApiFailure::Status { status, message: error_message(status, &body) })
    }
}

pub(crate) fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// One `POST {api_url}/user` attempt.
pub async fn save_name_once(api_url: &str, token: &str, name: &str) -> Result<SavedProfile, ApiFailure> {
    let request = with_timeout(Request::post(&format!("{api_url}/user")))
        .header("Authorization", &bearer(token))
        .json(&SaveName { name: name.to_owned() });
    let response = send(request).await?;
    response.json::<SavedProfile>().await.map_err(|e| ApiFailure::Network(format!("unexpected response: {e}")))
}

/// `POST {api_url}/user`, retried on network errors, 5xx and 429 per [`crate::retry`]; stops at other 4xx.
pub async fn save_name(api_url: &str, token: &str, name: &str) -> Result<SavedProfile, ApiFailure> {
    let mut attempt = 1;
    loop {
        let result = save_name_once(api_url, token, name).await;
        let verdict = match &result {
            Ok(_) => Verdict::Saved,
            Err(failure) => retry::verdict(failure.status()),
        };
        if verdict != Verdict::Retry {
            return result;
        }
        attempt += 1;
        match retry::delay_before(attempt) {
            Some(delay) => crate::browser::sleep_ms(delay).await,
            None => return result,
        }
    }
}

/// Runs `attempt` until it succeeds or fails in a way that retrying cannot fix, waiting per
/// [`retry::delay_before_unbounded`] in between, for calls a page needs however long the backend is away.
/// `on_failure` hears each transient failure (to tell the user); `still_wanted` is asked after each wait and
/// stops the loop when it says no (the page is gone), returning the last failure.
pub async fn keep_trying<T, E, Fut>(
    mut attempt: impl FnMut() -> Fut,
    mut on_failure: impl FnMut(&E),
    still_wanted: impl Fn() -> bool,
) -> Result<T, E>
where
    E: AttemptFailure,
    Fut: std::future::Future<Output = Result<T, E>>,
{
    let mut next_attempt = 1;
    loop {
        let failure = match attempt().await {
            Ok(value) => return Ok(value),
            Err(failure) => failure,
        };
        if !failure.worth_retrying() {
            return Err(failure);
        }
        on_failure(&failure);
        next_attempt += 1;
        crate::browser::sleep_ms(retry::delay_before_unbounded(next_attempt)).await;
        if !still_wanted() {
            return Err(failure);
        }
    }
}

/// `GET {api_url}/user`.
pub async fn current_user(api_url: &str, token: &str) -> Result<CurrentUser, ApiFailure> {
    let request =
        with_timeout(Request::get(&format!("{api_url}/user"))).header("Authorization", &bearer(token)).build();
    let response = send(request).await?;
    response.json::<CurrentUser>().await.map_err(|e| ApiFailure::Network(format!("unexpected response: {e}")))
}

/// `DELETE {api_url}/user`: deletes the account, at the auth server first and then the profile (204). A 502 means
/// the auth server could not be reached and nothing was deleted; repeating after a success answers 204 again.
pub async fn delete_user(api_url: &str, token: &str) -> Result<(), ApiFailure> {
    let request =
        with_timeout(Request::delete(&format!("{api_url}/user"))).header("Authorization", &bearer(token)).build();
    send(request).await.map(|_| ())
}

/// `{auth_url}/v1/apps/{app_id}{path}`: an element endpoint of the auth server.
pub(crate) fn auth_server_url(config: &AppConfig, path: &str) -> String {
    format!("{}/v1/apps/{}{path}", config.auth_url, config.app_id)
}

/// One `POST {auth_url}/v1/apps/{app_id}/tokens {"refresh_token"}` (E18). The presented token is spent whatever
/// the outcome once the server has seen it; see [`crate::session`] for why only one refresh may run at a time.
pub async fn refresh_tokens(config: &AppConfig, refresh_token: &str) -> Result<RenewedTokens, ApiFailure> {
    #[derive(serde::Serialize)]
    struct RefreshRequest<'a> {
        refresh_token: &'a str,
    }
    let request =
        with_timeout(Request::post(&auth_server_url(config, "/tokens"))).json(&RefreshRequest { refresh_token });
    let body = send(request).await?.text().await.map_err(|e| ApiFailure::Network(e.to_string()))?;
    token_refresh::parse_refresh_response(&body)
        .ok_or_else(|| ApiFailure::Network("unexpected response to the token refresh".to_owned()))
}

/// `DELETE {auth_url}/v1/apps/{app_id}/tokens?refresh_token=...` (E19). Best effort: sign-out goes on regardless.
pub async fn revoke_refresh_token(config: &AppConfig, refresh_token: &str) -> Result<(), ApiFailure> {
    let url = auth_server_url(
        config,
        &format!("/tokens?refresh_token={}", String::from(js_sys::encode_uri_component(refresh_token))),
    );
    send(with_timeout(Request::delete(&url)).build()).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_give_their_message() {
        let body = r#"{"error":{"code":"invalid_name","message":"Please enter your name."}}"#;
        assert_eq!(error_message(400, body), "Please enter your name.");
        assert_eq!(error_message(502, "<html>Bad gateway</html>"), "The server answered with status 502.");
        assert_eq!(
            error_message(500, r#"{"error":{"code":"x","message":" "}}"#),
            "The server answered with status 500."
        );
        // The auth server's shape.
        let body = r#"{"code":"session_not_found","error":"There is no such session."}"#;
        assert_eq!(error_message(404, body), "There is no such session.");
        assert_eq!(error_message(404, r#"{"code":"x","error":""}"#), "The server answered with status 404.");
    }

    #[test]
    fn failures_display_for_people() {
        let failure = ApiFailure::Status { status: 400, message: "Please enter your name.".into() };
        assert_eq!(failure.to_string(), "Please enter your name.");
        assert_eq!(failure.status(), Some(400));
        let network = ApiFailure::Network("TypeError: Failed to fetch".into());
        assert_eq!(network.status(), None);
        assert_eq!(network.to_string(), "The server could not be reached.");
        let english = |failure: &ApiFailure| crate::i18n::english(&failure.to_msg());
        assert_eq!(english(&network), "The server could not be reached.");
        assert_eq!(english(&failure), "Please enter your name.");
        let bare = ApiFailure::Status { status: 502, message: error_message(502, "") };
        assert_eq!(bare.to_msg(), Msg::new("error.status").text("status", "502"));
        assert_eq!(english(&bare), "The server answered with status 502.");
    }
}
