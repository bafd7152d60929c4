//! `GET /locales/v2/{lang}.json`: the elements' UI text (spec §6.4). Which file answers which name is
//! [`crate::locales::for_file`]. Any other name is a 404 so the element falls back to the app's `default_language`.
//! That 404 is plain text, never JSON: the element does `fetch(url).then(r => r.json())` without checking the
//! status, so a JSON error body would be installed as that locale's messages.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::locales;

pub async fn get_locale(Path(file): Path<String>) -> Response {
    match file.strip_suffix(".json").and_then(locales::for_file) {
        // `Content-Language` names the text actually sent, e.g. `pt-BR` for `pt.json` and `zh-TW` for `zh-hk.json`.
        Some(locale) => (
            [(header::CONTENT_TYPE, "application/json; charset=utf-8"), (header::CONTENT_LANGUAGE, locale.tag)],
            locale.json,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "No such locale.")
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::Request;
    use axum::routing::get;
    use axum::Router;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    use super::*;
    use crate::locales::{ENGLISH, SHIPPED};

    struct Answer {
        status: StatusCode,
        content_type: String,
        content_language: Option<String>,
        body: String,
    }

    /// `GET /locales/v2/{file}` through the same route as `routes::router` (which needs an `AppState`).
    async fn fetch(file: &str) -> Answer {
        let router = Router::new().route("/locales/v2/{file}", get(get_locale));
        let request = Request::get(format!("/locales/v2/{file}")).body(Body::empty()).unwrap();
        let response = router.oneshot(request).await.unwrap();
        let header =
            |name| response.headers().get(name).map(|v: &axum::http::HeaderValue| v.to_str().unwrap().to_owned());
        let (status, content_type, content_language) =
            (response.status(), header(header::CONTENT_TYPE).unwrap_or_default(), header(header::CONTENT_LANGUAGE));
        let body = String::from_utf8(response.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
        Answer { status, content_type, content_language, body }
    }

    /// The files the element requests for a page tag, in order (es.js `fetchLocale` / `fetchLocaleJson`).
    fn element_requests(tag: &str) -> Vec<String> {
        let language = tag.split('-').next().unwrap();
        let mut files = vec![format!("{}.json", language.to_lowercase())];
        if tag.contains('-') {
            files.push(format!("{}.json", tag.to_lowercase()));
        }
        files
    }

    /// What the page shows for a browser tag: vue-i18n installs each JSON answer under the name as written and
    /// looks a key up along `tag` → `language` → `default_language` (es.js `fallbackWithLocaleChain`). Returns
    /// the `Content-Language` of the first file on that chain that was served.
    async fn rendered_language(tag: &str, default_language: &str) -> String {
        let language = tag.split('-').next().unwrap();
        let requested = element_requests(tag);
        let mut installed = std::collections::HashMap::new();
        for (name, file) in [language, tag].into_iter().zip(&requested) {
            let answer = fetch(file).await;
            if serde_json::from_str::<serde_json::Value>(&answer.body).is_ok() {
                installed.insert(name.to_owned(), answer.content_language.unwrap());
            }
        }
        let default = fetch(&format!("{default_language}.json")).await;
        installed.entry(default_language.to_owned()).or_insert_with(|| default.content_language.unwrap());
        [tag, language, default_language].iter().find_map(|name| installed.get(*name)).unwrap().clone()
    }

    #[tokio::test]
    async fn every_shipped_file_is_served_as_json_with_its_language() {
        for locale in SHIPPED {
            let answer = fetch(&format!("{}.json", locale.file)).await;
            assert_eq!(answer.status, StatusCode::OK, "{}", locale.file);
            assert_eq!(answer.content_type, "application/json; charset=utf-8");
            assert_eq!(answer.content_language.as_deref(), Some(locale.tag));
            assert_eq!(answer.body, locale.json);
        }
    }

    #[tokio::test]
    async fn every_request_the_element_makes_for_a_shipped_language_succeeds() {
        // The browser tags of our languages; no failed request, so no console error.
        for (tag, expected) in [
            ("en-US", ["en", "en"]),
            ("es-ES", ["es", "es"]),
            ("fr-FR", ["fr", "fr"]),
            ("de-DE", ["de", "de"]),
            ("pt-BR", ["pt-BR", "pt-BR"]),
            ("pt-PT", ["pt-BR", "pt-BR"]),
            ("it-IT", ["it", "it"]),
            ("nl-NL", ["nl", "nl"]),
            ("pl-PL", ["pl", "pl"]),
            ("ja-JP", ["ja", "ja"]),
            ("zh-CN", ["zh-CN", "zh-CN"]),
            ("ko-KR", ["ko", "ko"]),
            ("ar-EG", ["ar", "ar"]),
            ("zh-TW", ["zh-CN", "zh-TW"]),
            ("zh-HK", ["zh-CN", "zh-TW"]),
        ] {
            let files = element_requests(tag);
            assert_eq!(files.len(), 2);
            for (file, expected) in files.iter().zip(expected) {
                let answer = fetch(file).await;
                assert_eq!(answer.status, StatusCode::OK, "{tag}: {file}");
                assert_eq!(answer.content_language.as_deref(), Some(expected), "{tag}: {file}");
            }
        }
    }

    #[tokio::test]
    async fn the_page_shows_the_best_language_we_have() {
        assert_eq!(rendered_language("pt-BR", "en").await, "pt-BR");
        assert_eq!(rendered_language("pt", "en").await, "pt-BR");
        assert_eq!(rendered_language("zh-CN", "en").await, "zh-CN");
        assert_eq!(rendered_language("fr-CA", "en").await, "fr");
        assert_eq!(rendered_language("ar", "de").await, "ar");
        // Not Simplified for a Traditional Chinese reader, whatever the app's default.
        for tag in ["zh-TW", "zh-HK", "zh-MO", "zh-Hant-TW"] {
            assert_eq!(rendered_language(tag, "en").await, "zh-TW", "{tag}");
            assert_eq!(rendered_language(tag, "de").await, "zh-TW", "{tag}");
        }
        // An unshipped language falls back to the app's default, as with Passage.
        assert_eq!(rendered_language("sv-SE", "de").await, "de");
        assert_eq!(rendered_language("sv", "en").await, "en");
    }

    #[tokio::test]
    async fn unknown_names_are_a_plain_text_404() {
        for file in ["sv.json", "sv-se.json", "en", "en-.json", "en-US.json", "eng.json", "zh-latn.json", "en.json.gz"]
        {
            let answer = fetch(file).await;
            assert_eq!(answer.status, StatusCode::NOT_FOUND, "{file}");
            assert_eq!(answer.content_type, "text/plain; charset=utf-8", "{file}");
            assert!(serde_json::from_str::<serde_json::Value>(&answer.body).is_err(), "{file}: must not parse as JSON");
        }
        assert_eq!(fetch("en-gb.json").await.body, ENGLISH.json);
    }
}
