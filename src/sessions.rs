//! The user's sign-in sessions (our auth-server endpoints, ACCOUNT-CONTRACT "Sessions"): the wire shape, the calls,
//! and how a session is described on the account page.

use gloo_net::http::Request;
use serde::Deserialize;

use crate::api::{self, ApiFailure};
use crate::config::AppConfig;
use crate::i18n::Msg;
use crate::user_agent;

/// One live session as `GET /currentuser/sessions` lists it. Timestamps are RFC 3339 UTC.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SessionInfo {
    /// The refresh-token family id (the auth token's `sid`).
    pub id: String,
    pub created_at: String,
    pub last_used_at: String,
    #[serde(default)]
    pub expires_at: String,
    /// As sent at sign-in (cleaned by the server, may be empty). Untrusted text.
    #[serde(default)]
    pub user_agent: String,
    #[serde(default)]
    pub sign_in_method: String,
    /// The session of the token that asked: this browser.
    #[serde(default)]
    pub current: bool,
}

impl SessionInfo {
    /// "Firefox on Linux" (see [`user_agent::label`]).
    pub fn device(&self) -> Msg {
        user_agent::label(&self.user_agent)
    }

    /// How the session began, in words; `None` when the server does not know.
    pub fn signed_in_with(&self) -> Option<Msg> {
        match self.sign_in_method.as_str() {
            "passkey" => Some(Msg::new("sessions.method.passkey")),
            "otp" => Some(Msg::new("sessions.method.otp")),
            "magic_link" => Some(Msg::new("sessions.method.magic_link")),
            _ => None,
        }
    }
}

#[derive(Deserialize)]
struct SessionList {
    sessions: Vec<SessionInfo>,
}

/// Reads the list body. The server sorts newest use first; the current session is put first here so "this
/// device" is always on top.
pub fn parse_sessions(body: &str) -> Option<Vec<SessionInfo>> {
    let mut sessions = serde_json::from_str::<SessionList>(body).ok()?.sessions;
    // A stable sort keeps the server's order among the others.
    sessions.sort_by_key(|session| !session.current);
    Some(sessions)
}

/// An RFC 3339 UTC time as people read it, to the minute: `2026-01-16T09:05:59Z` → `2026-01-16 09:05 UTC`. Anything
/// else is shown as it came.
pub fn when(timestamp: &str) -> String {
    let bytes = timestamp.as_bytes();
    let shaped = bytes.len() >= 17
        && timestamp.is_char_boundary(16)
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes[10] == b'T'
        && bytes[13] == b':'
        && timestamp.ends_with('Z');
    if shaped {
        format!("{} {} UTC", &timestamp[..10], &timestamp[11..16])
    } else {
        timestamp.to_owned()
    }
}

/// `GET /currentuser/sessions`.
pub async fn list(config: &AppConfig, token: &str) -> Result<Vec<SessionInfo>, ApiFailure> {
    let request = api::with_timeout(Request::get(&api::auth_server_url(config, "/currentuser/sessions")))
        .header("Authorization", &api::bearer(token))
        .build();
    let body = api::send(request).await?.text().await.map_err(|e| ApiFailure::Network(e.to_string()))?;
    parse_sessions(&body).ok_or_else(|| ApiFailure::Network("unexpected response to the sessions list".to_owned()))
}

/// `DELETE /currentuser/sessions/{id}`: signs that session out. A 404 (already gone) counts as done.
pub async fn end(config: &AppConfig, token: &str, id: &str) -> Result<(), ApiFailure> {
    let path = format!("/currentuser/sessions/{}", String::from(js_sys::encode_uri_component(id)));
    let request = api::with_timeout(Request::delete(&api::auth_server_url(config, &path)))
        .header("Authorization", &api::bearer(token))
        .build();
    match api::send(request).await {
        Ok(_) => Ok(()),
        Err(failure) if failure.status() == Some(404) => Ok(()),
        Err(failure) => Err(failure),
    }
}

/// `DELETE /currentuser/sessions`: signs out every session of the user, this one included.
pub async fn end_all(config: &AppConfig, token: &str) -> Result<(), ApiFailure> {
    let request = api::with_timeout(Request::delete(&api::auth_server_url(config, "/currentuser/sessions")))
        .header("Authorization", &api::bearer(token))
        .build();
    api::send(request).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = r#"{"sessions":[
        {"id":"s2","created_at":"2026-01-02T10:00:00Z","last_used_at":"2026-01-03T11:22:33Z",
         "expires_at":"2026-02-02T10:00:00Z","user_agent":"Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0",
         "sign_in_method":"otp","current":false},
        {"id":"s1","created_at":"2026-01-01T09:00:00Z","last_used_at":"2026-01-01T09:30:00Z",
         "expires_at":"2026-02-01T09:00:00Z","user_agent":"","sign_in_method":"passkey","current":true},
        {"id":"s3","created_at":"2026-01-01T08:00:00Z","last_used_at":"2026-01-01T08:00:00Z",
         "expires_at":"2026-02-01T08:00:00Z","user_agent":"<b>x</b>","sign_in_method":"unknown","current":false}
    ]}"#;

    #[test]
    fn parses_the_list_with_this_device_first() {
        let sessions = parse_sessions(BODY).unwrap();
        let ids: Vec<_> = sessions.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["s1", "s2", "s3"]);
        assert!(sessions[0].current);
        let english = crate::i18n::english;
        assert_eq!(english(&sessions[1].device()), "Firefox on Linux");
        assert_eq!(english(&sessions[0].device()), "Unknown browser");
        assert_eq!(sessions[1].signed_in_with().map(|how| english(&how)).as_deref(), Some("a one-time code"));
        assert_eq!(sessions[0].signed_in_with().map(|how| english(&how)).as_deref(), Some("a passkey"));
        assert_eq!(sessions[2].signed_in_with(), None);
        assert_eq!(sessions[2].user_agent, "<b>x</b>", "kept as text; the page renders it as a text node");
    }

    #[test]
    fn refuses_other_shapes() {
        assert_eq!(parse_sessions(""), None);
        assert_eq!(parse_sessions(r#"{"sessions":{}}"#), None);
        assert_eq!(parse_sessions(r#"[]"#), None);
        assert_eq!(parse_sessions(r#"{"sessions":[]}"#), Some(vec![]));
        // Optional fields may be missing (an older server); the required ones may not.
        let minimal = r#"{"sessions":[{"id":"s","created_at":"a","last_used_at":"b"}]}"#;
        assert_eq!(parse_sessions(minimal).unwrap()[0].user_agent, "");
        assert_eq!(parse_sessions(r#"{"sessions":[{"id":"s"}]}"#), None);
    }

    #[test]
    fn times_read_to_the_minute() {
        assert_eq!(when("2026-01-16T09:05:59Z"), "2026-01-16 09:05 UTC");
        assert_eq!(when("2026-01-16T09:05:59.123456Z"), "2026-01-16 09:05 UTC");
        assert_eq!(when("yesterday"), "yesterday");
        assert_eq!(when("2026-01-16T09:05:59+01:00"), "2026-01-16T09:05:59+01:00");
        assert_eq!(when(""), "");
        assert_eq!(when("2026-01-16T09:0é:59Z"), "2026-01-16T09:0é:59Z");
    }
}
