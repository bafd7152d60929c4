//! Element loading: globals, one module script per element per page, waiting for the definition, and errors.
#![cfg(target_arch = "wasm32")]

use leptos_passage::config::AppConfig;
use leptos_passage::passage_elements::{load, PassageElement};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn config(elements_url: &str) -> AppConfig {
    AppConfig {
        app_id: "dev-app".into(),
        auth_url: "http://localhost:8081".into(),
        api_url: "http://localhost:8082".into(),
        elements_url: elements_url.into(),
        locales_url: "http://localhost:8081/locales".into(),
        branding: Default::default(),
    }
}

fn global(name: &str) -> Option<String> {
    js_sys::Reflect::get(&js_sys::global(), &name.into()).ok()?.as_string()
}

fn scripts_for(tag: &str) -> u32 {
    let document = web_sys::window().unwrap().document().unwrap();
    document.query_selector_all(&format!("script[data-passage-element='{tag}']")).unwrap().length()
}

#[wasm_bindgen_test]
async fn loads_a_module_once_and_waits_for_the_definition() {
    // A module that defines the tag. `module_url` appends `/passage-register.js`, which lands in the comment.
    let module = "data:text/javascript,customElements.define('passage-register',class extends HTMLElement{})//";
    let config = config(module);
    load(&config, PassageElement::Register).await.unwrap();
    assert!(!web_sys::window().unwrap().custom_elements().get("passage-register").is_undefined());
    assert_eq!(global("PASSAGE_AUTH_ORIGIN").as_deref(), Some("http://localhost:8081"));
    assert_eq!(global("PASSAGE_LOCALES_URL").as_deref(), Some("http://localhost:8081/locales"));
    assert_eq!(global("PASSAGE_ELEMENTS_URL").as_deref(), Some(module), "where the vendored stylesheet is");

    load(&config, PassageElement::Register).await.unwrap();
    assert_eq!(scripts_for("passage-register"), 1, "one script per element per page load");
    assert_eq!(scripts_for("passage-login"), 0, "the other element is not downloaded");
}

#[wasm_bindgen_test]
async fn a_missing_module_is_an_error_not_a_hang() {
    let origin = web_sys::window().unwrap().location().origin().unwrap();
    let config = config(&format!("{origin}/no-such-elements"));
    let error = load(&config, PassageElement::Login).await.unwrap_err();
    assert_eq!(error.url, format!("{origin}/no-such-elements/passage-login.js"));
    assert_eq!(error.reason, "the script failed to load");
    assert!(error.to_string().contains("cargo xtask vendor"), "{error}");
    // Asking again reuses the settled load instead of injecting another script.
    assert!(load(&config, PassageElement::Login).await.is_err());
    assert_eq!(scripts_for("passage-login"), 1);
}
