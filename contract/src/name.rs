//! The profile name rules: trimmed, 1 to 100 characters, no control characters.

use std::fmt;

/// The longest accepted name, counted in Unicode scalar values after trimming.
///
/// The SPA's `<input maxlength>` counts UTF-16 code units, which is never fewer, so the input can never hold a
/// name that this rule refuses for length.
pub const NAME_MAX_CHARS: usize = 100;

/// Why a name was refused. `Display` gives a sentence a person can act on; `code` a stable machine word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameError {
    /// Nothing but white space.
    Empty,
    /// Longer than [`NAME_MAX_CHARS`]; `chars` is the trimmed length.
    TooLong { chars: usize },
    /// A control character (tab, newline, NUL, escape, ...) at character position `position` (1-based).
    ControlCharacter { position: usize },
}

impl NameError {
    /// A stable identifier for tests and logs.
    pub fn code(&self) -> &'static str {
        match self {
            NameError::Empty => "empty",
            NameError::TooLong { .. } => "too_long",
            NameError::ControlCharacter { .. } => "control_character",
        }
    }
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NameError::Empty => f.write_str("Please enter your name."),
            NameError::TooLong { chars } => write!(
                f,
                "Your name can be at most {NAME_MAX_CHARS} characters long; this one has {chars}. Please shorten it."
            ),
            NameError::ControlCharacter { position } => write!(
                f,
                "Your name contains an invisible control character (such as a tab or line break) at position \
                 {position}. Please remove it."
            ),
        }
    }
}

impl std::error::Error for NameError {}

/// Checks a name as typed and returns the name to store: trimmed of surrounding white space.
///
/// Everything printable is allowed, including HTML-like text and emoji: a name is data, and every place that shows
/// it escapes it.
pub fn validate_name(raw: &str) -> Result<String, NameError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(NameError::Empty);
    }
    if let Some(index) = trimmed.chars().position(char::is_control) {
        return Err(NameError::ControlCharacter { position: index + 1 });
    }
    let chars = trimmed.chars().count();
    if chars > NAME_MAX_CHARS {
        return Err(NameError::TooLong { chars });
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_accepts_ordinary_names() {
        assert_eq!(validate_name("  Ada Lovelace \n").unwrap(), "Ada Lovelace");
        assert_eq!(validate_name("李小龍").unwrap(), "李小龍");
    }

    #[test]
    fn refuses_empty_and_blank() {
        assert_eq!(validate_name(""), Err(NameError::Empty));
        assert_eq!(validate_name(" \t\u{3000} "), Err(NameError::Empty));
    }

    #[test]
    fn length_limit_counts_characters_not_bytes() {
        let hundred_emoji = "😀".repeat(NAME_MAX_CHARS);
        assert_eq!(validate_name(&hundred_emoji).unwrap().chars().count(), 100);
        assert_eq!(validate_name(&"a".repeat(101)), Err(NameError::TooLong { chars: 101 }));
        // Surrounding white space does not count.
        assert!(validate_name(&format!("  {}  ", "a".repeat(100))).is_ok());
    }

    #[test]
    fn refuses_inner_control_characters() {
        assert_eq!(validate_name("Ada\u{0}Lovelace"), Err(NameError::ControlCharacter { position: 4 }));
        assert_eq!(validate_name("Ada\nLovelace").unwrap_err().code(), "control_character");
        assert_eq!(validate_name("a\u{1b}[31m").unwrap_err().code(), "control_character");
        assert_eq!(validate_name("x\u{7f}").unwrap_err().code(), "control_character");
    }

    #[test]
    fn html_and_emoji_are_data() {
        assert_eq!(validate_name("<b>Bob</b> 🎉").unwrap(), "<b>Bob</b> 🎉");
    }

    #[test]
    fn messages_name_the_problem() {
        assert!(NameError::Empty.to_string().contains("enter your name"));
        let long = validate_name(&"a".repeat(150)).unwrap_err().to_string();
        assert!(long.contains("100") && long.contains("150"), "{long}");
        assert!(validate_name("a\tb").unwrap_err().to_string().contains("position 2"));
    }
}
