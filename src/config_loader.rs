//! Fetching `config.json` at start (the DOM side of [`crate::config`]).

use gloo_net::http::Request;
use web_sys::RequestCache;

use crate::config::{self, AppConfig, ConfigError};

/// Loads `config.json` from beside `index.html` (resolved against the document base, so a sub-path deploy reads
/// its own file).
pub async fn load_config() -> Result<AppConfig, ConfigError> {
    let base = crate::browser::document_base();
    let url = config::resolve_against(&base, config::CONFIG_FILE).unwrap_or_else(|| config::CONFIG_FILE.to_owned());
    load_config_from(&url, &base).await
}

/// Loads and validates the configuration at `url`; errors name `url` as the file.
pub async fn load_config_from(url: &str, document_base: &str) -> Result<AppConfig, ConfigError> {
    let file_error = |problem: String| ConfigError { file: url.to_owned(), key: None, problem };
    // `no-cache` revalidates: an operator who edits config.json sees the change on the next load, while an
    // unchanged file still costs only a 304.
    let response = Request::get(url)
        .cache(RequestCache::NoCache)
        .send()
        .await
        .map_err(|e| file_error(format!("could not be fetched ({e})")))?;
    if !response.ok() {
        return Err(file_error(format!("could not be fetched (HTTP status {})", response.status())));
    }
    // A static host with an SPA fallback answers a missing file with index.html (status 200); say so instead of
    // reporting an HTML parse error.
    let content_type = response.headers().get("content-type").unwrap_or_default();
    if content_type.trim_start().to_ascii_lowercase().starts_with("text/html") {
        return Err(file_error(
            "was not found: the server sent an HTML page instead (deploy config.json beside index.html)".to_owned(),
        ));
    }
    let text = response.text().await.map_err(|e| file_error(format!("could not be read ({e})")))?;
    config::parse_config(&text, url, document_base)
}
