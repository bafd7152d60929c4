//! Command-line flags and environment variables (DESIGN §4). Every flag also reads the variable in brackets.

use std::net::SocketAddr;
use std::time::Duration;

use clap::Parser;

/// The backend's configuration. Names of the first seven flags are fixed by DESIGN §4: scripts rely on them.
#[derive(Debug, Clone, Parser)]
#[command(name = "backend", version, about = "The app's own API: profile names keyed by the auth user id")]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "BIND", default_value = "127.0.0.1:8082")]
    pub bind: SocketAddr,

    /// `sqlite://PATH` (WAL; the file and its parent folder are created if missing) or `postgres://...`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://.data/app.sqlite3")]
    pub database_url: String,

    /// Base URL of the auth server, e.g. http://localhost:8081 (JWKS and management API live under it).
    #[arg(long, env = "AUTH_URL")]
    pub auth_url: String,

    /// The auth server's app id: tokens must name it in `aud`.
    #[arg(long, env = "APP_ID")]
    pub app_id: String,

    /// Management API key of the app, sent as `Authorization: Bearer` to look up users' e-mail addresses.
    #[arg(long, env = "AUTH_API_KEY", hide_env_values = true)]
    pub auth_api_key: String,

    /// Browser origins allowed to call this API (CORS), comma separated, e.g. `http://localhost:8080`.
    #[arg(long, env = "ALLOWED_ORIGINS", value_delimiter = ',', default_value = "http://localhost:8080")]
    pub allowed_origins: Vec<String>,

    /// Required `iss` claim of tokens. Unset: `iss` is not checked (Passage's SDKs do not check it either).
    #[arg(long, env = "TOKEN_ISSUER")]
    pub token_issuer: Option<String>,

    /// How long a user's e-mail address from the management API is reused (e.g. `60s`, `500ms`, `5m`).
    #[arg(long, env = "EMAIL_CACHE_TTL", default_value = "60s", value_parser = parse_duration)]
    pub email_cache_ttl: Duration,

    /// Shortest time between two JWKS downloads, also when tokens name unknown key ids (limits the load that
    /// forged `kid`s can put on the auth server).
    #[arg(long, env = "JWKS_MIN_REFETCH_INTERVAL", default_value = "30s", value_parser = parse_duration)]
    pub jwks_min_refetch_interval: Duration,

    /// Age after which the JWKS is downloaded again even when every `kid` is known, so keys removed from the
    /// auth server stop being trusted.
    #[arg(long, env = "JWKS_MAX_AGE", default_value = "10m", value_parser = parse_duration)]
    pub jwks_max_age: Duration,

    /// Allowed clock difference when checking a token's `exp` and `nbf`.
    #[arg(long, env = "TOKEN_LEEWAY", default_value = "30s", value_parser = parse_duration)]
    pub token_leeway: Duration,

    /// A request that takes longer is answered 503 `timeout`.
    #[arg(long, env = "REQUEST_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    pub request_timeout: Duration,

    /// Time limit of each call to the auth server (JWKS, management API).
    #[arg(long, env = "AUTH_REQUEST_TIMEOUT", default_value = "3s", value_parser = parse_duration)]
    pub auth_request_timeout: Duration,

    /// Most database connections kept open (for SQLite: readers; writes always use one connection).
    #[arg(long, env = "DATABASE_MAX_CONNECTIONS", default_value_t = 8)]
    pub database_max_connections: u32,
}

/// Reads `250ms`, `30s`, `5m`, `1h`, or a bare number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let value: u64 = digits.parse().map_err(|_| format!("`{text}` is not a duration like 500ms, 30s, 5m or 1h"))?;
    let duration = match unit.trim() {
        "ms" => Duration::from_millis(value),
        "" | "s" => Duration::from_secs(value),
        "m" => Duration::from_secs(value.saturating_mul(60)),
        "h" => Duration::from_secs(value.saturating_mul(3600)),
        other => return Err(format!("unknown unit `{other}` in `{text}`: use ms, s, m or h")),
    };
    Ok(duration)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("45"), Ok(Duration::from_secs(45)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert!(parse_duration("").is_err());
        assert!(parse_duration("ten").is_err());
        assert!(parse_duration("5 days").unwrap_err().contains("unknown unit"));
    }

    #[test]
    fn design_flag_names_and_defaults() {
        let config = Config::try_parse_from([
            "backend",
            "--auth-url",
            "http://localhost:8081",
            "--app-id",
            "dev-app",
            "--auth-api-key",
            "k",
            "--allowed-origins",
            "http://a.test,http://b.test",
        ])
        .unwrap();
        // The command line wins over the environment; defaults are only checked where no variable overrides them.
        assert_eq!(config.allowed_origins, ["http://a.test", "http://b.test"]);
        if std::env::var_os("BIND").is_none() {
            assert_eq!(config.bind.to_string(), "127.0.0.1:8082");
        }
        if std::env::var_os("DATABASE_URL").is_none() {
            assert_eq!(config.database_url, "sqlite://.data/app.sqlite3");
        }
        if std::env::var_os("EMAIL_CACHE_TTL").is_none() {
            assert_eq!(config.email_cache_ttl, Duration::from_secs(60));
        }
    }
}
