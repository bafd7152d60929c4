//! Runtime configuration: `config.json` beside `index.html`.
//!
//! The SPA reads its environment at start instead of at build time, so one `trunk build` output can be deployed
//! to many environments by swapping one small file. This module is DOM-free (parsing and validation are pure
//! functions with native unit tests); fetching the file lives in [`crate::config_loader`].

use std::fmt;

use serde::Deserialize;

use crate::branding::{self, Branding, Rgb, Theme};

/// The file name, relative to the document base (so a sub-path deploy finds its own copy).
pub const CONFIG_FILE: &str = "config.json";

/// Where `cargo xtask vendor` puts the patched element modules, relative to the document base.
pub const DEFAULT_ELEMENTS_PATH: &str = "vendor/passage-elements";

/// The validated configuration. Every URL is absolute and has no trailing slash, so callers can append paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppConfig {
    /// The Passage app id, given to the elements as `app-id` and used in auth-server paths.
    pub app_id: String,
    /// Origin (and optional path prefix) of the Passage-compatible auth server.
    pub auth_url: String,
    /// The app's own backend (`/user`).
    pub api_url: String,
    /// Folder holding `passage-register.js` and `passage-login.js`.
    pub elements_url: String,
    /// Folder the element fetches `v2/{lang}.json` locale files from.
    pub locales_url: String,
    /// The optional branding keys (`app_name`, `logo_url`, `primary_color`, `theme`).
    pub branding: Branding,
}

/// Why the configuration was refused. `Display` names the file and the key so an operator knows what to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The URL or name of the file that was read.
    pub file: String,
    /// The offending key; `None` when the file as a whole is the problem (missing, not JSON, not an object).
    pub key: Option<&'static str>,
    /// What is wrong, as a sentence fragment.
    pub problem: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.key {
            Some(key) => write!(f, "{}: key \"{key}\" {}", self.file, self.problem),
            None => write!(f, "{}: {}", self.file, self.problem),
        }
    }
}

impl std::error::Error for ConfigError {}

/// The file as written. Every field is optional here so that a missing key gets a message naming it, rather than
/// serde's generic "missing field" text. Values of the wrong JSON type are reported per key the same way.
#[derive(Deserialize)]
struct RawConfig {
    app_id: Option<serde_json::Value>,
    auth_url: Option<serde_json::Value>,
    api_url: Option<serde_json::Value>,
    elements_url: Option<serde_json::Value>,
    locales_url: Option<serde_json::Value>,
    app_name: Option<serde_json::Value>,
    logo_url: Option<serde_json::Value>,
    primary_color: Option<serde_json::Value>,
    theme: Option<serde_json::Value>,
}

/// The keys the file must hold, and those it may hold, for the error page.
pub const REQUIRED_KEYS: &[&str] = &["app_id", "auth_url", "api_url"];
pub const OPTIONAL_KEYS: &[&str] = &["elements_url", "locales_url", "app_name", "logo_url", "primary_color", "theme"];

/// Parses and validates `config.json`.
///
/// `file` names the file in error messages; `document_base` is the document's base URL (e.g.
/// `https://example.com/sub/`), against which a relative `elements_url` (and the default) is resolved.
pub fn parse_config(text: &str, file: &str, document_base: &str) -> Result<AppConfig, ConfigError> {
    let whole_file = |problem: String| ConfigError { file: file.to_owned(), key: None, problem };
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| whole_file(format!("is not valid JSON ({e})")))?;
    if !value.is_object() {
        return Err(whole_file("must be a JSON object like {\"app_id\": \"...\", ...}".to_owned()));
    }
    let raw: RawConfig = serde_json::from_value(value).map_err(|e| whole_file(e.to_string()))?;
    let key_error = |key: &'static str, problem: String| ConfigError { file: file.to_owned(), key: Some(key), problem };

    let app_id = required_string(raw.app_id, "app_id", &key_error)?;
    // The app id goes into URL paths (`/v1/apps/{app_id}/...`) and an attribute; refusing anything outside a
    // conservative alphabet keeps a typo from turning into a request to a different path.
    if !app_id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(key_error("app_id", format!("may contain only letters, digits, '-' and '_', got {app_id:?}")));
    }
    let auth_url = absolute_http_url(required_string(raw.auth_url, "auth_url", &key_error)?, "auth_url", &key_error)?;
    let api_url = absolute_http_url(required_string(raw.api_url, "api_url", &key_error)?, "api_url", &key_error)?;

    let elements_url = match optional_string(raw.elements_url, "elements_url", &key_error)? {
        Some(value) => value,
        None => DEFAULT_ELEMENTS_PATH.to_owned(),
    };
    let elements_url = resolve_against(document_base, &elements_url)
        .ok_or_else(|| key_error("elements_url", format!("must be a path or an http(s) URL, got {elements_url:?}")))?;
    let elements_url = absolute_http_url(elements_url, "elements_url", &key_error)?;

    let locales_url = match optional_string(raw.locales_url, "locales_url", &key_error)? {
        Some(value) => absolute_http_url(value, "locales_url", &key_error)?,
        None => format!("{auth_url}/locales"),
    };

    let branding = parse_branding(raw.app_name, raw.logo_url, raw.primary_color, raw.theme, document_base, &key_error)?;

    Ok(AppConfig { app_id, auth_url, api_url, elements_url, locales_url, branding })
}

fn parse_branding(
    app_name: Option<serde_json::Value>,
    logo_url: Option<serde_json::Value>,
    primary_color: Option<serde_json::Value>,
    theme: Option<serde_json::Value>,
    document_base: &str,
    key_error: &impl Fn(&'static str, String) -> ConfigError,
) -> Result<Branding, ConfigError> {
    let app_name = optional_string(app_name, "app_name", key_error)?;
    if let Some(name) = &app_name {
        branding::validate_app_name(name).map_err(|problem| key_error("app_name", problem))?;
    }
    let logo_url = optional_string(logo_url, "logo_url", key_error)?
        .map(|value| {
            image_url(&value, document_base).ok_or_else(|| {
                key_error("logo_url", format!("must be a relative path or an http:// or https:// URL, got {value:?}"))
            })
        })
        .transpose()?;
    let primary_color = optional_string(primary_color, "primary_color", key_error)?
        .map(|value| {
            Rgb::parse_hex(&value).ok_or_else(|| {
                key_error("primary_color", format!("must be a hex colour like \"#1a56db\" or \"#15d\", got {value:?}"))
            })
        })
        .transpose()?;
    let theme = match optional_string(theme, "theme", key_error)? {
        None => Theme::default(),
        Some(value) => Theme::parse(&value)
            .ok_or_else(|| key_error("theme", format!("must be \"light\", \"dark\" or \"auto\", got {value:?}")))?,
    };
    Ok(Branding { app_name, logo_url, primary_color, theme })
}

/// A logo's URL, absolute. Relative paths resolve against the document base; any scheme but http(s) is refused
/// (`javascript:` and `data:` URLs in an `<img src>` have no place in configuration). Unlike the API URLs, a query
/// string is fine here (cache busting), since nothing is appended.
fn image_url(value: &str, document_base: &str) -> Option<String> {
    let resolved = resolve_against(document_base, value)?;
    let lower = resolved.to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let bad_char = |c: char| c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>' | '\\' | '`');
    (!host.is_empty() && !host.starts_with(':') && !resolved.chars().any(bad_char)).then_some(resolved)
}

fn required_string(
    value: Option<serde_json::Value>,
    key: &'static str,
    key_error: &impl Fn(&'static str, String) -> ConfigError,
) -> Result<String, ConfigError> {
    match optional_string(value, key, key_error)? {
        Some(text) => Ok(text),
        None => Err(key_error(key, "is missing".to_owned())),
    }
}

/// `None` for an absent key or `null`; an error for a non-string or an empty string.
fn optional_string(
    value: Option<serde_json::Value>,
    key: &'static str,
    key_error: &impl Fn(&'static str, String) -> ConfigError,
) -> Result<Option<String>, ConfigError> {
    match value {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(text)) => {
            let text = text.trim();
            if text.is_empty() {
                Err(key_error(key, "must not be empty".to_owned()))
            } else {
                Ok(Some(text.to_owned()))
            }
        }
        Some(other) => Err(key_error(key, format!("must be a string, got {other}"))),
    }
}

/// Accepts only `http://` or `https://` URLs with a host: the values end up in `fetch` calls and a `<script src>`,
/// and a `javascript:` or `data:` value there would be script injection by configuration. Trailing slashes are
/// removed so paths can be appended with `format!("{url}/...")`.
fn absolute_http_url(
    value: String,
    key: &'static str,
    key_error: &impl Fn(&'static str, String) -> ConfigError,
) -> Result<String, ConfigError> {
    let refuse = || key_error(key, format!("must be an absolute http:// or https:// URL, got {value:?}"));
    let lower = value.to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://")).ok_or_else(refuse)?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    // Query strings and fragments would break path appending; whitespace and quotes have no place in a URL.
    let bad_char = |c: char| c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>' | '\\' | '`');
    if host.is_empty() || host.starts_with(':') || rest.contains(['?', '#']) || value.chars().any(bad_char) {
        return Err(refuse());
    }
    Ok(value.trim_end_matches('/').to_owned())
}

/// Resolves `reference` against `base` for the three forms a config file would use: an absolute URL (returned as
/// is), a root-relative path (`/x`) and a relative path (`x` or `./x`). `None` for anything else (e.g. `//host`,
/// `../` climbing above the origin) or when `base` is not an http(s) URL.
pub fn resolve_against(base: &str, reference: &str) -> Option<String> {
    let lower = reference.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return Some(reference.to_owned());
    }
    if reference.starts_with("//") || reference.contains(':') {
        return None;
    }
    let scheme_end = base.find("://")? + 3;
    let path_start = base[scheme_end..].find('/').map_or(base.len(), |i| scheme_end + i);
    let origin = &base[..path_start];
    // The base's own query or fragment never takes part in resolution.
    let base_path = base[path_start..].split(['?', '#']).next().unwrap_or_default();
    let directory = match base_path.rfind('/') {
        Some(i) => &base_path[..=i],
        None => "/",
    };
    let joined = if reference.starts_with('/') { reference.to_owned() } else { format!("{directory}{reference}") };
    let mut segments: Vec<&str> = Vec::new();
    let ends_with_slash = joined.ends_with('/');
    for segment in joined.split('/').filter(|s| !s.is_empty()) {
        match segment {
            "." => {}
            ".." => {
                segments.pop()?;
            }
            other => segments.push(other),
        }
    }
    let mut path = format!("/{}", segments.join("/"));
    if ends_with_slash && path.len() > 1 {
        path.push('/');
    }
    Some(format!("{origin}{path}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "http://localhost:8080/";

    fn parse(text: &str) -> Result<AppConfig, ConfigError> {
        parse_config(text, "config.json", BASE)
    }

    #[test]
    fn dev_defaults_fill_the_optional_keys() {
        let config =
            parse(r#"{"app_id":"dev-app","auth_url":"http://localhost:8081/","api_url":"http://localhost:8082"}"#)
                .unwrap();
        assert_eq!(
            config,
            AppConfig {
                app_id: "dev-app".into(),
                auth_url: "http://localhost:8081".into(),
                api_url: "http://localhost:8082".into(),
                elements_url: "http://localhost:8080/vendor/passage-elements".into(),
                locales_url: "http://localhost:8081/locales".into(),
                branding: Branding::default(),
            }
        );
    }

    const MINIMAL: &str = r#""app_id":"a","auth_url":"https://auth.example.com","api_url":"https://api.example.com""#;

    fn parse_with(extra: &str) -> Result<AppConfig, ConfigError> {
        parse_config(&format!("{{{MINIMAL},{extra}}}"), "config.json", "https://example.com/sub/")
    }

    #[test]
    fn branding_keys_are_parsed() {
        let config = parse_with(
            r##""app_name":" Acme Rockets ","logo_url":"img/logo.svg","primary_color":"#C2410C","theme":"dark""##,
        )
        .unwrap();
        assert_eq!(
            config.branding,
            Branding {
                app_name: Some("Acme Rockets".into()),
                logo_url: Some("https://example.com/sub/img/logo.svg".into()),
                primary_color: Some(Rgb(0xc2, 0x41, 0x0c)),
                theme: Theme::Dark,
            }
        );
        let config = parse_with(r#""logo_url":"https://cdn.example.com/logo.png?v=2","theme":"auto""#).unwrap();
        assert_eq!(config.branding.logo_url.as_deref(), Some("https://cdn.example.com/logo.png?v=2"));
        assert_eq!(config.branding.theme, Theme::Auto);
        let config = parse_with(r#""theme":null"#).unwrap();
        assert_eq!(config.branding, Branding::default());
    }

    #[test]
    fn bad_branding_keys_are_named() {
        let cases: &[(&str, &str, &str)] = &[
            (r#""app_name":"""#, "app_name", "must not be empty"),
            (r#""app_name":7"#, "app_name", "must be a string"),
            (r#""app_name":"a\u0007b""#, "app_name", "control characters"),
            (r#""logo_url":"javascript:alert(1)""#, "logo_url", "relative path or an http"),
            (r#""logo_url":"data:image/svg+xml,<svg onload=alert(1)>""#, "logo_url", "relative path or an http"),
            (r#""logo_url":"//evil.example/x.png""#, "logo_url", "relative path or an http"),
            (r#""logo_url":"ftp://a/x.png""#, "logo_url", "relative path or an http"),
            (r#""primary_color":"red""#, "primary_color", "hex colour"),
            (r##""primary_color":"#fff;}body{display:none""##, "primary_color", "hex colour"),
            (r#""primary_color":"rgb(1,2,3)""#, "primary_color", "hex colour"),
            (r#""primary_color":255"#, "primary_color", "must be a string"),
            (r#""theme":"Dark""#, "theme", "\"light\", \"dark\" or \"auto\""),
            (r#""theme":true"#, "theme", "must be a string"),
        ];
        for (extra, key, problem) in cases {
            let err = parse_with(extra).unwrap_err();
            assert_eq!(err.key, Some(*key), "{extra}");
            assert!(err.to_string().contains(&format!("key \"{key}\"")), "{err}");
            assert!(err.problem.contains(problem), "{extra}: {err}");
        }
    }

    #[test]
    fn the_committed_config_file_is_valid() {
        let config = parse(include_str!("../config.json")).unwrap();
        assert_eq!(config.app_id, "dev-app");
        assert_eq!(config.auth_url, "http://localhost:8081");
        assert_eq!(config.api_url, "http://localhost:8082");
    }

    #[test]
    fn elements_default_follows_a_sub_path_base() {
        let text = r#"{"app_id":"a","auth_url":"https://auth.example.com","api_url":"https://api.example.com"}"#;
        let config = parse_config(text, "config.json", "https://example.com/sub/dashboard?x=1").unwrap();
        assert_eq!(config.elements_url, "https://example.com/sub/vendor/passage-elements");
    }

    #[test]
    fn explicit_optional_keys_are_used() {
        let text = r#"{"app_id":"a","auth_url":"https://auth.example.com","api_url":"https://api.example.com",
            "elements_url":"/static/elements/","locales_url":"https://cdn.example.com/locales/"}"#;
        let config = parse_config(text, "config.json", "https://example.com/sub/").unwrap();
        assert_eq!(config.elements_url, "https://example.com/static/elements");
        assert_eq!(config.locales_url, "https://cdn.example.com/locales");
    }

    #[test]
    fn missing_keys_are_named() {
        let err = parse(r#"{"auth_url":"http://a","api_url":"http://b"}"#).unwrap_err();
        assert_eq!(err.key, Some("app_id"));
        assert_eq!(err.to_string(), "config.json: key \"app_id\" is missing");
        let err = parse(r#"{"app_id":"x","api_url":"http://b"}"#).unwrap_err();
        assert_eq!(err.key, Some("auth_url"));
        let err = parse(r#"{"app_id":"x","auth_url":"http://b","api_url":null}"#).unwrap_err();
        assert_eq!(err.key, Some("api_url"));
    }

    #[test]
    fn empty_and_wrongly_typed_values_are_named() {
        let err = parse(r#"{"app_id":"  ","auth_url":"http://a","api_url":"http://b"}"#).unwrap_err();
        assert_eq!((err.key, err.problem.as_str()), (Some("app_id"), "must not be empty"));
        let err = parse(r#"{"app_id":42,"auth_url":"http://a","api_url":"http://b"}"#).unwrap_err();
        assert_eq!(err.key, Some("app_id"));
        assert!(err.problem.contains("must be a string"), "{err}");
        let err = parse(r#"{"app_id":"a/../b","auth_url":"http://a","api_url":"http://b"}"#).unwrap_err();
        assert_eq!(err.key, Some("app_id"));
    }

    #[test]
    fn non_http_urls_are_refused() {
        for bad in [
            "ftp://a",
            "javascript:alert(1)",
            "localhost:8081",
            "http://",
            "https://:80",
            "http://a b",
            "http://a?x=1",
            "data:text/plain,x",
        ] {
            let text = format!(r#"{{"app_id":"a","auth_url":{bad:?},"api_url":"http://b"}}"#);
            let err = parse(&text).unwrap_err();
            assert_eq!(err.key, Some("auth_url"), "{bad}");
            assert!(err.to_string().contains("http:// or https://"), "{err}");
        }
        let text = r#"{"app_id":"a","auth_url":"http://a","api_url":"http://b","elements_url":"javascript:x"}"#;
        assert_eq!(parse(text).unwrap_err().key, Some("elements_url"));
        let text = r#"{"app_id":"a","auth_url":"http://a","api_url":"http://b","locales_url":"/locales"}"#;
        assert_eq!(parse(text).unwrap_err().key, Some("locales_url"));
    }

    #[test]
    fn broken_files_are_reported_as_a_whole() {
        let err = parse("{not json").unwrap_err();
        assert_eq!(err.key, None);
        assert!(err.to_string().starts_with("config.json: is not valid JSON"), "{err}");
        assert_eq!(parse("[1,2]").unwrap_err().key, None);
        assert_eq!(parse("").unwrap_err().key, None);
    }

    #[test]
    fn resolves_relative_references() {
        assert_eq!(resolve_against("http://h:1/a/b", "c").as_deref(), Some("http://h:1/a/c"));
        assert_eq!(resolve_against("http://h:1/a/b/", "./c/").as_deref(), Some("http://h:1/a/b/c/"));
        assert_eq!(resolve_against("http://h:1/a/b/", "../c").as_deref(), Some("http://h:1/a/c"));
        assert_eq!(resolve_against("http://h", "c").as_deref(), Some("http://h/c"));
        assert_eq!(resolve_against("http://h/a/", "/c").as_deref(), Some("http://h/c"));
        assert_eq!(resolve_against("http://h/", "https://x/y").as_deref(), Some("https://x/y"));
        assert_eq!(resolve_against("http://h/", "../../x"), None);
        assert_eq!(resolve_against("http://h/", "//evil.example/x"), None);
        assert_eq!(resolve_against("about:blank", "x"), None);
    }
}
