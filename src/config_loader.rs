//! Fetching `config.json` at start (the DOM side of [`crate::config`]).

use gloo_net::http::{Request, Response};
use wasm_bindgen::JsCast as _;
use wasm_bindgen_futures::JsFuture;
use web_sys::RequestCache;

use crate::config::{self, AppConfig, ConfigError};

/// The global under which the built page's preloader leaves its own request for `config.json` (a promise of the
/// `Response`), made on `/register` for the element it creates before the wasm runs (`xtask/src/preload.rs`).
const PRELOADER_REQUEST: &str = "psgConfigResponse";

/// Loads `config.json` from beside `index.html` (resolved against the document base, so a sub-path deploy reads
/// its own file), taking the preloader's response when it made the request already.
pub async fn load_config() -> Result<AppConfig, ConfigError> {
    let base = crate::browser::document_base();
    let url = config::resolve_against(&base, config::CONFIG_FILE).unwrap_or_else(|| config::CONFIG_FILE.to_owned());
    match take_preloader_request() {
        Some(response) => load_config_from_response(response, &url, &base).await,
        None => load_config_from(&url, &base).await,
    }
}

/// The preloader's pending request, once: a later load (the tests load again) fetches afresh.
fn take_preloader_request() -> Option<js_sys::Promise> {
    let global = js_sys::global();
    let request = js_sys::Reflect::get(&global, &PRELOADER_REQUEST.into()).ok()?.dyn_into::<js_sys::Promise>().ok()?;
    let _ = js_sys::Reflect::delete_property(&global, &PRELOADER_REQUEST.into());
    Some(request)
}

/// Loads and validates the configuration at `url`; errors name `url` as the file.
pub async fn load_config_from(url: &str, document_base: &str) -> Result<AppConfig, ConfigError> {
    // `no-cache` revalidates: an operator who edits config.json sees the change on the next load, while an
    // unchanged file still costs only a 304.
    let response = Request::get(url).cache(RequestCache::NoCache).send().await.map_err(|e| e.to_string());
    read_config(response, url, document_base).await
}

/// [`load_config_from`] for the response the preloader's `fetch` promised (it read its own copy with `clone()`).
async fn load_config_from_response(
    response: js_sys::Promise,
    url: &str,
    document_base: &str,
) -> Result<AppConfig, ConfigError> {
    // A rejected `fetch` is a `TypeError` ("Failed to fetch"), as gloo reports it for its own requests.
    let response = JsFuture::from(response).await.map(|raw| Response::from(raw.unchecked_into::<web_sys::Response>()));
    let response = response.map_err(|e| match e.dyn_ref::<js_sys::Error>() {
        Some(error) => String::from(error.message()),
        None => format!("{e:?}"),
    });
    read_config(response, url, document_base).await
}

/// Checks and parses a fetched `config.json`; errors name `url` as the file.
async fn read_config(
    response: Result<Response, String>,
    url: &str,
    document_base: &str,
) -> Result<AppConfig, ConfigError> {
    let file_error = |problem: String| ConfigError { file: url.to_owned(), key: None, problem };
    let response = response.map_err(|e| file_error(format!("could not be fetched ({e})")))?;
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
