//! Loading `config.json` through the browser's fetch (good and bad files served as `data:` URLs, and a 404).
#![cfg(target_arch = "wasm32")]

use leptos_passage::config_loader::load_config_from;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const BASE: &str = "https://app.example.com/sub/";

fn data_url(json: &str) -> String {
    format!("data:application/json,{}", String::from(js_sys::encode_uri_component(json)))
}

#[wasm_bindgen_test]
async fn a_good_file_loads() {
    let url = data_url(r#"{"app_id":"dev-app","auth_url":"http://localhost:8081","api_url":"http://localhost:8082"}"#);
    let config = load_config_from(&url, BASE).await.unwrap();
    assert_eq!(config.app_id, "dev-app");
    assert_eq!(config.elements_url, "https://app.example.com/sub/vendor/passage-elements");
    assert_eq!(config.locales_url, "http://localhost:8081/locales");
}

#[wasm_bindgen_test]
async fn a_bad_key_is_named() {
    let url = data_url(r#"{"app_id":"dev-app","auth_url":"javascript:alert(1)","api_url":"http://localhost:8082"}"#);
    let error = load_config_from(&url, BASE).await.unwrap_err();
    assert_eq!(error.key, Some("auth_url"));
    assert_eq!(error.file, url);
    assert!(error.to_string().contains("key \"auth_url\""), "{error}");

    let url = data_url(r#"{"auth_url":"http://a","api_url":"http://b"}"#);
    assert_eq!(load_config_from(&url, BASE).await.unwrap_err().key, Some("app_id"));
}

#[wasm_bindgen_test]
async fn a_broken_file_is_reported() {
    let error = load_config_from(&data_url("{\"app_id\": "), BASE).await.unwrap_err();
    assert_eq!(error.key, None);
    assert!(error.problem.starts_with("is not valid JSON"), "{error}");
}

#[wasm_bindgen_test]
async fn a_missing_file_is_reported() {
    let origin = web_sys::window().unwrap().location().origin().unwrap();
    let url = format!("{origin}/no-such-dir/config.json");
    let error = load_config_from(&url, BASE).await.unwrap_err();
    assert_eq!(error.key, None);
    assert!(error.to_string().contains("could not be fetched (HTTP status 404)"), "{error}");
    assert!(error.to_string().starts_with(&url), "names the file: {error}");
}

#[wasm_bindgen_test]
async fn an_html_page_instead_of_the_file_is_reported_as_missing() {
    // What a static host with an SPA fallback serves for a missing config.json.
    let url = format!("data:text/html,{}", String::from(js_sys::encode_uri_component("<!doctype html><p>app</p>")));
    let error = load_config_from(&url, BASE).await.unwrap_err();
    assert_eq!(error.key, None);
    assert!(error.problem.starts_with("was not found"), "{error}");
}
