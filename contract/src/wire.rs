//! JSON bodies of the backend API (DESIGN §4). Field names are the wire names.

use serde::{Deserialize, Serialize};

/// `POST /user` request body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveName {
    pub name: String,
}

/// `POST /user` response body (201 created, 200 updated). Timestamps are RFC 3339 in UTC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedProfile {
    /// The auth server's user id (the token's `sub`).
    pub id: String,
    pub name: String,
    pub created_at: String,
    pub updated_at: String,
}

/// `GET /user` response body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: String,
    /// `null` until the profile has been saved.
    pub name: Option<String>,
    /// `null` when the auth server could not be asked.
    pub email: Option<String>,
}

/// Every error response: `{"error": {"code": "...", "message": "..."}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub error: ApiErrorBody,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiErrorBody {
    /// A stable machine word: `invalid_name`, `invalid_json`, `invalid_token`, ...
    pub code: String,
    /// A sentence for a person.
    pub message: String,
}

impl ApiError {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError { error: ApiErrorBody { code: code.into(), message: message.into() } }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_match_design() {
        let user = CurrentUser { id: "u1".into(), name: None, email: Some("a@b.c".into()) };
        assert_eq!(serde_json::to_string(&user).unwrap(), r#"{"id":"u1","name":null,"email":"a@b.c"}"#);
        let err = ApiError::new("invalid_name", "Please enter your name.");
        assert_eq!(
            serde_json::to_string(&err).unwrap(),
            r#"{"error":{"code":"invalid_name","message":"Please enter your name."}}"#
        );
        let body: SaveName = serde_json::from_str(r#"{"name":"Ada"}"#).unwrap();
        assert_eq!(body.name, "Ada");
    }
}
