//! The profile outbox: the name typed at registration, kept in localStorage until the backend has it.
//!
//! Registration and saving the name are two systems (the auth server, then the backend), and the second step can
//! fail or happen in another tab (a magic link opened elsewhere). Writing the pending profile before the element
//! proceeds (`beforeAuth`) means a reload, a flaky network or a second tab cannot lose the name: whoever gets a
//! token first posts it, and the dashboard retries what is left.

use serde::{Deserialize, Serialize};

/// The localStorage key. Deliberately not `psg_*`: that prefix belongs to the element's own token store.
pub const OUTBOX_KEY: &str = "leptos_passage_pending_profile";

/// A name waiting to be saved, with the identifier (e-mail) it was typed for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingProfile {
    /// The identifier as the element passed it to `beforeAuth` (trimmed and lower-cased by the element).
    pub identifier: String,
    /// The validated, trimmed name.
    pub name: String,
}

impl PendingProfile {
    /// Whether this entry was typed for `email` (case-insensitive, as the element lower-cases identifiers).
    pub fn is_for(&self, email: &str) -> bool {
        self.identifier.trim().eq_ignore_ascii_case(email.trim())
    }
}

/// The stored form.
pub fn encode(profile: &PendingProfile) -> String {
    // Serializing two strings cannot fail; the fallback keeps this function total anyway.
    serde_json::to_string(profile).unwrap_or_default()
}

/// Parses a stored entry. Anything that is not a valid entry (edited by hand, written by an older version, cut
/// short) is `None`: a corrupted outbox must not break sign-in, and an entry whose name no longer passes the name
/// rules would only be refused by the backend.
pub fn decode(text: &str) -> Option<PendingProfile> {
    let profile: PendingProfile = serde_json::from_str(text).ok()?;
    let name = contract::validate_name(&profile.name).ok()?;
    Some(PendingProfile { name, ..profile })
}

/// Why the outbox could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxError(pub String);

impl std::fmt::Display for OutboxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the browser's local storage is not available: {}", self.0)
    }
}

impl std::error::Error for OutboxError {}

/// The outbox over a `Storage` (localStorage in the app). Cheap to create; holds no state of its own, so every
/// instance sees the same entry.
#[derive(Clone)]
pub struct ProfileOutbox {
    storage: web_sys::Storage,
}

impl ProfileOutbox {
    /// The outbox in this origin's localStorage. Fails where storage is blocked (some privacy modes).
    pub fn local() -> Result<Self, OutboxError> {
        let window = web_sys::window().ok_or_else(|| OutboxError("no window".to_owned()))?;
        let storage = window
            .local_storage()
            .map_err(|e| OutboxError(format!("{e:?}")))?
            .ok_or_else(|| OutboxError("localStorage is null".to_owned()))?;
        Ok(Self::with_storage(storage))
    }

    pub fn with_storage(storage: web_sys::Storage) -> Self {
        Self { storage }
    }

    /// Replaces the entry (one pending profile per browser: the latest registration attempt wins).
    pub fn write(&self, profile: &PendingProfile) -> Result<(), OutboxError> {
        self.storage.set_item(OUTBOX_KEY, &encode(profile)).map_err(|e| OutboxError(format!("{e:?}")))
    }

    /// The pending entry, if any. A corrupted entry is removed and reported as none.
    pub fn read(&self) -> Option<PendingProfile> {
        let text = self.storage.get_item(OUTBOX_KEY).ok()??;
        let profile = decode(&text);
        if profile.is_none() {
            self.clear();
        }
        profile
    }

    /// Removes the entry (after the backend confirmed the save, or at sign-out).
    pub fn clear(&self) {
        // Removing from an unavailable storage has nothing left to clean up.
        let _ = self.storage.remove_item(OUTBOX_KEY);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let profile = PendingProfile { identifier: "ada@example.com".into(), name: "Ada <Lovelace> 🎉".into() };
        let text = encode(&profile);
        assert_eq!(text, r#"{"identifier":"ada@example.com","name":"Ada <Lovelace> 🎉"}"#);
        assert_eq!(decode(&text), Some(profile));
    }

    #[test]
    fn corrupted_entries_are_none() {
        assert_eq!(decode(""), None);
        assert_eq!(decode("{"), None);
        assert_eq!(decode("null"), None);
        assert_eq!(decode(r#"{"identifier":"a@b.c"}"#), None);
        assert_eq!(decode(r#"{"identifier":1,"name":"Ada"}"#), None);
        // Names that the rules refuse are not resurrected from storage.
        assert_eq!(decode(r#"{"identifier":"a@b.c","name":"   "}"#), None);
        assert_eq!(decode(r#"{"identifier":"a@b.c","name":"a\u0000b"}"#), None);
    }

    #[test]
    fn stored_names_are_normalised() {
        let profile = decode(r#"{"identifier":"a@b.c","name":"  Ada  "}"#).unwrap();
        assert_eq!(profile.name, "Ada");
    }

    #[test]
    fn matches_identifier_case_insensitively() {
        let profile = PendingProfile { identifier: "ada@example.com".into(), name: "Ada".into() };
        assert!(profile.is_for("Ada@Example.com"));
        assert!(!profile.is_for("bob@example.com"));
    }
}
