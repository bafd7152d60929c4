//! When the auth token must be renewed (E18), and what the refresh answer means, as pure functions.
//!
//! Auth tokens live an hour; the session (the refresh token) lives much longer. The SPA renews the auth token
//! itself, shortly before it expires, so that its own calls and the `<passage-profile>` element always find a
//! usable one: refresh tokens rotate, and presenting one twice revokes the whole session, so there must be one
//! refresher, not the SPA and the element racing each other. The browser side is [`crate::session`].

use serde::Deserialize;

use crate::jwt;

/// A token with less than this many seconds left is renewed before use: enough for a request (with its retries)
/// to reach the backend before the token expires on the way.
pub const REFRESH_MARGIN_SECS: i64 = 60;

/// What to do to get a usable auth token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenPlan {
    /// Send this token.
    Use(String),
    /// Renew first, with this refresh token.
    Refresh(String),
    /// No way to get a token: the session is over in this browser.
    SignIn,
}

/// Decides from the stored tokens at `now` (Unix seconds).
///
/// A token with more than [`REFRESH_MARGIN_SECS`] left is used as is. Otherwise a refresh token, if there is one,
/// renews it. Without one, a token that has not quite expired is still used (nothing could renew it anyway), and
/// an expired, unreadable or missing token means signing in again.
pub fn plan(auth_token: Option<&str>, refresh_token: Option<&str>, now: i64) -> TokenPlan {
    let seconds_left = auth_token.and_then(|token| jwt::seconds_left(token, now));
    let refresh_token = refresh_token.map(str::trim).filter(|token| !token.is_empty());
    match (auth_token, seconds_left, refresh_token) {
        (Some(token), Some(left), _) if left > REFRESH_MARGIN_SECS => TokenPlan::Use(token.to_owned()),
        (_, _, Some(refresh_token)) => TokenPlan::Refresh(refresh_token.to_owned()),
        (Some(token), Some(left), None) if left > 0 => TokenPlan::Use(token.to_owned()),
        _ => TokenPlan::SignIn,
    }
}

/// The one of two stored copies of the auth token (the cookie and the element's localStorage entry) that expires
/// last. They differ when one party renewed the token and the other copy is older: the element writes
/// localStorage and a session cookie; the SPA writes both. A copy without a readable `exp` loses.
pub fn freshest<'a>(first: Option<&'a str>, second: Option<&'a str>) -> Option<&'a str> {
    let exp = |token: Option<&str>| token.and_then(jwt::expiry);
    match (first, second) {
        (Some(_), Some(_)) if exp(second) > exp(first) => second,
        (Some(_), _) => first,
        (None, _) => second,
    }
}

/// The tokens of a successful refresh.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenewedTokens {
    pub auth_token: String,
    /// The rotated refresh token: the one just presented is spent.
    pub refresh_token: String,
}

#[derive(Deserialize)]
struct RefreshResponse {
    auth_result: RefreshAuthResult,
}

#[derive(Deserialize)]
struct RefreshAuthResult {
    auth_token: String,
    refresh_token: String,
}

/// Reads E18's `{"auth_result": {"auth_token", "refresh_token", ...}}`. `None` unless both tokens are there and
/// the auth token has an `exp` (a token the SPA could not judge would be renewed again at once).
pub fn parse_refresh_response(body: &str) -> Option<RenewedTokens> {
    let response: RefreshResponse = serde_json::from_str(body).ok()?;
    let RefreshAuthResult { auth_token, refresh_token } = response.auth_result;
    (jwt::expiry(&auth_token).is_some() && !refresh_token.trim().is_empty())
        .then_some(RenewedTokens { auth_token, refresh_token })
}

/// Whether a failed refresh (`status` `None` = no response) ends the session. Only the auth server refusing the
/// refresh token does (a 4xx: invalid, expired, revoked, user gone); a network error, a timeout, a 5xx or a 429 says
/// nothing about the session, and signing the user out for it would lose a working session.
pub fn refresh_refused(status: Option<u16>) -> bool {
    matches!(status, Some(400..=499)) && status != Some(429)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwt::tests::token_with_payload;

    const NOW: i64 = 1_767_225_600;

    fn token_expiring_at(exp: i64) -> String {
        token_with_payload(&format!(r#"{{"sub":"u1","exp":{exp}}}"#))
    }

    #[test]
    fn a_token_with_time_left_is_used() {
        let token = token_expiring_at(NOW + 3_600);
        assert_eq!(plan(Some(&token), Some("rt"), NOW), TokenPlan::Use(token.clone()));
        assert_eq!(plan(Some(&token), None, NOW), TokenPlan::Use(token));
    }

    #[test]
    fn a_token_near_or_past_its_expiry_is_renewed_when_it_can_be() {
        for exp in [NOW + REFRESH_MARGIN_SECS, NOW + 1, NOW, NOW - 7_200] {
            let token = token_expiring_at(exp);
            assert_eq!(plan(Some(&token), Some(" rt "), NOW), TokenPlan::Refresh("rt".into()), "exp {exp}");
        }
        // The user came back after the token's hour (the cookie is gone with it): the session lives on.
        assert_eq!(plan(None, Some("rt"), NOW), TokenPlan::Refresh("rt".into()));
        assert_eq!(plan(Some("not-a-jwt"), Some("rt"), NOW), TokenPlan::Refresh("rt".into()));
    }

    #[test]
    fn without_a_refresh_token_only_an_unexpired_token_is_left() {
        let last_seconds = token_expiring_at(NOW + 30);
        assert_eq!(plan(Some(&last_seconds), None, NOW), TokenPlan::Use(last_seconds.clone()));
        assert_eq!(plan(Some(&last_seconds), Some("  "), NOW), TokenPlan::Use(last_seconds));
        assert_eq!(plan(Some(&token_expiring_at(NOW)), None, NOW), TokenPlan::SignIn);
        assert_eq!(plan(Some("not-a-jwt"), None, NOW), TokenPlan::SignIn);
        assert_eq!(plan(None, None, NOW), TokenPlan::SignIn);
    }

    #[test]
    fn the_later_expiring_copy_wins() {
        let (old, new) = (token_expiring_at(NOW), token_expiring_at(NOW + 3_600));
        assert_eq!(freshest(Some(&old), Some(&new)), Some(new.as_str()));
        assert_eq!(freshest(Some(&new), Some(&old)), Some(new.as_str()));
        assert_eq!(freshest(Some("garbage"), Some(&old)), Some(old.as_str()));
        assert_eq!(freshest(Some(&old), Some("garbage")), Some(old.as_str()));
        assert_eq!(freshest(None, Some(&old)), Some(old.as_str()));
        assert_eq!(freshest(Some(&old), None), Some(old.as_str()));
        assert_eq!(freshest(None, None), None);
    }

    #[test]
    fn reads_the_refresh_answer() {
        let token = token_expiring_at(NOW + 3_600);
        let body = format!(
            r#"{{"auth_result":{{"auth_token":"{token}","redirect_url":"/dashboard","refresh_token":"rt2","refresh_token_expiration":1}}}}"#
        );
        assert_eq!(
            parse_refresh_response(&body),
            Some(RenewedTokens { auth_token: token.clone(), refresh_token: "rt2".into() })
        );
        assert_eq!(parse_refresh_response(""), None);
        assert_eq!(parse_refresh_response("{}"), None);
        assert_eq!(parse_refresh_response(r#"{"auth_result":{"auth_token":"a.b.c","refresh_token":"rt2"}}"#), None);
        let no_refresh = format!(r#"{{"auth_result":{{"auth_token":"{token}","refresh_token":""}}}}"#);
        assert_eq!(parse_refresh_response(&no_refresh), None);
    }

    #[test]
    fn only_a_refusal_ends_the_session() {
        for status in [400, 401, 403, 404] {
            assert!(refresh_refused(Some(status)), "{status}");
        }
        for status in [None, Some(429), Some(500), Some(502), Some(503), Some(200)] {
            assert!(!refresh_refused(status), "{status:?}");
        }
    }
}
