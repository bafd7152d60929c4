//! Apps served by this server: the TOML config file format and the `--dev` app.

use serde::{Deserialize, Serialize};
use url::Url;

/// The config file: a list of `[[apps]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub apps: Vec<AppConfig>,
}

/// One app (spec §4 fields the server owns, plus server-only settings).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppConfig {
    /// The app id in every URL (`/v1/apps/{id}`), the token `iss` and part of its `aud`.
    pub id: String,
    pub name: String,
    /// The SPA's origin (scheme, host, port). The page origin must equal it for passkeys (spec §4, §9.5).
    pub auth_origin: String,
    /// Where the element goes after success; never empty (spec §5.1).
    pub redirect_url: String,
    #[serde(default = "default_login_url")]
    pub login_url: String,
    /// WebAuthn RP ID; defaults to the host of `auth_origin`.
    #[serde(default)]
    pub rp_id: Option<String>,
    #[serde(default = "default_identifier")]
    pub allowed_identifier: String,
    #[serde(default = "default_true")]
    pub public_signup: bool,
    #[serde(default)]
    pub require_identifier_verification: bool,
    #[serde(default = "default_language")]
    pub default_language: String,
    pub auth_methods: AuthMethods,
    #[serde(default = "default_auth_token_lifetime")]
    pub auth_token_lifetime_secs: u64,
    /// Session inactivity timeout: each refresh token lives this long, and every refresh issues a new one, so a
    /// session ends when it is not refreshed for this long.
    #[serde(default = "default_refresh_token_lifetime", alias = "session_inactivity_timeout_secs")]
    pub refresh_token_lifetime_secs: u64,
    /// Absolute session lifetime: no refresh extends a session beyond this long after its login.
    #[serde(default = "default_session_absolute_lifetime")]
    pub session_absolute_lifetime_secs: u64,
    /// SHA-256 (hex) of each management API key; the keys themselves are never stored.
    #[serde(default)]
    pub management_api_key_sha256: Vec<String>,
    /// Adding a passkey (E16/E17) needs a sign-in at most this long ago (seconds); refreshes do not count.
    #[serde(default = "default_reauthentication_window")]
    pub reauthentication_window_secs: u64,
}

/// `auth_methods` exactly as the App object carries it: a present key enables the method.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AuthMethods {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passkeys: Option<PasskeysMethod>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub otp: Option<TtlMethod>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub magic_link: Option<TtlMethod>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PasskeysMethod {}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TtlMethod {
    /// Seconds.
    pub ttl: u64,
    #[serde(default = "default_ttl_unit")]
    pub ttl_display_unit: String,
}

fn default_login_url() -> String {
    "/login".into()
}
fn default_identifier() -> String {
    "email".into()
}
fn default_true() -> bool {
    true
}
fn default_language() -> String {
    "en".into()
}
fn default_auth_token_lifetime() -> u64 {
    3600
}
fn default_refresh_token_lifetime() -> u64 {
    30 * 24 * 3600
}
fn default_session_absolute_lifetime() -> u64 {
    90 * 24 * 3600
}
/// 10 minutes: long enough for the elements' "add a passkey" step right after a code or link sign-in, short
/// enough that a session left open (or a stolen token) cannot add a passkey later (NIST SP 800-63B §6.1 asks for
/// authentication before binding a new authenticator; the issue asks for at most 10 minutes by default).
fn default_reauthentication_window() -> u64 {
    600
}
/// The longest re-authentication window a config may set: beyond an hour "recent" means little.
pub const MAX_REAUTHENTICATION_WINDOW_SECS: u64 = 3600;
/// Codes and links live at most 10 minutes (the bound; a shorter `ttl` is allowed).
pub const MAX_CODE_TTL_SECS: u64 = 600;
fn default_ttl_unit() -> String {
    "s".into()
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("invalid config file {path}: {source}")]
    Parse { path: String, source: toml::de::Error },
    #[error("app {app:?}: {problem}")]
    Invalid { app: String, problem: String },
    #[error("the config lists no apps")]
    NoApps,
}

impl ConfigFile {
    pub fn load(path: &std::path::Path) -> Result<Self, ConfigError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: shown.clone(), source })?;
        Self::parse(&text).map_err(|err| match err {
            ConfigError::Parse { source, .. } => ConfigError::Parse { path: shown, source },
            other => other,
        })
    }

    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let file: ConfigFile =
            toml::from_str(text).map_err(|source| ConfigError::Parse { path: String::new(), source })?;
        if file.apps.is_empty() {
            return Err(ConfigError::NoApps);
        }
        let mut seen = std::collections::HashSet::new();
        for app in &file.apps {
            app.validate()?;
            if !seen.insert(app.id.clone()) {
                return Err(ConfigError::Invalid { app: app.id.clone(), problem: "duplicate app id".into() });
            }
        }
        Ok(file)
    }
}

impl AppConfig {
    fn invalid(&self, problem: impl Into<String>) -> ConfigError {
        ConfigError::Invalid { app: self.id.clone(), problem: problem.into() }
    }

    /// Refuse configs that would make the elements fail silently (spec §9) or make ids unsafe in URLs.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.id.is_empty()
            || self.id.len() > 64
            || !self.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(self.invalid("id must be 1-64 characters of A-Z a-z 0-9 - _"));
        }
        if self.name.trim().is_empty() {
            return Err(self.invalid("name must not be empty"));
        }
        self.origin_url()?;
        if self.redirect_url.trim().is_empty() {
            return Err(self.invalid("redirect_url must not be empty (the element never calls onSuccess otherwise)"));
        }
        // The element falls back to this language's file for every key the visitor's language lacks: without a
        // file, a visitor whose language we do not ship sees bare keys (spec §6.4).
        if crate::locales::for_file(&self.default_language.to_ascii_lowercase()).is_none() {
            let shipped: Vec<&str> = crate::locales::SHIPPED.iter().map(|locale| locale.tag).collect();
            return Err(self.invalid(format!(
                "default_language {:?} is not a shipped language (one of {})",
                self.default_language,
                shipped.join(", ")
            )));
        }
        if self.allowed_identifier != "email" {
            return Err(self.invalid("allowed_identifier: only \"email\" is supported"));
        }
        if self.auth_methods.passkeys.is_none()
            && self.auth_methods.otp.is_none()
            && self.auth_methods.magic_link.is_none()
        {
            return Err(self.invalid("auth_methods must enable at least one method (an empty object renders no form)"));
        }
        if self.auth_token_lifetime_secs == 0
            || self.refresh_token_lifetime_secs == 0
            || self.session_absolute_lifetime_secs == 0
        {
            return Err(self.invalid("token and session lifetimes must be positive"));
        }
        if self.reauthentication_window_secs == 0
            || self.reauthentication_window_secs > MAX_REAUTHENTICATION_WINDOW_SECS
        {
            return Err(self.invalid(format!(
                "reauthentication_window_secs must be 1-{MAX_REAUTHENTICATION_WINDOW_SECS} seconds"
            )));
        }
        for (name, method) in [("otp", &self.auth_methods.otp), ("magic_link", &self.auth_methods.magic_link)] {
            if let Some(method) = method {
                // A code or link is a bearer credential sent by e-mail: keep its window short.
                if method.ttl == 0 || method.ttl > MAX_CODE_TTL_SECS {
                    return Err(self.invalid(format!("auth_methods.{name}.ttl must be 1-{MAX_CODE_TTL_SECS} seconds")));
                }
            }
        }
        for hash in &self.management_api_key_sha256 {
            if crate::ids::parse_hex_32(hash).is_none() {
                return Err(
                    self.invalid("management_api_key_sha256 entries must be 64 hex characters (SHA-256 of the key)")
                );
            }
        }
        Ok(())
    }

    /// `auth_origin` as a URL; it must be a bare origin (the element compares it with `location.origin`).
    pub fn origin_url(&self) -> Result<Url, ConfigError> {
        let url = Url::parse(&self.auth_origin).map_err(|e| self.invalid(format!("auth_origin: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(self.invalid("auth_origin must be an http(s) origin"));
        }
        if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
            return Err(self.invalid("auth_origin must be an origin only (no path, query or fragment)"));
        }
        Ok(url)
    }

    /// `auth_origin` with no trailing slash, as browsers spell `location.origin`.
    pub fn normalized_origin(&self) -> String {
        self.auth_origin.trim_end_matches('/').to_owned()
    }

    pub fn rp_id(&self) -> Result<String, ConfigError> {
        match &self.rp_id {
            Some(rp_id) => Ok(rp_id.clone()),
            None => Ok(self.origin_url()?.host_str().unwrap_or_default().to_owned()),
        }
    }
}

/// Which fallback the dev app offers beside passkeys (the elements use OTP whenever it is offered, so only one is).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum DevFallback {
    #[default]
    Otp,
    MagicLink,
}

/// The id of `--dev`'s app.
pub const DEV_APP_ID: &str = "dev-app";

/// The `--dev` app: `dev-app` for the SPA at `origin`, passkeys plus the `fallback`, managed with `api_key`.
pub fn dev_app(origin: &str, api_key: &str, fallback: DevFallback) -> AppConfig {
    let ten_minutes = || TtlMethod { ttl: MAX_CODE_TTL_SECS, ttl_display_unit: "s".into() };
    AppConfig {
        id: DEV_APP_ID.into(),
        name: "Leptos Passage (dev)".into(),
        auth_origin: origin.trim_end_matches('/').into(),
        redirect_url: "/dashboard".into(),
        login_url: default_login_url(),
        rp_id: None,
        allowed_identifier: default_identifier(),
        public_signup: true,
        require_identifier_verification: false,
        default_language: default_language(),
        auth_methods: AuthMethods {
            passkeys: Some(PasskeysMethod {}),
            otp: (fallback == DevFallback::Otp).then(ten_minutes),
            magic_link: (fallback == DevFallback::MagicLink).then(ten_minutes),
        },
        auth_token_lifetime_secs: default_auth_token_lifetime(),
        refresh_token_lifetime_secs: default_refresh_token_lifetime(),
        session_absolute_lifetime_secs: default_session_absolute_lifetime(),
        management_api_key_sha256: vec![crate::ids::sha256_hex(api_key)],
        reauthentication_window_secs: default_reauthentication_window(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = include_str!("../config.example.toml");

    #[test]
    fn example_config_parses() {
        let file = ConfigFile::parse(EXAMPLE).expect("config.example.toml must stay valid");
        assert!(!file.apps.is_empty());
    }

    #[test]
    fn bad_configs_are_refused_with_the_reason() {
        let base = |extra: &str| {
            format!(
                "[[apps]]\nid = \"a\"\nname = \"A\"\nauth_origin = \"https://a.example\"\nredirect_url = \"/d\"\n{extra}\n[apps.auth_methods.passkeys]\n"
            )
        };
        assert!(ConfigFile::parse(&base("")).is_ok());
        let err = ConfigFile::parse(&base("").replace("/d", "")).unwrap_err().to_string();
        assert!(err.contains("redirect_url"), "{err}");
        let err =
            ConfigFile::parse(&base("").replace("https://a.example", "https://a.example/app")).unwrap_err().to_string();
        assert!(err.contains("origin only"), "{err}");
        let err = ConfigFile::parse(&base("management_api_key_sha256 = [\"abc\"]")).unwrap_err().to_string();
        assert!(err.contains("64 hex"), "{err}");
        let err = ConfigFile::parse(&base("surprise = 1")).unwrap_err().to_string();
        assert!(err.contains("surprise"), "{err}");
        let err =
            ConfigFile::parse(&format!("{}[apps.auth_methods.otp]\nttl = 601\n", base(""))).unwrap_err().to_string();
        assert!(err.contains("ttl must be 1-600"), "{err}");
        let err = ConfigFile::parse(&base("reauthentication_window_secs = 0")).unwrap_err().to_string();
        assert!(err.contains("reauthentication_window_secs must be 1-3600"), "{err}");
        assert!(ConfigFile::parse(&base("reauthentication_window_secs = 300")).is_ok());
        assert!(matches!(ConfigFile::parse("apps = []"), Err(ConfigError::NoApps)));
        let err = ConfigFile::parse(&base("default_language = \"sv\"")).unwrap_err().to_string();
        assert!(err.contains("default_language \"sv\" is not a shipped language") && err.contains("pt-BR"), "{err}");
        assert!(ConfigFile::parse(&base("default_language = \"fr\"")).is_ok());
    }

    #[test]
    fn dev_fallback_offers_exactly_one_method() {
        let otp = dev_app("http://localhost:8080", "k", DevFallback::Otp).auth_methods;
        assert!(otp.otp.is_some() && otp.magic_link.is_none());
        let link = dev_app("http://localhost:8080", "k", DevFallback::MagicLink).auth_methods;
        assert!(link.otp.is_none() && link.magic_link.as_ref().is_some_and(|m| m.ttl == 600));
    }

    #[test]
    fn rp_id_is_the_origin_host() {
        let app = dev_app("http://localhost:8080/", "k", DevFallback::Otp);
        assert_eq!(app.rp_id().unwrap(), "localhost");
        assert_eq!(app.normalized_origin(), "http://localhost:8080");
    }
}
