//! Branding from `config.json`: a branded file (loaded through the real loader) sets the document title, the
//! header's logo and name, `<html data-theme>`, the primary colour's custom properties and the element's `theme`
//! attribute; a bad branding key shows the configuration error page naming it.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use leptos_passage::app::ConfiguredApp;
use leptos_passage::config_loader::load_config_from;
use leptos_passage::pages::config_error::ConfigErrorPage;
use wasm_bindgen::JsCast as _;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

mod common;
use common::{define_fixture, find, until};

const BASE: &str = "https://app.example.com/sub/";

fn window() -> web_sys::Window {
    web_sys::window().unwrap()
}

fn document() -> web_sys::Document {
    window().document().unwrap()
}

fn data_url(json: &str) -> String {
    format!("data:application/json,{}", String::from(js_sys::encode_uri_component(json)))
}

fn root_property(name: &str) -> String {
    let root: web_sys::HtmlElement = document().document_element().unwrap().unchecked_into();
    root.style().get_property_value(name).unwrap()
}

fn mount(view: impl FnOnce() -> AnyView + 'static) -> (impl Sized, web_sys::HtmlElement) {
    let parent: web_sys::HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&parent).unwrap();
    let handle = leptos::mount::mount_to(parent.clone(), view);
    (handle, parent)
}

#[wasm_bindgen_test]
async fn a_branded_config_brands_the_page_and_the_element() {
    define_fixture("passage-login");
    define_fixture("passage-register");
    let url = data_url(
        r##"{"app_id":"dev-app","auth_url":"http://localhost:8081","api_url":"http://localhost:8082",
            "elements_url":"http://localhost:1/unused","app_name":"Acme <Rockets>","logo_url":"img/logo.svg",
            "primary_color":"#FFCC00","theme":"dark"}"##,
    );
    let config = load_config_from(&url, BASE).await.unwrap();
    window().history().unwrap().replace_state_with_url(&JsValue::NULL, "", Some("/login")).unwrap();
    let (mounted, parent) = mount(move || view! { <ConfiguredApp config /> }.into_any());

    until("the login element", || find(&parent, "passage-login").is_some()).await;
    assert_eq!(document().title(), "Acme <Rockets>");
    let logo = find(&parent, "header.site-header img.site-logo").expect("the logo");
    assert_eq!(logo.get_attribute("src").as_deref(), Some("https://app.example.com/sub/img/logo.svg"));
    assert_eq!(logo.get_attribute("alt").as_deref(), Some("Acme <Rockets>"));
    let name = find(&parent, "header.site-header .site-name").unwrap();
    assert_eq!(name.text_content().as_deref(), Some("Acme <Rockets>"), "the name is text, not markup");
    assert_eq!(name.get_attribute("aria-hidden").as_deref(), Some("true"), "the logo's alt already says it");

    let heading = find(&parent, "h1").unwrap().text_content().unwrap();
    assert_eq!(heading, "Sign in to Acme <Rockets>", "the heading names the app");

    let root = document().document_element().unwrap();
    assert_eq!(root.get_attribute("data-theme").as_deref(), Some("dark"));
    assert_eq!(root_property("--primary"), "#ffcc00");
    assert_eq!(root_property("--on-primary"), "#000000", "yellow takes black text");
    assert_eq!(root_property("--primary-text-light"), "", "yellow is unreadable as text on white");
    assert_eq!(root_property("--primary-text-dark"), "#ffcc00");
    let element = find(&parent, "passage-login").unwrap();
    assert_eq!(element.get_attribute("theme").as_deref(), Some("dark"));
    // The stylesheet is not loaded in this test page, so the computed value is the inline property itself.
    let computed = window().get_computed_style(&root).unwrap().unwrap();
    assert_eq!(computed.get_property_value("--primary").unwrap().trim(), "#ffcc00");

    drop(mounted);
    parent.remove();
    window().history().unwrap().replace_state_with_url(&JsValue::NULL, "", Some("/")).unwrap();
}

#[wasm_bindgen_test]
async fn an_unbranded_deployment_follows_the_system_theme_and_names_no_app() {
    define_fixture("passage-register");
    let url = data_url(
        r#"{"app_id":"dev-app","auth_url":"http://localhost:8081","api_url":"http://localhost:8082",
            "elements_url":"http://localhost:1/unused"}"#,
    );
    let config = load_config_from(&url, BASE).await.unwrap();
    window().history().unwrap().replace_state_with_url(&JsValue::NULL, "", Some("/register")).unwrap();
    let (mounted, parent) = mount(move || view! { <ConfiguredApp config /> }.into_any());

    until("the register element", || find(&parent, "passage-register").is_some()).await;
    let root = document().document_element().unwrap();
    assert_eq!(root.get_attribute("data-theme").as_deref(), Some("auto"), "auto is the default theme");
    let element = find(&parent, "passage-register").unwrap();
    assert_eq!(element.get_attribute("theme").as_deref(), Some("auto"));
    assert_eq!(find(&parent, "h1").unwrap().text_content().as_deref(), Some("Create your account"));
    assert!(find(&parent, "header.site-header").is_none(), "no header without a name or logo");

    drop(mounted);
    parent.remove();
    window().history().unwrap().replace_state_with_url(&JsValue::NULL, "", Some("/")).unwrap();
}

#[wasm_bindgen_test]
async fn a_bad_branding_key_shows_the_error_page_naming_it() {
    for (key, value) in [
        ("primary_color", r#""red; background: url(x)""#),
        ("logo_url", r#""javascript:alert(1)""#),
        ("theme", r#""sepia""#),
        ("app_name", "42"),
    ] {
        let url = data_url(&format!(
            r#"{{"app_id":"dev-app","auth_url":"http://localhost:8081","api_url":"http://localhost:8082","{key}":{value}}}"#
        ));
        let error = load_config_from(&url, BASE).await.unwrap_err();
        assert_eq!(error.key, Some(key));
        let (mounted, parent) = mount(move || view! { <ConfigErrorPage error /> }.into_any());
        let alert = find(&parent, "[role=alert]").expect("the error box");
        let text = alert.text_content().unwrap();
        assert!(text.contains(&format!("key \"{key}\"")), "{text}");
        assert!(text.contains(&format!("Key: {key}")), "{text}");
        let needs = find(&parent, "main > p").unwrap().text_content().unwrap();
        assert!(needs.contains("primary_color") && needs.contains("theme"), "the optional keys are listed: {needs}");
        drop(mounted);
        parent.remove();
    }
}
