//! `GET /locales/v2/{lang}.json`: the elements' UI text (spec §6.4). Only English is shipped; any other file,
//! including `en-us.json`, is a 404 so the element falls back to `en`. That 404 is plain text, never JSON: the
//! element does `fetch(url).then(r => r.json())` without checking the status, so a JSON error body would be
//! installed as that locale's messages.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// The English messages, a flat JSON object (one key per Appendix A entry).
pub const EN_JSON: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/locales/en.json"));

pub async fn get_locale(Path(file): Path<String>) -> Response {
    match file.as_str() {
        "en.json" => ([(header::CONTENT_TYPE, "application/json; charset=utf-8")], EN_JSON).into_response(),
        _ => (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "No such locale.")
            .into_response(),
    }
}
