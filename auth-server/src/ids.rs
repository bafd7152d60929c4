//! Random identifiers, secrets, hashing and the clock. All randomness comes from the OS CSPRNG.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// `len` random bytes from the OS.
pub fn random_bytes(len: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; len];
    // The OS CSPRNG failing is not recoverable: every id and secret depends on it.
    getrandom::fill(&mut bytes).expect("OS random number generator failed");
    bytes
}

/// A random URL-safe id: 18 bytes → 24 base64url characters (144 bits; unguessable, no padding).
pub fn random_id() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes(18))
}

/// A high-entropy secret (refresh tokens, API keys): 32 bytes → 43 base64url characters.
pub fn random_secret() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes(32))
}

/// SHA-256 as lower-case hex. Used for secrets that are high-entropy already (no salt/stretching needed).
pub fn sha256_hex(input: &str) -> String {
    hex_lower(&Sha256::digest(input.as_bytes()))
}

pub fn sha256(input: &str) -> [u8; 32] {
    Sha256::digest(input.as_bytes()).into()
}

pub fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn parse_hex_32(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != 64 || !hex.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[i * 2..i * 2 + 2], 16).ok()?;
    }
    Some(out)
}

pub fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Now, in Unix seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// Unix seconds as RFC 3339 (UTC). Out-of-range values fall back to the epoch rather than failing a response.
pub fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
}

/// Characters refused anywhere in an identifier. The elements inject the identifier into HTML (two messages are
/// rendered with `v-html`) and their own e-mail check accepts quoted local parts such as `"<img ...>"@x.io`, so
/// anything that could open a tag, an attribute or an entity is refused here, even where RFC 5322 would allow it.
pub const IDENTIFIER_FORBIDDEN_CHARS: &[char] = &['<', '>', '"', '\'', '&', '\\', '`'];

/// Trim and lower-case an e-mail identifier, then check its syntax. Returns `None` when it is not an address.
pub fn normalize_email(raw: &str) -> Option<String> {
    // Markup characters are refused before anything else (see IDENTIFIER_FORBIDDEN_CHARS).
    if raw.contains(IDENTIFIER_FORBIDDEN_CHARS) {
        return None;
    }
    let email = raw.trim().to_lowercase();
    // RFC 5321 limits a path to 254 characters.
    if email.is_empty() || email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let (local, domain) = email.rsplit_once('@')?;
    let domain_ok = !domain.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '.');
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.contains('@')
        && !local.contains(['<', '>', ',', ';', '"', '(', ')', '[', ']', '\\']);
    (domain_ok && local_ok).then_some(email)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_lower_cased_and_checked() {
        assert_eq!(normalize_email("  Ana@Example.COM ").as_deref(), Some("ana@example.com"));
        for bad in [
            "",
            "ana",
            "ana@",
            "@example.com",
            "ana@example",
            "a b@example.com",
            "ana@@example.com",
            "ana@exa..mple.com",
            "ana@.example.com",
            "\"<img src=x onerror=alert(1)>\"@x.io",
            "o'brien@example.com",
            "a&amp@example.com",
            "a`b@example.com",
            "a\\b@example.com",
            "a\tb@example.com",
            "a\u{7}b@example.com",
        ] {
            assert_eq!(normalize_email(bad), None, "{bad:?} must be refused");
        }
    }

    #[test]
    fn ids_are_url_safe_and_distinct() {
        let (a, b) = (random_id(), random_id());
        assert_eq!(a.len(), 24);
        assert_ne!(a, b);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }

    #[test]
    fn hex_round_trip() {
        let hash = sha256("key");
        assert_eq!(parse_hex_32(&hex_lower(&hash)), Some(hash));
        assert_eq!(parse_hex_32("zz"), None);
    }
}
