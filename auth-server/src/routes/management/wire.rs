//! The management API's JSON, field for field as the models of Passage's server SDK (`passage-identity` 3.0.2,
//! `openapi_client/models/`): times are RFC 3339, every field the SDK requires is present, arrays are never null.

use serde::Serialize;
use serde_json::Value;

use crate::ids::rfc3339;
use crate::store::credentials::Credential;
use crate::store::users::User;

/// Passage wrote a never-set time as Go's zero time; the SDK requires a time string in `last_login_at`.
const ZERO_TIME: &str = "0001-01-01T00:00:00Z";

fn optional_time(unix: Option<i64>) -> String {
    unix.map(rfc3339).unwrap_or_else(|| ZERO_TIME.to_owned())
}

/// The stored metadata object, or null (also for text that is somehow not JSON: never a 500 for a read).
fn metadata(user: &User) -> Value {
    user.user_metadata.as_deref().and_then(|text| serde_json::from_str(text).ok()).unwrap_or(Value::Null)
}

/// `WebAuthnDevices`: the one device shape, shared with the element API.
pub use crate::views::Device;

/// `PassageUser`. Phone numbers, social connections and events are not kept: `""`, `{}` and `[]`.
#[derive(Serialize)]
pub struct PassageUser {
    pub id: String,
    pub email: String,
    pub email_verified: bool,
    pub phone: &'static str,
    pub phone_verified: bool,
    pub external_id: &'static str,
    pub status: &'static str,
    pub user_metadata: Value,
    pub webauthn: bool,
    pub webauthn_devices: Vec<Device>,
    pub webauthn_types: Vec<&'static str>,
    pub created_at: String,
    pub updated_at: String,
    pub last_login_at: String,
    pub login_count: i64,
    pub recent_events: Vec<Value>,
    pub social_connections: serde_json::Map<String, Value>,
}

impl PassageUser {
    pub fn new(user: &User, credentials: &[Credential]) -> Self {
        Self {
            id: user.id.clone(),
            email: user.email.clone(),
            email_verified: user.email_verified,
            phone: "",
            phone_verified: false,
            external_id: "",
            status: user.status.as_str(),
            user_metadata: metadata(user),
            webauthn: !credentials.is_empty(),
            webauthn_devices: credentials.iter().map(Device::from).collect(),
            webauthn_types: if credentials.is_empty() { vec![] } else { vec!["passkey"] },
            created_at: rfc3339(user.created_at),
            updated_at: rfc3339(user.updated_at),
            last_login_at: optional_time(user.last_login_at),
            login_count: user.login_count,
            recent_events: Vec::new(),
            social_connections: serde_json::Map::new(),
        }
    }
}

/// `UserResponse`.
#[derive(Serialize)]
pub struct UserResponse {
    pub user: PassageUser,
}

/// `ListDevicesResponse`.
#[derive(Serialize)]
pub struct DeviceList {
    pub devices: Vec<Device>,
}

/// `ListPaginatedUsersItem`: a user without devices and events.
#[derive(Serialize)]
pub struct ListedUser {
    pub id: String,
    pub email: String,
    pub email_verified: bool,
    pub phone: &'static str,
    pub phone_verified: bool,
    pub external_id: &'static str,
    pub status: &'static str,
    pub user_metadata: Value,
    pub created_at: String,
    pub updated_at: String,
    pub last_login_at: String,
    pub login_count: i64,
}

impl From<&User> for ListedUser {
    fn from(user: &User) -> Self {
        Self {
            id: user.id.clone(),
            email: user.email.clone(),
            email_verified: user.email_verified,
            phone: "",
            phone_verified: false,
            external_id: "",
            status: user.status.as_str(),
            user_metadata: metadata(user),
            created_at: rfc3339(user.created_at),
            updated_at: rfc3339(user.updated_at),
            last_login_at: optional_time(user.last_login_at),
            login_count: user.login_count,
        }
    }
}

/// `Link`: `href` is `""` where there is no such page (the SDK requires every link).
#[derive(Serialize)]
pub struct Link {
    pub href: String,
}

/// `PaginatedLinks`.
#[derive(Serialize)]
pub struct PageLinks {
    pub first: Link,
    pub last: Link,
    pub next: Link,
    pub previous: Link,
    #[serde(rename = "self")]
    pub this: Link,
}

/// `ListPaginatedUsersResponse`.
#[derive(Serialize)]
pub struct UserList {
    #[serde(rename = "_links")]
    pub links: PageLinks,
    pub created_before: i64,
    pub limit: i64,
    pub page: i64,
    pub total_users: i64,
    pub users: Vec<ListedUser>,
}

/// `MagicLink`. `ttl` is in minutes, as the SDK documents it.
#[derive(Serialize)]
pub struct MagicLink {
    pub id: String,
    pub app_id: String,
    pub user_id: String,
    pub identifier: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub activated: bool,
    pub redirect_url: String,
    /// The token for E14 (`PATCH /magic-link/activate {"magic_link": secret}`), also in `url`.
    pub secret: String,
    pub ttl: u64,
    pub url: String,
}

/// `MagicLinkResponse`.
#[derive(Serialize)]
pub struct MagicLinkResponse {
    pub magic_link: MagicLink,
}
