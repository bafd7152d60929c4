//! HTTP calls to the auth server: its JWKS, and the management API's "get user" (passage-auth-api.md §8) and
//! "delete user" (issue 10, ACCOUNT-CONTRACT.md "Account deletion").

use std::time::Duration;

use jsonwebtoken::DecodingKey;
use reqwest::{Response, StatusCode, Url};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::log_text::Untrusted;

#[derive(Debug, thiserror::Error)]
pub enum AuthServerError {
    #[error("auth server URL `{0}` cannot be a base URL")]
    BadBaseUrl(String),
    #[error("request to the auth server failed: {0}")]
    Transport(#[from] reqwest::Error),
    #[error("the auth server answered {status} to {what}")]
    Status { what: &'static str, status: StatusCode },
    /// A 404 that does not say `user_not_found` (e.g. `app_not_found`, or a proxy's page): it cannot be taken as
    /// "the user is already gone".
    #[error("the auth server answered 404 with code `{code}` to {what}")]
    NotFound { what: &'static str, code: String },
    #[error("the auth server's answer to {what} is larger than {MAX_RESPONSE_BYTES} bytes")]
    TooLarge { what: &'static str },
    #[error("the auth server's answer to {what} is not the expected JSON: {error}")]
    Json { what: &'static str, error: serde_json::Error },
}

/// Largest answer read from the auth server. A JWKS of a few RSA keys and a user record are a few KiB; a spoofed
/// or broken server must not make the backend buffer gigabytes.
pub const MAX_RESPONSE_BYTES: usize = 256 * 1024;

/// One RSA verification key from the JWKS.
pub struct PublicKey {
    pub kid: String,
    pub key: DecodingKey,
}

/// Where the auth server is and how to call it. One `reqwest::Client` (connection pool) for every call.
#[derive(Clone)]
pub struct AuthServer {
    http: reqwest::Client,
    jwks_url: Url,
    users_url: Url,
    api_key: String,
}

impl std::fmt::Debug for AuthServer {
    // Hand-written so the API key never reaches a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthServer").field("jwks_url", &self.jwks_url.as_str()).finish_non_exhaustive()
    }
}

/// The auth server's two APIs, on two listeners as Passage had two hosts: the element API (the JWKS) and the
/// management API (users, with the API key).
#[derive(Debug, Clone, Copy)]
pub struct AuthServerUrls<'a> {
    pub element_api: &'a str,
    pub management_api: &'a str,
}

impl AuthServer {
    pub fn new(
        urls: AuthServerUrls<'_>,
        app_id: &str,
        api_key: &str,
        timeout: Duration,
    ) -> Result<Self, AuthServerError> {
        // Path segments are pushed one by one so an app id can never change the path's shape.
        let under_app = |base_url: &str, tail: &[&str]| -> Result<Url, AuthServerError> {
            let bad = || AuthServerError::BadBaseUrl(base_url.to_owned());
            let mut url = Url::parse(base_url).map_err(|_| bad())?;
            url.path_segments_mut().map_err(|_| bad())?.pop_if_empty().extend(["v1", "apps", app_id]).extend(tail);
            Ok(url)
        };
        let jwks_url = under_app(urls.element_api, &[".well-known", "jwks.json"])?;
        let users_url = under_app(urls.management_api, &["users"])?;
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("leptos-passage-backend/", env!("CARGO_PKG_VERSION")))
            // The auth server answers these URLs itself. Following a redirect could take the JWKS request (which
            // decides what tokens are genuine) to another host or down to plain http.
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(AuthServer { http, jwks_url, users_url, api_key: api_key.to_owned() })
    }

    pub fn jwks_url(&self) -> &str {
        self.jwks_url.as_str()
    }

    /// Downloads the JWKS and keeps the keys usable for RS256: `kty` RSA, a `kid`, `use` absent or `sig`, `alg`
    /// absent or RS256. Other keys are skipped (a key set may legitimately hold keys for other purposes).
    pub async fn fetch_jwks(&self) -> Result<Vec<PublicKey>, AuthServerError> {
        let response = self.http.get(self.jwks_url.clone()).send().await?;
        if !response.status().is_success() {
            return Err(AuthServerError::Status { what: "the JWKS request", status: response.status() });
        }
        let set: JwkSet = read_json(response, "the JWKS request").await?;
        let keys = set
            .keys
            .into_iter()
            .filter_map(|jwk| {
                let usable = jwk.kty == "RSA"
                    && jwk.use_.as_deref().is_none_or(|u| u == "sig")
                    && jwk.alg.as_deref().is_none_or(|a| a == "RS256");
                let kid = jwk.kid.filter(|kid| !kid.is_empty())?;
                if !usable {
                    tracing::debug!(kid = %Untrusted(&kid), "skipping a JWKS key that is not an RS256 signing key");
                    return None;
                }
                match DecodingKey::from_rsa_components(jwk.n.as_deref()?, jwk.e.as_deref()?) {
                    Ok(key) => Some(PublicKey { kid, key }),
                    Err(error) => {
                        tracing::warn!(kid = %Untrusted(&kid), %error, "skipping a JWKS key with unreadable n/e");
                        None
                    }
                }
            })
            .collect();
        Ok(keys)
    }

    /// The e-mail address of a user from `GET /v1/apps/{app_id}/users/{user_id}`. `Ok(None)` when the user is
    /// unknown (404) or has no e-mail address (phone-only users have `""`).
    pub async fn fetch_user_email(&self, user_id: &str) -> Result<Option<String>, AuthServerError> {
        let response = self.http.get(self.user_url(user_id)?).bearer_auth(&self.api_key).send().await?;
        match response.status() {
            StatusCode::OK => {
                let body: UserResponse = read_json(response, "the management API's get-user request").await?;
                Ok(body.user.email.filter(|email| !email.is_empty()))
            }
            StatusCode::NOT_FOUND => Ok(None),
            status => Err(AuthServerError::Status { what: "the management API's get-user request", status }),
        }
    }

    /// Deletes a user with `DELETE /v1/apps/{app_id}/users/{user_id}`: the user, their passkeys and sessions.
    /// `Ok(Deleted)` on 204 (or another 2xx: Passage's own management API answers 200); `Ok(AlreadyGone)` on 404
    /// `user_not_found`. Any other answer is an error, so the caller keeps its own data and can retry.
    pub async fn delete_user(&self, user_id: &str) -> Result<UserDeletion, AuthServerError> {
        const WHAT: &str = "the management API's delete-user request";
        let response = self.http.delete(self.user_url(user_id)?).bearer_auth(&self.api_key).send().await?;
        match response.status() {
            status if status.is_success() => Ok(UserDeletion::Deleted),
            StatusCode::NOT_FOUND => {
                let body: ErrorResponse = read_json(response, WHAT).await?;
                if body.code == "user_not_found" {
                    Ok(UserDeletion::AlreadyGone)
                } else {
                    Err(AuthServerError::NotFound { what: WHAT, code: body.code })
                }
            }
            status => Err(AuthServerError::Status { what: WHAT, status }),
        }
    }

    /// `{users_url}/{user_id}`. The id comes from a verified token, but it is still encoded as one path segment.
    fn user_url(&self, user_id: &str) -> Result<Url, AuthServerError> {
        let mut url = self.users_url.clone();
        url.path_segments_mut().map_err(|_| AuthServerError::BadBaseUrl(self.users_url.to_string()))?.push(user_id);
        Ok(url)
    }
}

/// What the auth server's delete-user call found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserDeletion {
    Deleted,
    /// There was no such user: an earlier deletion went through (or the user never existed there).
    AlreadyGone,
}

/// The body as JSON, refusing more than [`MAX_RESPONSE_BYTES`] (announced or actually sent).
async fn read_json<T: DeserializeOwned>(mut response: Response, what: &'static str) -> Result<T, AuthServerError> {
    if response.content_length().is_some_and(|length| length > MAX_RESPONSE_BYTES as u64) {
        return Err(AuthServerError::TooLarge { what });
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err(AuthServerError::TooLarge { what });
        }
        body.extend_from_slice(&chunk);
    }
    serde_json::from_slice(&body).map_err(|error| AuthServerError::Json { what, error })
}

#[derive(Deserialize)]
struct JwkSet {
    keys: Vec<Jwk>,
}

#[derive(Deserialize)]
struct Jwk {
    kty: String,
    kid: Option<String>,
    #[serde(rename = "use")]
    use_: Option<String>,
    alg: Option<String>,
    n: Option<String>,
    e: Option<String>,
}

#[derive(Deserialize)]
struct UserResponse {
    user: ManagedUser,
}

#[derive(Deserialize)]
struct ManagedUser {
    email: Option<String>,
}

/// The auth server's error body `{"code": "...", "error": "..."}`; only the code is needed.
#[derive(Deserialize)]
struct ErrorResponse {
    code: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_built_under_the_app() {
        let urls = AuthServerUrls { element_api: "http://127.0.0.1:8081/", management_api: "http://127.0.0.1:8083" };
        let server = AuthServer::new(urls, "dev-app", "key", Duration::from_secs(1)).unwrap();
        assert_eq!(server.jwks_url(), "http://127.0.0.1:8081/v1/apps/dev-app/.well-known/jwks.json");
        assert_eq!(server.users_url.as_str(), "http://127.0.0.1:8083/v1/apps/dev-app/users");
        // An app id with a slash stays one segment.
        let base = "https://auth.example.com/base";
        let odd = AuthServer::new(
            AuthServerUrls { element_api: base, management_api: base },
            "a/b",
            "key",
            Duration::from_secs(1),
        )
        .unwrap();
        assert_eq!(odd.jwks_url(), "https://auth.example.com/base/v1/apps/a%2Fb/.well-known/jwks.json");
        for bad in [
            AuthServerUrls { element_api: "not a url", ..urls },
            AuthServerUrls { management_api: "not a url", ..urls },
        ] {
            assert!(AuthServer::new(bad, "dev-app", "key", Duration::from_secs(1)).is_err());
        }
    }
}
