//! Command-line flags and environment variables (DESIGN §4). Every flag also reads the variable in brackets.

use std::ffi::OsString;
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

    /// Base URL of the auth server's element API, e.g. http://localhost:8081 (the JWKS lives under it).
    #[arg(long, env = "AUTH_URL")]
    pub auth_url: String,

    /// Base URL of the auth server's management API (its --management-bind listener; Passage's api.passage.id):
    /// users' e-mail addresses and account deletion, with --auth-api-key.
    #[arg(long, env = "AUTH_MANAGEMENT_URL", default_value = "http://127.0.0.1:8083")]
    pub auth_management_url: String,

    /// The auth server's app id: tokens must name it in `aud`.
    #[arg(long, env = "APP_ID")]
    pub app_id: String,

    /// Management API key of the app, sent as `Authorization: Bearer` to look up users' e-mail addresses.
    #[arg(long, env = "AUTH_API_KEY", hide_env_values = true)]
    pub auth_api_key: String,

    /// Browser origins allowed to call this API (CORS), comma separated, e.g. `http://localhost:8080`.
    #[arg(long, env = "ALLOWED_ORIGINS", value_delimiter = ',', default_value = "http://localhost:8080")]
    pub allowed_origins: Vec<String>,

    /// Required `iss` claim of tokens. Unset or empty: the app id, which is what the auth server (and Passage)
    /// put in `iss`.
    #[arg(long, env = "TOKEN_ISSUER")]
    pub token_issuer: Option<String>,

    /// Accept tokens whatever their `iss` (or without one). Only for an issuer that does not set `iss` to the
    /// app id; a warning is logged at start.
    #[arg(long, env = "SKIP_ISSUER_CHECK")]
    pub skip_issuer_check: bool,

    /// How long a user's e-mail address from the management API is reused (e.g. `60s`, `500ms`, `5m`).
    #[arg(long, env = "EMAIL_CACHE_TTL", default_value = "60s", value_parser = parse_duration)]
    pub email_cache_ttl: Duration,

    /// Shortest time between two JWKS downloads, also when tokens name unknown key ids (limits the load that
    /// forged `kid`s can put on the auth server).
    #[arg(long, env = "JWKS_MIN_REFETCH_INTERVAL", default_value = "30s", value_parser = parse_duration)]
    pub jwks_min_refetch_interval: Duration,

    /// Age after which the JWKS is downloaded again even when every `kid` is known, so keys removed from the
    /// auth server (`auth-server rotate-key --revoke`) stop being trusted within about this time.
    #[arg(long, env = "JWKS_MAX_AGE", default_value = "60s", value_parser = parse_duration)]
    pub jwks_max_age: Duration,

    /// Allowed clock difference when checking a token's `exp` and `nbf`.
    #[arg(long, env = "TOKEN_LEEWAY", default_value = "30s", value_parser = parse_duration)]
    pub token_leeway: Duration,

    /// A request that takes longer (reading its body included) is answered 503 `timeout`. Also read from
    /// `REQUEST_TIMEOUT_SECS` (the auth server's spelling) when `REQUEST_TIMEOUT` is not set.
    #[arg(
        long,
        alias = "request-timeout-secs",
        env = "REQUEST_TIMEOUT",
        default_value = "10s",
        value_parser = parse_duration
    )]
    pub request_timeout: Duration,

    /// A connection whose request line and headers are not complete within this time is closed, as is a
    /// keep-alive connection idle that long (slow-loris clients cannot hold connections open).
    #[arg(
        long = "header-read-timeout-secs",
        alias = "header-read-timeout",
        env = "HEADER_READ_TIMEOUT_SECS",
        default_value = "10s",
        value_parser = parse_duration
    )]
    pub header_read_timeout: Duration,

    /// Time limit of each call to the auth server (JWKS, management API).
    #[arg(long, env = "AUTH_REQUEST_TIMEOUT", default_value = "3s", value_parser = parse_duration)]
    pub auth_request_timeout: Duration,

    /// Most database connections kept open (for SQLite: readers; writes always use one connection).
    #[arg(long, env = "DATABASE_MAX_CONNECTIONS", default_value_t = 8)]
    pub database_max_connections: u32,

    /// `text` (one readable line per event) or `json` (one JSON object per line, for a log collector).
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value_t = ops::logging::LogFormat::Text)]
    pub log_format: ops::logging::LogFormat,

    /// Serve Prometheus metrics at `GET /metrics` on this address (its own listener, never the API's port).
    /// Unset: no metrics listener.
    #[arg(long, env = "METRICS_BIND")]
    pub metrics_bind: Option<SocketAddr>,
}

impl Config {
    /// Flags and environment, like `Config::parse`, plus `REQUEST_TIMEOUT_SECS` as a second name of
    /// `REQUEST_TIMEOUT` (the auth server's flags end in `-secs`; one set of variables should fit both servers).
    pub fn load() -> Config {
        Config::load_from(std::env::args_os(), |name| std::env::var_os(name)).unwrap_or_else(|error| error.exit())
    }

    /// [`Config::load`] with the arguments and the lookup of `REQUEST_TIMEOUT_SECS` given (the variables named
    /// in the flags' `env` are still read by clap from the process environment).
    pub fn load_from<I, T>(args: I, var: impl Fn(&str) -> Option<OsString>) -> Result<Config, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        use clap::{CommandFactory, FromArgMatches};
        let matches = Config::command().try_get_matches_from(args)?;
        let mut config = Config::from_arg_matches(&matches)?;
        let request_timeout_given = matches
            .value_source("request_timeout")
            .is_some_and(|source| source != clap::parser::ValueSource::DefaultValue);
        if let (false, Some(text)) = (request_timeout_given, var("REQUEST_TIMEOUT_SECS")) {
            config.request_timeout = parse_duration(&text.to_string_lossy()).map_err(|error| {
                clap::Error::raw(clap::error::ErrorKind::ValueValidation, format!("REQUEST_TIMEOUT_SECS: {error}\n"))
            })?;
        }
        Ok(config)
    }

    /// The `iss` tokens must carry, or `None` when `--skip-issuer-check` turned the check off.
    ///
    /// RFC 8725 §3.8: "applications MUST validate that the cryptographic keys used for the cryptographic
    /// operations in the JWT belong to the issuer"; the default checks `iss` against the one issuer whose keys
    /// this server trusts, so a deployment that never heard of `TOKEN_ISSUER` is still checked.
    pub fn required_issuer(&self) -> Result<Option<String>, String> {
        let configured = self.token_issuer.as_deref().map(str::trim).filter(|issuer| !issuer.is_empty());
        match (configured, self.skip_issuer_check) {
            (Some(issuer), true) => {
                Err(format!("--token-issuer `{issuer}` and --skip-issuer-check contradict each other: drop one"))
            }
            (None, true) => Ok(None),
            (Some(issuer), false) => Ok(Some(issuer.to_owned())),
            (None, false) => Ok(Some(self.app_id.clone())),
        }
    }

    /// Risky but allowed settings, one sentence each, for the log at start.
    pub fn startup_warnings(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        if is_plain_http_to_another_host(&self.auth_url) {
            // OWASP ASVS 5.0 V12.3.1/V12.3.3: TLS for all connections to and between services. Over plain http
            // anyone on the path can serve their own JWKS (and mint accepted tokens) or change e-mail addresses.
            warnings.push(format!(
                "--auth-url {} is plain http to a host that is not this machine: anyone on the network path can \
                 replace the JWKS (and so mint tokens this server accepts) or the users' e-mail addresses; \
                 use https://",
                self.auth_url
            ));
        }
        if is_plain_http_to_another_host(&self.auth_management_url) {
            warnings.push(format!(
                "--auth-management-url {} is plain http to a host that is not this machine: anyone on the network \
                 path can read the API key and the users' e-mail addresses, or change them; use https://",
                self.auth_management_url
            ));
        }
        if self.skip_issuer_check {
            warnings.push(
                "--skip-issuer-check: tokens are accepted whatever their `iss`; set --token-issuer instead if the \
                 issuer names itself"
                    .to_owned(),
            );
        }
        warnings
    }
}

/// Whether `url` is `http://` to a host other than loopback (`localhost`, `*.localhost`, 127.0.0.0/8, `::1`).
/// Unparsable URLs say no: `AuthServer::new` refuses them with a clearer error.
pub fn is_plain_http_to_another_host(url: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(url) else {
        return false;
    };
    if url.scheme() != "http" {
        return false;
    }
    let Some(host) = url.host_str() else {
        return true;
    };
    // IPv6 hosts come in brackets; the url crate has already normalised 127.1 and friends to dotted quads.
    match host.trim_start_matches('[').trim_end_matches(']').parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) => !ip.is_loopback(),
        Ok(std::net::IpAddr::V6(ip)) => !(ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())),
        Err(_) => {
            let domain = host.trim_end_matches('.').to_ascii_lowercase();
            !(domain == "localhost" || domain.ends_with(".localhost"))
        }
    }
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
    fn plain_http_is_flagged_only_for_other_hosts() {
        for remote in [
            "http://auth.example.com",
            "http://auth.example.com:8081/base",
            "http://10.0.0.5:8081",
            "http://[2001:db8::1]:8081",
            "http://localhost.example.com",
            "HTTP://AUTH.EXAMPLE.COM",
        ] {
            assert!(is_plain_http_to_another_host(remote), "{remote}");
        }
        for safe in [
            "http://127.0.0.1:8081",
            "http://127.1.2.3",
            "http://localhost:8081",
            "http://LOCALHOST.:8081",
            "http://auth.localhost",
            "http://[::1]:8081",
            "http://[::ffff:127.0.0.1]:8081",
            "https://auth.example.com",
            "https://10.0.0.5",
            "not a url",
        ] {
            assert!(!is_plain_http_to_another_host(safe), "{safe}");
        }
    }

    fn config(extra: &[&str]) -> Config {
        let base = ["backend", "--auth-url", "http://auth.example.com", "--app-id", "dev-app", "--auth-api-key", "k"];
        Config::try_parse_from(base.iter().chain(extra)).unwrap()
    }

    #[test]
    fn warnings_name_the_plain_http_auth_url() {
        let mut remote = config(&[]);
        let warnings = remote.startup_warnings();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("http://auth.example.com") && warnings[0].contains("https://"), "{warnings:?}");
        remote.auth_url = "https://auth.example.com".into();
        assert!(remote.startup_warnings().is_empty());
        remote.auth_url = "http://127.0.0.1:8081".into();
        assert!(remote.startup_warnings().is_empty());
    }

    #[test]
    fn issuer_is_checked_unless_explicitly_skipped() {
        let mut config = config(&[]);
        config.token_issuer = None;
        config.skip_issuer_check = false;
        assert_eq!(config.required_issuer(), Ok(Some("dev-app".to_owned())), "the default is the app id");
        config.token_issuer = Some(" ".into());
        assert_eq!(config.required_issuer(), Ok(Some("dev-app".to_owned())), "empty counts as unset");
        config.token_issuer = Some("https://issuer.example.com".into());
        assert_eq!(config.required_issuer(), Ok(Some("https://issuer.example.com".to_owned())));
        config.skip_issuer_check = true;
        assert!(config.required_issuer().unwrap_err().contains("contradict"));
        config.token_issuer = None;
        assert_eq!(config.required_issuer(), Ok(None));
        assert!(config.startup_warnings().iter().any(|w| w.contains("--skip-issuer-check")));
    }

    #[test]
    fn request_timeout_secs_is_a_second_name_for_request_timeout() {
        let args = ["backend", "--auth-url", "http://localhost:8081", "--app-id", "dev-app", "--auth-api-key", "k"];
        let secs = |value: &'static str| move |name: &str| (name == "REQUEST_TIMEOUT_SECS").then(|| value.into());
        if std::env::var_os("REQUEST_TIMEOUT").is_none() {
            assert_eq!(Config::load_from(args, secs("4")).unwrap().request_timeout, Duration::from_secs(4));
            assert!(Config::load_from(args, secs("soon")).unwrap_err().to_string().contains("REQUEST_TIMEOUT_SECS"));
        }
        let given = args.iter().copied().chain(["--request-timeout", "7s"]);
        assert_eq!(Config::load_from(given, secs("4")).unwrap().request_timeout, Duration::from_secs(7));
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
        // Issue 9: a withdrawn signing key is trusted at most about a minute; slow clients are cut off ≤ 30 s.
        if std::env::var_os("JWKS_MAX_AGE").is_none() {
            assert!(config.jwks_max_age <= Duration::from_secs(60));
        }
        if std::env::var_os("HEADER_READ_TIMEOUT_SECS").is_none() && std::env::var_os("REQUEST_TIMEOUT").is_none() {
            assert!(config.header_read_timeout <= Duration::from_secs(30));
            assert!(config.request_timeout <= Duration::from_secs(30));
        }
        let aliased = Config::try_parse_from([
            "backend",
            "--auth-url",
            "http://localhost:8081",
            "--app-id",
            "dev-app",
            "--auth-api-key",
            "k",
            "--header-read-timeout",
            "3",
            "--request-timeout-secs",
            "4",
        ])
        .unwrap();
        assert_eq!(aliased.header_read_timeout, Duration::from_secs(3));
        assert_eq!(aliased.request_timeout, Duration::from_secs(4));
    }
}
