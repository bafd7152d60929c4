//! Calls to the app's backend (`/user`) and the auth server's sign-out endpoint.

use std::fmt;

use contract::{ApiError, CurrentUser, SaveName, SavedProfile};
use gloo_net::http::{Request, RequestBuilder, Response};

use crate::config::AppConfig;
use crate::retry::{self, Verdict};

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

/// The message to show for an error response: the backend's `error.message`, else a generic sentence with the
/// status. Pure, so it is unit-tested natively.
pub fn error_message(status: u16, body: &str) -> String {
    match serde_json::from_str::<ApiError>(body) {
        Ok(error) if !error.error.message.trim().is_empty() => error.error.message,
        _ => format!("The server answered with status {status}."),
    }
}

fn with_timeout(builder: RequestBuilder) -> RequestBuilder {
    // A stalled connection would otherwise hold "Saving your profile…" forever; the timeout turns it into a
    // network error that the retry schedule handles.
    let signal = web_sys::AbortSignal::timeout_with_u32(retry::ATTEMPT_TIMEOUT_MS);
    builder.abort_signal(Some(&signal))
}

async fn send(request: Result<Request, gloo_net::Error>) -> Result<Response, ApiFailure> {
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

fn bearer(token: &str) -> String {
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
pub async fn keep_trying<T, Fut>(
    mut attempt: impl FnMut() -> Fut,
    mut on_failure: impl FnMut(&ApiFailure),
    still_wanted: impl Fn() -> bool,
) -> Result<T, ApiFailure>
where
    Fut: std::future::Future<Output = Result<T, ApiFailure>>,
{
    let mut next_attempt = 1;
    loop {
        let failure = match attempt().await {
            Ok(value) => return Ok(value),
            Err(failure) => failure,
        };
        if retry::verdict(failure.status()) != Verdict::Retry {
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

/// `DELETE {auth_url}/v1/apps/{app_id}/tokens?refresh_token=...` (E19). Best effort: sign-out goes on regardless.
pub async fn revoke_refresh_token(config: &AppConfig, refresh_token: &str) -> Result<(), ApiFailure> {
    let url = format!(
        "{}/v1/apps/{}/tokens?refresh_token={}",
        config.auth_url,
        config.app_id,
        String::from(js_sys::encode_uri_component(refresh_token))
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
    }

    #[test]
    fn failures_display_for_people() {
        let failure = ApiFailure::Status { status: 400, message: "Please enter your name.".into() };
        assert_eq!(failure.to_string(), "Please enter your name.");
        assert_eq!(failure.status(), Some(400));
        let network = ApiFailure::Network("TypeError: Failed to fetch".into());
        assert_eq!(network.status(), None);
        assert_eq!(network.to_string(), "The server could not be reached.");
    }
}
