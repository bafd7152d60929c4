//! Reading the expiry of the auth token, without verifying it.
//!
//! The SPA needs `exp` only to give the `psg_auth_token` cookie the token's lifetime. Verification is the
//! backend's job (it checks the signature against the auth server's JWKS); a forged token here could at worst give
//! the attacker's own browser a cookie with a wrong lifetime, which the backend then rejects.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::Deserialize;

#[derive(Deserialize)]
struct Claims {
    exp: Option<f64>,
}

/// The `exp` claim (Unix seconds) of a compact JWS, or `None` when the token is not `header.payload.signature`,
/// the payload is not base64url JSON, or it has no numeric `exp`.
pub fn expiry(token: &str) -> Option<i64> {
    let mut parts = token.split('.');
    let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    // Tokens are unpadded base64url (RFC 7515); tolerate padding anyway since it costs nothing.
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: Claims = serde_json::from_slice(&bytes).ok()?;
    let exp = claims.exp?;
    // A non-finite or absurd value is treated as absent rather than saturating into a huge cookie lifetime.
    (exp.is_finite() && (0.0..1e12).contains(&exp)).then_some(exp as i64)
}

/// Seconds the token has left at `now` (Unix seconds): `Some(0)` once expired, `None` if the token has no `exp`.
pub fn seconds_left(token: &str, now: i64) -> Option<i64> {
    expiry(token).map(|exp| (exp - now).max(0))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Builds an unsigned token with the given payload JSON (the signature part is not looked at).
    pub(crate) fn token_with_payload(payload: &str) -> String {
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","typ":"JWT","kid":"k1"}"#);
        format!("{header}.{}.c2lnbmF0dXJl", URL_SAFE_NO_PAD.encode(payload))
    }

    #[test]
    fn reads_exp() {
        let token = token_with_payload(r#"{"sub":"u1","exp":1767225600,"aud":["x","dev-app"]}"#);
        assert_eq!(expiry(&token), Some(1_767_225_600));
        assert_eq!(seconds_left(&token, 1_767_225_000), Some(600));
        assert_eq!(seconds_left(&token, 1_767_230_000), Some(0));
    }

    #[test]
    fn malformed_tokens_have_no_expiry() {
        assert_eq!(expiry(""), None);
        assert_eq!(expiry("abc"), None);
        assert_eq!(expiry("a.b"), None);
        assert_eq!(expiry("a.!!!.c"), None);
        assert_eq!(expiry(&token_with_payload("not json")), None);
        assert_eq!(expiry(&token_with_payload(r#"{"sub":"u1"}"#)), None);
        assert_eq!(expiry(&token_with_payload(r#"{"exp":"soon"}"#)), None);
        assert_eq!(expiry(&token_with_payload(r#"{"exp":-5}"#)), None);
        assert_eq!(expiry(&format!("{}.x", token_with_payload(r#"{"exp":1}"#))), None);
    }
}
