//! What the fields of one exported user mean: Passage's user object, field for field (`passage-identity` 3.0.2's
//! `PassageUser`), checked and turned into an [`ImportedUser`]. A row is taken whole or refused whole, with every
//! reason at once.

use serde_json::Value;

use super::read::{Cell, SourceRow};
use crate::ids;
use crate::log_text::Untrusted;
use crate::store::user_import::ImportedUser;
use crate::store::users::{UserStatus, MAX_METADATA_BYTES};

/// Longest user id taken: Passage's are 24 characters, other providers' (UUIDs, `auth0|…`) are longer.
pub const MAX_ID_CHARS: usize = 128;

/// Fields this server keeps, and fields of Passage's user object it reads only to tell the operator about them
/// (passkeys cannot come along: Passage never exported public keys) or ignores (derived, or events).
const KEPT: &[&str] = &[
    "id",
    "email",
    "email_verified",
    "status",
    "user_metadata",
    "created_at",
    "updated_at",
    "last_login_at",
    "login_count",
];
/// Kept nowhere: a value refuses the row unless `--drop-unsupported`.
const NOT_KEPT: &[&str] = &["phone", "external_id"];
const IGNORED: &[&str] =
    &["phone_verified", "webauthn", "webauthn_devices", "webauthn_types", "recent_events", "social_connections"];

/// Other names an export may give the id column.
const ID_ALIASES: &[&str] = &["user_id", "passage_id"];

/// Is this (canonical) column name one the import knows? Unknown columns refuse the whole CSV file.
pub fn known_column(name: &str) -> bool {
    metadata_field(name).is_some()
        || KEPT.contains(&name)
        || NOT_KEPT.contains(&name)
        || IGNORED.contains(&name)
        || ID_ALIASES.contains(&name)
}

fn metadata_field(name: &str) -> Option<&str> {
    name.strip_prefix("user_metadata.").filter(|field| !field.is_empty())
}

/// How to treat values this server cannot keep (a phone number, an external id).
#[derive(Debug, Clone, Copy, Default)]
pub struct Policy {
    /// Import the row without them (and count it) instead of refusing it.
    pub drop_unsupported: bool,
}

/// A row that can be imported, and what the report should say about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    pub user: ImportedUser,
    /// Passage listed passkeys for this user: they sign in with a code or link first, then add one.
    pub had_passkeys: bool,
    /// Fields with a value that was left out (`--drop-unsupported`).
    pub dropped: Vec<&'static str>,
}

/// Check one row. `now` fills a missing `created_at`.
pub fn accept(row: &SourceRow, policy: Policy, now: i64) -> Result<Accepted, Vec<String>> {
    let mut problems = Vec::new();
    let mut fields = Fields::default();
    for (name, cell) in &row.fields {
        let name = name.as_str();
        if let Some(field) = metadata_field(name) {
            match text_of(cell) {
                Some(text) if text.trim().is_empty() => {}
                Some(text) => fields.metadata_columns.push((field.to_owned(), Value::String(text))),
                None => fields.metadata_columns.push((field.to_owned(), json_of(cell))),
            }
        } else if name == "id" || ID_ALIASES.contains(&name) {
            if fields.id.replace(cell).is_some() {
                problems.push(format!("the id is given twice ({})", Untrusted(name)));
            }
        } else if let Some(&kept) = KEPT.iter().find(|&&k| k == name) {
            fields.kept.push((kept, cell));
        } else if let Some(&not_kept) = NOT_KEPT.iter().find(|&&k| k == name) {
            fields.not_kept.push((not_kept, cell));
        } else if let Some(&ignored) = IGNORED.iter().find(|&&k| k == name) {
            fields.ignored.push((ignored, cell));
        } else {
            problems.push(format!("unknown field {}", Untrusted(name)));
        }
    }
    let user = fields.user(policy, now, &mut problems);
    match user {
        Some((user, had_passkeys, dropped)) if problems.is_empty() => Ok(Accepted { user, had_passkeys, dropped }),
        _ => Err(problems),
    }
}

#[derive(Default)]
struct Fields<'a> {
    id: Option<&'a Cell>,
    kept: Vec<(&'static str, &'a Cell)>,
    not_kept: Vec<(&'static str, &'a Cell)>,
    ignored: Vec<(&'static str, &'a Cell)>,
    metadata_columns: Vec<(String, Value)>,
}

impl Fields<'_> {
    fn get(&self, name: &str) -> Option<&Cell> {
        self.kept.iter().find(|(n, _)| *n == name).map(|(_, cell)| *cell).filter(|cell| !is_blank(cell))
    }

    fn user(
        &self,
        policy: Policy,
        now: i64,
        problems: &mut Vec<String>,
    ) -> Option<(ImportedUser, bool, Vec<&'static str>)> {
        let id = self.id.filter(|cell| !is_blank(cell)).map(|cell| user_id(cell, problems));
        if id.is_none() {
            problems.push("id: required (imported users keep their ids)".to_owned());
        }
        let email = match self.get("email") {
            Some(cell) => email(cell, problems),
            None => {
                problems.push("email: required (this server signs users in by e-mail)".to_owned());
                None
            }
        };
        let email_verified = self.get("email_verified").map_or(Some(false), |c| flag("email_verified", c, problems));
        let status = self.get("status").map_or(Some(UserStatus::Active), |c| status(c, problems));
        let created_at = self.get("created_at").map_or(Some(Some(now)), |c| time("created_at", c, problems));
        let updated_at = self.get("updated_at").map_or(Some(None), |c| time("updated_at", c, problems));
        let last_login_at = self.get("last_login_at").map_or(Some(None), |c| time("last_login_at", c, problems));
        let login_count = self.get("login_count").map_or(Some(0), |c| count("login_count", c, problems));
        let user_metadata = self.metadata(problems);
        let mut dropped = Vec::new();
        for (name, cell) in &self.not_kept {
            if is_blank(cell) {
                continue;
            }
            if policy.drop_unsupported {
                dropped.push(*name);
            } else {
                problems.push(format!(
                    "{name}: this server does not keep it (users sign in by e-mail); pass --drop-unsupported to \
                     import the user without it"
                ));
            }
        }
        let had_passkeys = self.ignored.iter().any(|(name, cell)| match (*name, cell) {
            ("webauthn", Cell::Json(Value::Bool(true))) => true,
            ("webauthn", Cell::Text(text)) => parse_flag(text) == Some(true),
            ("webauthn_devices", Cell::Json(Value::Array(devices))) => !devices.is_empty(),
            _ => false,
        });
        let created_at = created_at?.unwrap_or(now);
        let user = ImportedUser {
            id: id??,
            email: email?,
            email_verified: email_verified?,
            status: status?,
            created_at,
            updated_at: updated_at?.unwrap_or(created_at).max(created_at),
            last_login_at: last_login_at?,
            login_count: login_count?,
            user_metadata: user_metadata?,
        };
        Some((user, had_passkeys, dropped))
    }

    /// `user_metadata` (a JSON object, or its JSON text in CSV) and/or `user_metadata.<field>` columns.
    fn metadata(&self, problems: &mut Vec<String>) -> Option<Option<String>> {
        let mut object = match self.get("user_metadata") {
            None => serde_json::Map::new(),
            Some(cell) => {
                let value = match cell {
                    Cell::Json(value) => Ok(value.clone()),
                    Cell::Text(text) => serde_json::from_str::<Value>(text),
                };
                match value {
                    Ok(Value::Object(object)) => object,
                    Ok(Value::Null) => serde_json::Map::new(),
                    _ => {
                        problems.push("user_metadata: must be a JSON object".to_owned());
                        return None;
                    }
                }
            }
        };
        for (field, value) in &self.metadata_columns {
            if object.insert(field.clone(), value.clone()).is_some() {
                problems.push(format!("user_metadata: {} is given twice", Untrusted(field)));
            }
        }
        if object.is_empty() {
            return Some(None);
        }
        let text = Value::Object(object).to_string();
        if text.len() > MAX_METADATA_BYTES {
            problems.push(format!("user_metadata: at most {MAX_METADATA_BYTES} bytes of JSON"));
            return None;
        }
        Some(Some(text))
    }
}

fn is_blank(cell: &Cell) -> bool {
    match cell {
        Cell::Text(text) => text.trim().is_empty(),
        Cell::Json(Value::Null) => true,
        Cell::Json(Value::String(text)) => text.trim().is_empty(),
        Cell::Json(_) => false,
    }
}

/// The cell as text: CSV text, a JSON string, or a JSON number (ids and counts written as numbers).
fn text_of(cell: &Cell) -> Option<String> {
    match cell {
        Cell::Text(text) => Some(text.clone()),
        Cell::Json(Value::String(text)) => Some(text.clone()),
        Cell::Json(Value::Number(number)) => Some(number.to_string()),
        Cell::Json(_) => None,
    }
}

fn json_of(cell: &Cell) -> Value {
    match cell {
        Cell::Text(text) => Value::String(text.clone()),
        Cell::Json(value) => value.clone(),
    }
}

/// A user id: 1 to [`MAX_ID_CHARS`] printable ASCII characters, none of which needs escaping in a URL path, a
/// header or a log line (ids appear in all three).
fn user_id(cell: &Cell, problems: &mut Vec<String>) -> Option<String> {
    let Some(text) = text_of(cell) else {
        problems.push("id: must be text".to_owned());
        return None;
    };
    let id = text.trim();
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-_.~|:@+".contains(c);
    if id.chars().count() > MAX_ID_CHARS || !id.chars().all(allowed) {
        problems.push(format!(
            "id {}: at most {MAX_ID_CHARS} of the characters A-Z a-z 0-9 - _ . ~ | : @ +",
            Untrusted(id)
        ));
        return None;
    }
    Some(id.to_owned())
}

fn email(cell: &Cell, problems: &mut Vec<String>) -> Option<String> {
    let text = text_of(cell).unwrap_or_default();
    let email = ids::normalize_email(&text);
    if email.is_none() {
        problems.push(format!("email {}: not a valid e-mail address", Untrusted(&text)));
    }
    email
}

fn parse_flag(text: &str) -> Option<bool> {
    match text.trim().to_lowercase().as_str() {
        "true" | "1" | "yes" | "y" | "t" => Some(true),
        "false" | "0" | "no" | "n" | "f" | "" => Some(false),
        _ => None,
    }
}

fn flag(name: &str, cell: &Cell, problems: &mut Vec<String>) -> Option<bool> {
    let value = match cell {
        Cell::Json(Value::Bool(value)) => Some(*value),
        cell => text_of(cell).as_deref().and_then(parse_flag),
    };
    if value.is_none() {
        problems.push(format!("{name}: true or false"));
    }
    value
}

fn status(cell: &Cell, problems: &mut Vec<String>) -> Option<UserStatus> {
    let text = text_of(cell).unwrap_or_default();
    let status = match text.trim().to_lowercase().as_str() {
        "active" => Some(UserStatus::Active),
        "inactive" => Some(UserStatus::Inactive),
        "pending" => Some(UserStatus::Pending),
        _ => None,
    };
    if status.is_none() {
        problems.push(format!("status {}: active, inactive or pending", Untrusted(&text)));
    }
    status
}

/// Passage wrote a never-set time as Go's zero time (`0001-01-01T00:00:00Z`); anything before 1970 means "never".
fn time(name: &str, cell: &Cell, problems: &mut Vec<String>) -> Option<Option<i64>> {
    let text = text_of(cell).unwrap_or_default();
    let text = text.trim();
    let parsed = if let Ok(unix) = text.parse::<i64>() {
        Some(unix)
    } else {
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
            .ok()
            .map(|t| t.unix_timestamp())
    };
    match parsed {
        Some(unix) if unix <= 0 => Some(None),
        // Against the clock, not `now` (which only fills missing times): a day of slack for clocks; later than
        // that is a mistake in the export.
        Some(unix) if unix > ids::now() + 24 * 3600 => {
            problems.push(format!("{name} {}: in the future", Untrusted(text)));
            None
        }
        Some(unix) => Some(Some(unix)),
        None => {
            problems
                .push(format!("{name} {}: an RFC 3339 time (2024-05-01T12:00:00Z) or Unix seconds", Untrusted(text)));
            None
        }
    }
}

fn count(name: &str, cell: &Cell, problems: &mut Vec<String>) -> Option<i64> {
    let value = text_of(cell).and_then(|text| text.trim().parse::<i64>().ok()).filter(|n| *n >= 0);
    if value.is_none() {
        problems.push(format!("{name}: a whole number, 0 or more"));
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::read::{rows, Format};

    const NOW: i64 = 1_780_000_000;

    fn first(text: &str, policy: Policy) -> Result<Accepted, Vec<String>> {
        let rows = rows(text, Format::detect(text)).unwrap();
        accept(&rows[0], policy, NOW)
    }

    #[test]
    fn a_passage_user_object_is_taken_field_for_field() {
        let accepted = first(
            r#"{"users": [{"id": "9DeEXvYBStnzwQcHFd6f558L", "email": "Ada@Example.com", "email_verified": true,
                "phone": "", "phone_verified": false, "external_id": "", "status": "inactive",
                "user_metadata": {"full_name": "Ada"}, "webauthn": true,
                "webauthn_devices": [{"id": "d1"}], "webauthn_types": ["passkey"],
                "created_at": "2024-05-01T12:00:00Z", "updated_at": "2024-06-01T12:00:00.123Z",
                "last_login_at": "0001-01-01T00:00:00Z", "login_count": 7, "recent_events": [],
                "social_connections": {}}]}"#,
            Policy::default(),
        )
        .unwrap();
        assert_eq!(
            accepted.user,
            ImportedUser {
                id: "9DeEXvYBStnzwQcHFd6f558L".into(),
                email: "ada@example.com".into(),
                email_verified: true,
                status: UserStatus::Inactive,
                created_at: 1_714_564_800,
                updated_at: 1_717_243_200,
                last_login_at: None,
                login_count: 7,
                user_metadata: Some(r#"{"full_name":"Ada"}"#.into()),
            }
        );
        assert!(accepted.had_passkeys);
        assert!(accepted.dropped.is_empty());
    }

    #[test]
    fn a_csv_row_fills_what_is_missing_and_reads_metadata_columns() {
        let accepted = first(
            "Passage ID,Email,Status,user_metadata.fullName,user_metadata.plan\nu-1,a@example.com,,Ada Lovelace,\n",
            Policy::default(),
        )
        .unwrap();
        assert_eq!(accepted.user.id, "u-1");
        assert_eq!(accepted.user.status, UserStatus::Active);
        assert!(!accepted.user.email_verified);
        assert_eq!((accepted.user.created_at, accepted.user.updated_at), (NOW, NOW));
        assert_eq!(accepted.user.user_metadata.as_deref(), Some(r#"{"fullName":"Ada Lovelace"}"#));
        assert!(!accepted.had_passkeys);
    }

    #[test]
    fn every_reason_of_a_refused_row_is_named() {
        let problems = first(
            "id,email,email_verified,status,created_at,login_count,user_metadata,shoe_size\n\
             a b,not-an-address,maybe,banned,yesterday,-1,[1],44\n",
            Policy::default(),
        )
        .unwrap_err();
        let text = problems.join("\n");
        for expected in [
            "unknown field \"shoe_size\"",
            "id \"a b\"",
            "email \"not-an-address\": not a valid e-mail address",
            "email_verified: true or false",
            "status \"banned\"",
            "created_at \"yesterday\"",
            "login_count",
            "user_metadata: must be a JSON object",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
        }
        let problems = first("email\na@example.com\n", Policy::default()).unwrap_err();
        assert_eq!(problems, ["id: required (imported users keep their ids)"]);
    }

    #[test]
    fn a_phone_number_is_refused_unless_dropping_is_asked_for() {
        let text = "id,email,phone,phone_verified\nu1,a@example.com,+14155552671,true\n";
        let problems = first(text, Policy::default()).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert!(problems[0].starts_with("phone: this server does not keep it"), "{problems:?}");
        let accepted = first(text, Policy { drop_unsupported: true }).unwrap();
        assert_eq!(accepted.dropped, ["phone"]);
        assert!(first("id,email,phone,phone_verified\nu1,a@example.com,,false\n", Policy::default()).is_ok());
    }

    #[test]
    fn hostile_values_are_escaped_in_the_reasons() {
        let problems = first("id,email\n\"u\u{1b}[2K\nx\",a@example.com\n", Policy::default()).unwrap_err();
        assert!(problems[0].contains("\\u{1b}[2K\\nx"), "{problems:?}");
        assert!(!problems[0].contains('\n'));
    }

    #[test]
    fn times_in_unix_seconds_and_the_future() {
        let accepted =
            first("id,email,created_at,last_login_at\nu1,a@example.com,1700000000,1700000100\n", Policy::default())
                .unwrap();
        assert_eq!((accepted.user.created_at, accepted.user.last_login_at), (1_700_000_000, Some(1_700_000_100)));
        let problems =
            first("id,email,created_at\nu1,a@example.com,2999-01-01T00:00:00Z\n", Policy::default()).unwrap_err();
        assert!(problems[0].contains("in the future"), "{problems:?}");
    }

    #[test]
    fn known_columns() {
        assert!(known_column("email_verified"));
        assert!(known_column("user_metadata.x"));
        assert!(known_column("passage_id"));
        assert!(!known_column("user_metadata."));
        assert!(!known_column("password"));
    }
}
