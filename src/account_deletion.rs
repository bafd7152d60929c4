//! Deleting the account: what the confirmation names, and counting the passkeys it will remove.

use gloo_net::http::Request;
use serde::de::IgnoredAny;
use serde::Deserialize;

use crate::api::{self, ApiFailure};
use crate::config::AppConfig;
use crate::i18n::Msg;

/// The things deleting the account removes, one line each, for the confirmation. `passkeys` is `None` when the
/// count could not be had (the line then names them without a number).
pub fn what_is_deleted(name: Option<&str>, passkeys: Option<usize>, email: Option<&str>) -> Vec<Msg> {
    let mut lines = Vec::with_capacity(4);
    if let Some(name) = name {
        lines.push(Msg::new("delete.line.name").text("name", name));
    }
    lines.push(match passkeys {
        Some(count) => Msg::new("delete.line.passkeys").count(count),
        None => Msg::new("delete.line.passkeys_unknown"),
    });
    lines.push(Msg::new("delete.line.sessions"));
    lines.push(match email {
        Some(email) => Msg::new("delete.line.account_for").text("email", email),
        None => Msg::new("delete.line.account"),
    });
    lines
}

#[derive(Deserialize)]
struct Devices {
    devices: Vec<IgnoredAny>,
}

/// How many passkeys `GET /currentuser/devices` (P2) lists, for the confirmation.
pub fn parse_passkey_count(body: &str) -> Option<usize> {
    serde_json::from_str::<Devices>(body).ok().map(|devices| devices.devices.len())
}

/// `GET /currentuser/devices` (P2), counted.
pub async fn passkey_count(config: &AppConfig, token: &str) -> Result<usize, ApiFailure> {
    let request = api::with_timeout(Request::get(&api::auth_server_url(config, "/currentuser/devices")))
        .header("Authorization", &api::bearer(token))
        .build();
    let body = api::send(request).await?.text().await.map_err(|e| ApiFailure::Network(e.to_string()))?;
    parse_passkey_count(&body).ok_or_else(|| ApiFailure::Network("unexpected response to the passkey list".to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn english(lines: Vec<Msg>) -> Vec<String> {
        lines.iter().map(crate::i18n::english).collect()
    }

    #[test]
    fn names_everything_that_goes() {
        assert_eq!(
            english(what_is_deleted(Some("Ada <b>"), Some(2), Some("ada@example.com"))),
            [
                "your name \"Ada <b>\"",
                "your 2 passkeys",
                "your sign-in sessions on every device",
                "the account for ada@example.com"
            ]
        );
    }

    #[test]
    fn says_what_it_knows() {
        assert_eq!(
            english(what_is_deleted(None, None, None)),
            ["your passkeys", "your sign-in sessions on every device", "your account"]
        );
        assert_eq!(english(what_is_deleted(None, Some(1), None))[0], "your passkey");
        assert_eq!(english(what_is_deleted(None, Some(0), None))[0], "your 0 passkeys");
    }

    #[test]
    fn counts_passkeys() {
        assert_eq!(parse_passkey_count(r#"{"devices":[{"id":"a"},{"id":"b","friendly_name":"x"}]}"#), Some(2));
        assert_eq!(parse_passkey_count(r#"{"devices":[]}"#), Some(0));
        assert_eq!(parse_passkey_count(r#"{"devices":null}"#), None);
        assert_eq!(parse_passkey_count("oops"), None);
    }
}
