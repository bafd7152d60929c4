//! JSON shapes of users and devices as the elements (spec §2) and the management API (spec §8.5) read them, and
//! the small HTML pages of the passkey confirmation link.

use serde::Serialize;
use serde_json::{json, Value};

use crate::ids::rfc3339;
use crate::store::credentials::Credential;
use crate::store::refresh_tokens::LiveSession;
use crate::store::users::User;

/// `webauthn_types`: "passkey" for a user with credentials, so login tries passkeys (spec §3.4).
fn webauthn_types(credentials: &[Credential]) -> Value {
    if credentials.is_empty() {
        json!([])
    } else {
        json!(["passkey"])
    }
}

/// Never-logged-in users get the zero time, as Go-based Passage did, so the field is always a string. (Devices use
/// their creation time instead, see [`device`].)
fn optional_time(unix: Option<i64>) -> String {
    unix.map(rfc3339).unwrap_or_else(|| "0001-01-01T00:00:00Z".to_owned())
}

/// PublicUser (E2, E3, E4, E6).
pub fn public_user(user: &User, credentials: &[Credential]) -> Value {
    json!({
        "id": user.id,
        "status": user.status.as_str(),
        "email": user.email,
        "email_verified": user.email_verified,
        "phone": "",
        "phone_verified": false,
        "user_metadata": null,
        "webauthn": !credentials.is_empty(),
        "webauthn_types": webauthn_types(credentials),
    })
}

/// A `webauthn_devices` item (E15, E17, P2, P3, management). `last_login_at` of a passkey never used to sign in is
/// its creation time, not the zero time: the profile element prints the date as is ("January 1, 0001") and sorts
/// by it (PROFILE-API.md §2.1). A passkey is created in a ceremony that signs in (E5) or within a session (E17), so
/// the creation is also the last time it was in use; `usage_count` 0 still tells it was never used to sign in.
pub fn device(credential: &Credential) -> Value {
    let mut device = serde_json::to_value(Device::from(credential)).expect("a Device serializes");
    // The element API's device also names its owner; the SDK's `WebAuthnDevices` has no such field.
    device["user_id"] = json!(credential.user_id);
    device
}

/// Passage's `WebAuthnDevices`, as both APIs send it (see [`device`] for `last_login_at`).
#[derive(Serialize)]
pub struct Device {
    pub id: String,
    pub cred_id: String,
    pub friendly_name: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub created_at: String,
    pub updated_at: String,
    pub last_login_at: String,
    pub usage_count: i64,
    pub icons: Icons,
}

/// `WebAuthnIcons`: this server has no authenticator icons.
#[derive(Serialize)]
pub struct Icons {
    pub light: Option<String>,
    pub dark: Option<String>,
}

impl From<&Credential> for Device {
    fn from(credential: &Credential) -> Self {
        Self {
            id: credential.id.clone(),
            cred_id: credential.cred_id.clone(),
            friendly_name: credential.friendly_name.clone(),
            kind: "passkey",
            created_at: rfc3339(credential.created_at),
            updated_at: rfc3339(credential.updated_at),
            last_login_at: rfc3339(credential.last_login_at.unwrap_or(credential.created_at)),
            usage_count: credential.usage_count,
            icons: Icons { light: None, dark: None },
        }
    }
}

/// A session of the account page's list (`GET /currentuser/sessions`). `current`: it is the caller's own (`sid`).
pub fn session(session: &LiveSession, current_sid: Option<&str>) -> Value {
    json!({
        "id": session.id,
        "created_at": rfc3339(session.started_at),
        "last_used_at": rfc3339(session.last_used_at),
        "expires_at": rfc3339(session.expires_at),
        "user_agent": session.user_agent.as_deref().unwrap_or(""),
        "sign_in_method": session.method.as_str(),
        "current": current_sid == Some(session.id.as_str()),
    })
}

fn full_user(user: &User, credentials: &[Credential]) -> serde_json::Map<String, Value> {
    let value = json!({
        "id": user.id,
        "email": user.email,
        "email_verified": user.email_verified,
        "phone": "",
        "phone_verified": false,
        "status": user.status.as_str(),
        "user_metadata": null,
        "webauthn": !credentials.is_empty(),
        "webauthn_devices": credentials.iter().map(device).collect::<Vec<_>>(),
        "webauthn_types": webauthn_types(credentials),
        "created_at": rfc3339(user.created_at),
        "updated_at": rfc3339(user.updated_at),
        "last_login_at": optional_time(user.last_login_at),
        "login_count": user.login_count,
        "social_connections": {},
    });
    match value {
        Value::Object(map) => map,
        _ => unreachable!("json! object literal"),
    }
}

/// CurrentUser (E15): `webauthn_devices` and `webauthn_types` must be arrays.
pub fn current_user(user: &User, credentials: &[Credential]) -> Value {
    Value::Object(full_user(user, credentials))
}

/// PassageUser (management API, spec §8.5): every field present, arrays empty where nothing.
pub fn passage_user(user: &User, credentials: &[Credential]) -> Value {
    let mut map = full_user(user, credentials);
    map.insert("external_id".into(), json!(""));
    map.insert("recent_events".into(), json!([]));
    Value::Object(map)
}

// ---- The passkey confirmation page (the link in the confirmation mail). Every value is escaped: the user agent is
// chosen by whoever registered the passkey, and the app name comes from the config.

/// Escape text for HTML content and double-quoted attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn html_page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><title>{}</title><style>body{{font-family:system-ui,\
         sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;line-height:1.5}}button{{font-size:1rem;\
         padding:.5rem 1rem;margin:.25rem .5rem .25rem 0}}</style></head><body>\n<h1>{}</h1>\n{body}\n</body></html>\n",
        escape_html(title),
        escape_html(title)
    )
}

fn passkey_line(passkey: &crate::mail::PasskeyFacts) -> String {
    match &passkey.user_agent {
        Some(agent) => format!(
            "created {} by a browser that reported itself as <q>{}</q>",
            escape_html(&passkey.created_at),
            escape_html(agent)
        ),
        None => format!("created {} by a browser that did not identify itself", escape_html(&passkey.created_at)),
    }
}

fn back_to_app(app_name: &str, origin: &str) -> String {
    format!("<p><a href=\"{}\">Go to {}</a></p>", escape_html(origin), escape_html(app_name))
}

/// The question: keep or remove this passkey? The forms post back to the same URL (`form-action 'self'`).
pub fn confirmation_question(app_name: &str, email: &str, passkey: &crate::mail::PasskeyFacts, token: &str) -> String {
    let token = escape_html(token);
    let body = format!(
        "<p>A passkey was registered for {} with the address <b>{}</b>:</p>\n<p>{}</p>\n\
         <p>If you registered it, keep it. If you did not, remove it: someone else would otherwise be able to sign in \
         with it.</p>\n\
         <form method=\"post\"><input type=\"hidden\" name=\"token\" value=\"{token}\">\
         <button name=\"action\" value=\"keep\">Keep this passkey, it is mine</button>\
         <button name=\"action\" value=\"remove\">Remove it, this was not me</button></form>",
        escape_html(app_name),
        escape_html(email),
        passkey_line(passkey)
    );
    html_page(&format!("Confirm your {app_name} passkey"), &body)
}

pub fn confirmation_kept(app_name: &str, origin: &str, removed: &[crate::mail::PasskeyFacts]) -> String {
    let removed = if removed.is_empty() {
        String::new()
    } else {
        format!(
            "<p>Other passkeys registered for this address were never confirmed and have been removed (their \
             sessions were ended):</p><ul>{}</ul>",
            removed.iter().map(|p| format!("<li>{}</li>", passkey_line(p))).collect::<String>()
        )
    };
    let body = format!(
        "<p>Your passkey is confirmed and your address is verified.</p>{removed}{}",
        back_to_app(app_name, origin)
    );
    html_page("Passkey confirmed", &body)
}

pub fn confirmation_removed(app_name: &str, origin: &str) -> String {
    let body = format!(
        "<p>The passkey was removed and every session it started was ended. To use {} yourself, sign in with a \
         one-time code or link sent to your address.</p>{}",
        escape_html(app_name),
        back_to_app(app_name, origin)
    );
    html_page("Passkey removed", &body)
}

pub fn confirmation_link_invalid(app_name: &str, origin: &str) -> String {
    let body = format!(
        "<p>This link is not valid, has expired, or was already used. Nothing was changed.</p>\
         <p>If a passkey you do not recognise can sign in to your account, sign in with a one-time code or link: \
         passkeys that were never confirmed are then removed.</p>{}",
        back_to_app(app_name, origin)
    );
    html_page("Link not valid", &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confirmation_page_escapes_what_strangers_choose() {
        let facts = crate::mail::PasskeyFacts {
            created_at: "2026-12-01T00:00:00Z".into(),
            user_agent: Some("<script>alert(1)</script>\" onload=\"x".into()),
        };
        let html = confirmation_question("A&B", "a@x.io", &facts, "tok\"en");
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot; onload=&quot;x"), "{html}");
        assert!(html.contains("value=\"tok&quot;en\""), "{html}");
        assert!(html.contains("A&amp;B"), "{html}");
    }
}
