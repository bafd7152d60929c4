//! Everything a request handler may need, built once at startup from the configuration.

use std::sync::Arc;
use std::time::Duration;

use axum::http::HeaderValue;

use crate::auth_server::{AuthServer, AuthServerUrls};
use crate::config::Config;
use crate::db::Database;
use crate::email::EmailDirectory;
use crate::token::{TokenVerifier, VerifierSettings};

#[derive(Clone)]
pub struct AppState {
    pub db: Database,
    /// The auth server's management API (account deletion); the verifier and the e-mail directory hold clones.
    pub auth_server: AuthServer,
    pub verifier: Arc<TokenVerifier>,
    pub emails: Arc<EmailDirectory>,
    pub allowed_origins: Arc<Vec<HeaderValue>>,
    pub request_timeout: Duration,
    /// Longest wait for a request's line and headers (and on an idle keep-alive connection); see `crate::server`.
    pub header_read_timeout: Duration,
    /// The `iss` tokens must carry (`None`: not checked), for the start-up log line.
    pub required_issuer: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot open the database: {0}")]
    Database(#[from] crate::db::DbError),
    #[error("bad --auth-url or --auth-management-url: {0}")]
    AuthServer(#[from] crate::auth_server::AuthServerError),
    #[error("bad --allowed-origins entry `{0}`: use an origin like http://localhost:8080 (scheme, host, port)")]
    Origin(String),
    #[error("--app-id must not be empty")]
    EmptyAppId,
    #[error("{0}")]
    Issuer(String),
}

impl AppState {
    /// Opens the database (running migrations) and prepares the auth-server clients. Nothing is fetched from
    /// the auth server yet: the JWKS is downloaded on the first token.
    pub async fn from_config(config: &Config) -> Result<AppState, StartupError> {
        if config.app_id.trim().is_empty() {
            return Err(StartupError::EmptyAppId);
        }
        let allowed_origins = parse_origins(&config.allowed_origins)?;
        let required_issuer = config.required_issuer().map_err(StartupError::Issuer)?;
        let auth_server = AuthServer::new(
            AuthServerUrls { element_api: &config.auth_url, management_api: &config.auth_management_url },
            &config.app_id,
            &config.auth_api_key,
            config.auth_request_timeout,
        )?;
        let db = Database::connect(&config.database_url, config.database_max_connections).await?;
        let verifier = TokenVerifier::new(
            auth_server.clone(),
            VerifierSettings {
                app_id: config.app_id.clone(),
                issuer: required_issuer.clone(),
                leeway: config.token_leeway,
                min_refetch_interval: config.jwks_min_refetch_interval,
                max_age: config.jwks_max_age,
            },
        );
        Ok(AppState {
            db,
            auth_server: auth_server.clone(),
            verifier: Arc::new(verifier),
            emails: Arc::new(EmailDirectory::new(auth_server.clone(), config.email_cache_ttl)),
            allowed_origins: Arc::new(allowed_origins),
            request_timeout: config.request_timeout,
            header_read_timeout: config.header_read_timeout,
            required_issuer,
        })
    }
}

/// Origins are compared byte for byte with the browser's `Origin` header, so they are checked to look like one:
/// `scheme://host[:port]`, no path, no trailing slash (which is removed), no wildcard.
fn parse_origins(origins: &[String]) -> Result<Vec<HeaderValue>, StartupError> {
    origins
        .iter()
        .map(|origin| origin.trim())
        .filter(|origin| !origin.is_empty())
        .map(|origin| {
            let origin = origin.strip_suffix('/').unwrap_or(origin);
            let looks_like_origin = (origin.starts_with("http://") || origin.starts_with("https://"))
                && !origin.contains('*')
                && origin.split("://").nth(1).is_some_and(|rest| !rest.is_empty() && !rest.contains('/'));
            if !looks_like_origin {
                return Err(StartupError::Origin(origin.to_owned()));
            }
            HeaderValue::from_str(origin).map_err(|_| StartupError::Origin(origin.to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_checked() {
        let parsed = parse_origins(&["http://localhost:8080/".into(), " https://app.example.com".into()]).unwrap();
        assert_eq!(parsed, ["http://localhost:8080", "https://app.example.com"]);
        assert!(parse_origins(&["*".into()]).is_err());
        assert!(parse_origins(&["localhost:8080".into()]).is_err());
        assert!(parse_origins(&["http://a.test/path".into()]).is_err());
    }
}
