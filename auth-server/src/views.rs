//! JSON shapes of users and devices as the elements (spec §2) and the management API (spec §8.5) read them.

use serde_json::{json, Value};

use crate::ids::rfc3339;
use crate::store::credentials::Credential;
use crate::store::users::User;

/// `webauthn_types`: "passkey" for a user with credentials, so login tries passkeys (spec §3.4).
fn webauthn_types(credentials: &[Credential]) -> Value {
    if credentials.is_empty() {
        json!([])
    } else {
        json!(["passkey"])
    }
}

/// Never-logged-in users get the zero time, as Go-based Passage did, so the field is always a string.
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

/// A `webauthn_devices` item (E15, E17, management).
pub fn device(credential: &Credential) -> Value {
    json!({
        "id": credential.id,
        "cred_id": credential.cred_id,
        "friendly_name": credential.friendly_name,
        "type": "passkey",
        "created_at": rfc3339(credential.created_at),
        "updated_at": rfc3339(credential.updated_at),
        "last_login_at": optional_time(credential.last_login_at),
        "usage_count": credential.usage_count,
        "user_id": credential.user_id,
        "icons": { "light": null, "dark": null },
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
