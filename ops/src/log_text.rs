//! Text from outside (token headers, error messages that quote them, anything a client sent) made safe for one
//! log line.
//!
//! OWASP ASVS 5.0 V16.4.1: "Verify that all logging components appropriately encode data to prevent log
//! injection." A raw CR or LF would let a client start a line of its own that looks like the server's (a fake
//! "user admin signed in"), and ANSI escapes could rewrite what an operator's terminal shows. `tracing-subscriber`
//! escapes ESC in messages but not line breaks, and prints `%field` values as they are, so every log call that
//! shows such text wraps it in [`Untrusted`].

use std::fmt::{self, Write};

/// Most characters of one untrusted value shown in the log; the rest is cut (an 8 KiB token must not become an
/// 8 KiB log line, nor can a client flood the log through one field).
pub const MAX_LOGGED_CHARS: usize = 256;

/// Displays `T`'s text with control characters, line and paragraph separators and bidirectional overrides
/// escaped (`\n`, `\r`, `\t`, `\u{1b}`, ...) and cut after [`MAX_LOGGED_CHARS`] characters (then `…`).
pub struct Untrusted<T>(pub T);

impl<T: fmt::Display> fmt::Display for Untrusted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut escaping = EscapingWriter { inner: f, written: 0, cut: false };
        // A full buffer reports an error to stop `T`'s formatting early; that is not a formatting failure.
        let result = write!(escaping, "{}", self.0);
        if escaping.cut {
            return escaping.inner.write_char('…');
        }
        result
    }
}

impl<T: fmt::Display> fmt::Debug for Untrusted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

struct EscapingWriter<'a, 'b> {
    inner: &'a mut fmt::Formatter<'b>,
    written: usize,
    cut: bool,
}

impl Write for EscapingWriter<'_, '_> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        for c in text.chars() {
            if self.written == MAX_LOGGED_CHARS {
                self.cut = true;
                return Err(fmt::Error);
            }
            self.written += 1;
            if needs_escape(c) {
                // `\n`, `\r`, `\t` stay readable; everything else becomes `\u{..}`.
                for escaped in c.escape_default() {
                    self.inner.write_char(escaped)?;
                }
            } else {
                self.inner.write_char(c)?;
            }
        }
        Ok(())
    }
}

/// C0/C1 controls and DEL (`char::is_control`), the Unicode line/paragraph separators that some viewers break
/// lines on, and the bidirectional controls that can make a line read differently from its bytes.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}')
        || matches!(c, '\u{2066}'..='\u{2069}' | '\u{061c}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_and_terminal_escapes_cannot_start_a_line() {
        let forged =
            "RS256\n2026-12-01T00:00:00Z  INFO backend: user admin signed in\r\u{1b}[2J\u{9b}x\u{2028}\u{202e}";
        let shown = Untrusted(forged).to_string();
        assert_eq!(
            shown,
            "RS256\\n2026-12-01T00:00:00Z  INFO backend: user admin signed in\\r\\u{1b}[2J\\u{9b}x\\u{2028}\\u{202e}"
        );
        assert!(!shown.chars().any(needs_escape));
    }

    #[test]
    fn ordinary_text_is_unchanged_and_long_text_is_cut() {
        assert_eq!(Untrusted("kid `k-1` is not known: Zoë, 東京").to_string(), "kid `k-1` is not known: Zoë, 東京");
        let long = "a".repeat(MAX_LOGGED_CHARS + 10);
        let shown = Untrusted(&long).to_string();
        assert_eq!(shown.chars().count(), MAX_LOGGED_CHARS + 1);
        assert!(shown.ends_with('…'));
        assert_eq!(Untrusted("a".repeat(MAX_LOGGED_CHARS)).to_string().chars().count(), MAX_LOGGED_CHARS);
        assert_eq!(format!("{:?}", Untrusted("x\ny")), "x\\ny");
    }
}
