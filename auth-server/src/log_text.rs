//! Attacker-controlled text on its way into the log (ASVS 5.0 V16.4.1, OWASP "Log Injection"): every request value
//! that a log line shows (token header fields, identifiers, user agents, error texts that embed them) goes through
//! [`Untrusted`], so CR, LF, ANSI escapes and other control characters cannot start a fake line or repaint one.

use std::fmt;

/// Longest text shown, in characters; the rest is replaced by `…` (a log line must stay one readable line).
pub const MAX_LOGGED_CHARS: usize = 200;

/// Displays a string quoted, with `"`, `\` and every non-printable character escaped the way Rust's `escape_debug`
/// does (`\n`, `\r`, `\u{1b}`, `\u{2028}`…), cut to [`MAX_LOGGED_CHARS`]. Use as `field = %Untrusted(text)`.
pub struct Untrusted<'a>(pub &'a str);

impl fmt::Display for Untrusted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        let mut chars = self.0.chars();
        for c in chars.by_ref().take(MAX_LOGGED_CHARS) {
            write!(f, "{}", c.escape_debug())?;
        }
        if chars.next().is_some() {
            f.write_str("…")?;
        }
        f.write_str("\"")
    }
}

/// [`Untrusted`] for an owned text (an error's `Display`, for instance).
pub fn escaped(text: impl fmt::Display) -> String {
    Untrusted(&text.to_string()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_cannot_leave_the_line() {
        let shown = Untrusted("RS256\r\n2026-12-01T00:00:00Z  INFO fake\u{1b}[2K\u{2028}\u{85}\"\\").to_string();
        assert_eq!(shown, r#""RS256\r\n2026-12-01T00:00:00Z  INFO fake\u{1b}[2K\u{2028}\u{85}\"\\""#);
        assert!(!shown.chars().any(|c| c.is_control()));
        let long = Untrusted(&"é".repeat(500)).to_string();
        assert_eq!(long.chars().count(), MAX_LOGGED_CHARS + 3);
        assert_eq!(escaped("a\nb"), r#""a\nb""#);
    }
}
