//! The `psg_auth_token` cookie: its exact string, when it must be `Secure`, and reading it back.
//!
//! The element writes this cookie itself as a session cookie without `SameSite` (passage-auth-api.md §5.3). The SPA
//! rewrites it with the token's lifetime and `SameSite=Lax`, so a backend that reads the cookie (as Passage's older
//! SDKs did) gets it on top-level navigations only, and it disappears when the token expires. Pure functions; the
//! DOM side is in [`crate::session`].

/// The cookie (and localStorage key) the Passage elements use for the auth token.
pub const AUTH_COOKIE: &str = "psg_auth_token";

/// Whether the cookie must carry `Secure` on a page with this `location.protocol` and `location.hostname`.
///
/// Always, except on plain-http loopback where browsers treat the page as a secure context but would drop a
/// `Secure` cookie set over http (the dev setup). `hostname` for IPv6 comes bracketed (`[::1]`).
pub fn needs_secure(protocol: &str, hostname: &str) -> bool {
    let loopback = matches!(hostname.to_ascii_lowercase().as_str(), "localhost" | "127.0.0.1" | "[::1]");
    !(protocol.eq_ignore_ascii_case("http:") && loopback)
}

/// Why no cookie string was produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CookieError {
    /// The token has characters outside the JWT alphabet.
    NotAJwt,
}

/// The `document.cookie` assignment for the auth token.
///
/// `max_age` is the token's remaining lifetime in seconds (`None` when the token has no `exp`: a session cookie).
pub fn auth_cookie(token: &str, max_age: Option<i64>, secure: bool) -> Result<String, CookieError> {
    // A compact JWS uses only base64url characters and dots. Refusing anything else stops a crafted "token" from
    // smuggling `;` attributes (e.g. `Domain=`) or a second cookie into the assignment.
    let jwt_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if token.is_empty() || !token.chars().all(jwt_char) {
        return Err(CookieError::NotAJwt);
    }
    let mut cookie = format!("{AUTH_COOKIE}={token}; Path=/; SameSite=Lax");
    if let Some(seconds) = max_age {
        cookie.push_str(&format!("; Max-Age={}", seconds.max(0)));
    }
    if secure {
        cookie.push_str("; Secure");
    }
    Ok(cookie)
}

/// The assignment that deletes the auth cookie (same path and flags, zero lifetime).
pub fn clear_auth_cookie(secure: bool) -> String {
    let mut cookie = format!("{AUTH_COOKIE}=; Path=/; SameSite=Lax; Max-Age=0");
    if secure {
        cookie.push_str("; Secure");
    }
    cookie
}

/// The value of cookie `name` in a `document.cookie` string (`a=1; b=2`), if present and non-empty.
pub fn cookie_value<'a>(cookies: &'a str, name: &str) -> Option<&'a str> {
    cookies
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim())
        .filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_string_has_lifetime_and_flags() {
        assert_eq!(
            auth_cookie("aaa.bbb.ccc", Some(3600), true).unwrap(),
            "psg_auth_token=aaa.bbb.ccc; Path=/; SameSite=Lax; Max-Age=3600; Secure"
        );
        assert_eq!(
            auth_cookie("a-b_c.d.e", Some(-3), false).unwrap(),
            "psg_auth_token=a-b_c.d.e; Path=/; SameSite=Lax; Max-Age=0"
        );
        assert_eq!(auth_cookie("a.b.c", None, false).unwrap(), "psg_auth_token=a.b.c; Path=/; SameSite=Lax");
    }

    #[test]
    fn tokens_cannot_inject_attributes() {
        for bad in ["", "a.b.c; Domain=evil.example", "a b", "a=b", "a,b", "a\nb", "é"] {
            assert_eq!(auth_cookie(bad, Some(1), true), Err(CookieError::NotAJwt), "{bad:?}");
        }
    }

    #[test]
    fn secure_everywhere_but_http_loopback() {
        assert!(!needs_secure("http:", "localhost"));
        assert!(!needs_secure("http:", "127.0.0.1"));
        assert!(!needs_secure("http:", "[::1]"));
        assert!(!needs_secure("HTTP:", "LocalHost"));
        assert!(needs_secure("https:", "localhost"));
        assert!(needs_secure("https:", "example.com"));
        assert!(needs_secure("http:", "example.com"));
        assert!(needs_secure("http:", "localhost.example.com"));
    }

    #[test]
    fn clearing_matches_path_and_flags() {
        assert_eq!(clear_auth_cookie(true), "psg_auth_token=; Path=/; SameSite=Lax; Max-Age=0; Secure");
        assert_eq!(clear_auth_cookie(false), "psg_auth_token=; Path=/; SameSite=Lax; Max-Age=0");
    }

    #[test]
    fn reads_a_cookie_among_others() {
        assert_eq!(cookie_value("a=1; psg_auth_token=x.y.z; b=2", AUTH_COOKIE), Some("x.y.z"));
        assert_eq!(cookie_value("psg_auth_token=x.y.z", AUTH_COOKIE), Some("x.y.z"));
        assert_eq!(cookie_value("xpsg_auth_token=1; psg_auth_token_old=2", AUTH_COOKIE), None);
        assert_eq!(cookie_value("psg_auth_token=", AUTH_COOKIE), None);
        assert_eq!(cookie_value("", AUTH_COOKIE), None);
    }
}
