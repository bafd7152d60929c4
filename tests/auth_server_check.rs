//! The invalid-app notice check against a fixture element, in headless Chromium: nothing is probed or shown until
//! the element shows its `[data-testid="invalid-app-id"]` notice; then the page names the auth server (or the app
//! id) according to what the server really answers.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use leptos_passage::auth_server_check::{invalid_app_notice_shown, use_auth_server_problem};
use leptos_passage::browser::{next_animation_frame, sleep_ms};
use leptos_passage::config::AppConfig;
use wasm_bindgen::JsCast as _;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

mod common;
use common::{define_fixture, show_view};

const TAG: &str = "fixture-auth-check";

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn config(auth_url: &str) -> AppConfig {
    AppConfig {
        app_id: "dev-app".into(),
        auth_url: auth_url.into(),
        api_url: "http://127.0.0.1:1".into(),
        elements_url: "http://127.0.0.1:1/unused".into(),
        locales_url: "http://127.0.0.1:1/locales".into(),
        branding: Default::default(),
    }
}

/// A connected fixture element on its e-mail view.
fn fixture() -> web_sys::Element {
    define_fixture(TAG);
    let element = document().create_element(TAG).unwrap();
    document().body().unwrap().append_child(&element).unwrap();
    element
}

/// Makes the fixture render what the element renders when E1 fails: only the notice, with its bare i18n key.
fn show_invalid_app_notice(host: &web_sys::Element, inside_email_view: bool) {
    let root = host.shadow_root().unwrap();
    let notice = document().create_element("div").unwrap();
    notice.set_attribute("class", "notification has-error has-text-centered").unwrap();
    notice.set_attribute("data-testid", "invalid-app-id").unwrap();
    notice.set_text_content(Some("invalid-app-id"));
    let parent = if inside_email_view {
        root.query_selector(".view-email-input").unwrap().unwrap()
    } else {
        root.query_selector(".container").unwrap().unwrap()
    };
    if inside_email_view {
        parent.append_child(&notice).unwrap();
    } else {
        parent.replace_children_with_node_1(&notice);
    }
}

/// Mounts a component using the hook; returns the handle (drop = unmount) and the paragraph showing its message.
fn mount_problem(host: &web_sys::Element, config: AppConfig) -> (impl Sized, web_sys::HtmlElement) {
    let parent: web_sys::HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&parent).unwrap();
    let host = host.clone();
    let handle = leptos::mount::mount_to(parent.clone(), move || {
        let problem = use_auth_server_problem(host, config);
        view! { <p class="problem">{move || problem.get().map(|message| leptos_passage::i18n::tr(&message))}</p> }
    });
    let paragraph = parent.query_selector(".problem").unwrap().unwrap().unchecked_into();
    (handle, paragraph)
}

async fn text_within(paragraph: &web_sys::HtmlElement, ms: u32) -> String {
    for _ in 0..ms / 50 {
        let text = paragraph.text_content().unwrap_or_default();
        if !text.is_empty() {
            return text;
        }
        sleep_ms(50).await;
    }
    String::new()
}

#[wasm_bindgen_test]
async fn an_unreachable_server_is_named_once_the_notice_appears() {
    let host = fixture();
    // Port 1: nothing listens there, so the probe's connection is refused.
    let (_mounted, paragraph) = mount_problem(&host, config("http://127.0.0.1:1"));
    assert_eq!(text_within(&paragraph, 500).await, "", "the e-mail view is a healthy element: no message");

    show_invalid_app_notice(&host, false);
    let text = text_within(&paragraph, 10_000).await;
    assert!(text.starts_with("We can't reach the sign-in service at http://127.0.0.1:1."), "got {text:?}");
    host.remove();
}

#[wasm_bindgen_test]
async fn a_notice_already_there_at_attach_is_noticed() {
    let host = fixture();
    show_view(&host, "unused");
    show_invalid_app_notice(&host, false);
    let (_mounted, paragraph) = mount_problem(&host, config("http://127.0.0.1:1"));
    let text = text_within(&paragraph, 10_000).await;
    assert!(text.contains("can't reach the sign-in service at http://127.0.0.1:1"), "got {text:?}");
    host.remove();
}

#[wasm_bindgen_test]
async fn an_unknown_app_id_is_named() {
    let host = fixture();
    // The test server itself: it answers `GET /v1/apps/dev-app` with 404, like an auth server without that app.
    let origin = web_sys::window().unwrap().location().origin().unwrap();
    let (_mounted, paragraph) = mount_problem(&host, config(&origin));
    show_invalid_app_notice(&host, false);
    let text = text_within(&paragraph, 10_000).await;
    assert!(text.contains(&format!("The sign-in service at {origin}")), "got {text:?}");
    assert!(text.contains("app ID (dev-app)"), "got {text:?}");
    host.remove();
}

#[wasm_bindgen_test]
async fn the_sign_up_notice_in_the_email_view_is_not_a_failure() {
    let host = fixture();
    next_animation_frame().await;
    show_invalid_app_notice(&host, true);
    assert!(!invalid_app_notice_shown(&host.shadow_root().unwrap()), "public sign-up notice sits in the e-mail view");
    let (_mounted, paragraph) = mount_problem(&host, config("http://127.0.0.1:1"));
    assert_eq!(text_within(&paragraph, 1_000).await, "");

    show_view(&host, "unused");
    show_invalid_app_notice(&host, false);
    assert!(invalid_app_notice_shown(&host.shadow_root().unwrap()));
    host.remove();
}
