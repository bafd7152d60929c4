//! `GET /locales/v2/{lang}.json`: the elements' UI text (spec §6.4). Only English is shipped. The elements ask for
//! the browser's language and then its language-region (`en.json`, then `en-us.json`): a region of a shipped
//! language gets that language's file, so an English browser's page has no failed request in its console. Any
//! other file is a 404 so the element falls back to the app's `default_language`. That 404 is plain text, never
//! JSON: the element does `fetch(url).then(r => r.json())` without checking the status, so a JSON error body would
//! be installed as that locale's messages.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// The English messages, a flat JSON object (one key per Appendix A entry).
pub const EN_JSON: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/locales/en.json"));

pub async fn get_locale(Path(file): Path<String>) -> Response {
    match file.strip_suffix(".json").and_then(shipped_language) {
        Some("en") => ([(header::CONTENT_TYPE, "application/json; charset=utf-8")], EN_JSON).into_response(),
        _ => (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "No such locale.")
            .into_response(),
    }
}

/// The shipped language a BCP 47 tag as the element writes it (lower case) asks for: `en` and `en-us`, `en-gb`,
/// `en-419` are English. A region is 2 letters or 3 digits (BCP 47 §2.2.4); anything else names no file.
fn shipped_language(tag: &str) -> Option<&'static str> {
    let (language, region) = match tag.split_once('-') {
        Some((language, region)) => (language, Some(region)),
        None => (tag, None),
    };
    let region_ok = region.is_none_or(|r| {
        (r.len() == 2 && r.bytes().all(|b| b.is_ascii_lowercase()))
            || (r.len() == 3 && r.bytes().all(|b| b.is_ascii_digit()))
    });
    (language == "en" && region_ok).then_some("en")
}
