//! The routes with fixtures standing in for both Passage elements: `/` → `/login`, the footer links between the
//! pages (the register page tears down its element and observer on the way), and the not-found page (whose link
//! ignores the deep path: without a `<base>` element the app's base is the site root).
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use leptos_passage::app::ConfiguredApp;
use leptos_passage::browser::next_animation_frame;
use leptos_passage::config::AppConfig;
use leptos_passage::email_view::live_observer_count;
use wasm_bindgen::JsCast as _;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

mod common;
use common::{define_fixture, find, until};

fn window() -> web_sys::Window {
    web_sys::window().unwrap()
}

fn config() -> AppConfig {
    AppConfig {
        app_id: "dev-app".into(),
        auth_url: "http://localhost:8081".into(),
        api_url: "http://localhost:8082".into(),
        elements_url: "http://localhost:1/unused".into(),
        locales_url: "http://localhost:8081/locales".into(),
        branding: Default::default(),
    }
}

fn path() -> String {
    window().location().pathname().unwrap()
}

fn mount_app_at(start: &str) -> (impl Sized, web_sys::HtmlElement) {
    define_fixture("passage-register");
    define_fixture("passage-login");
    window().history().unwrap().replace_state_with_url(&JsValue::NULL, "", Some(start)).unwrap();
    let document = window().document().unwrap();
    let parent: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&parent).unwrap();
    let config = config();
    let handle = leptos::mount::mount_to(parent.clone(), move || view! { <ConfiguredApp config /> });
    (handle, parent)
}

#[wasm_bindgen_test]
async fn routes_links_and_not_found() {
    let before = live_observer_count();
    let (mounted, parent) = mount_app_at("/");
    until("/ redirects to /login", || path() == "/login" && find(&parent, "passage-login").is_some()).await;

    find(&parent, ".switch-page a").unwrap().click();
    until("register page", || path() == "/register" && find(&parent, "passage-register").is_some()).await;
    until("name field shown", || find(&parent, ".name-step").is_some_and(|e| !e.hidden())).await;
    assert_eq!(live_observer_count(), before + 1);
    assert!(find(&parent, "passage-login").is_none(), "only the current route's element is on the page");

    // Back to login: the register element is torn down (and clears its shadow root a tick later, as Vue does)
    // while the page's observer and signals go away.
    find(&parent, ".switch-page a").unwrap().click();
    until("login page again", || path() == "/login" && find(&parent, "passage-login").is_some()).await;
    for _ in 0..3 {
        next_animation_frame().await;
    }
    assert_eq!(live_observer_count(), before, "leaving /register disconnects its observer");

    // And once more, so a stale observer or a panic from the first visit would show.
    find(&parent, ".switch-page a").unwrap().click();
    until("register page again", || find(&parent, ".name-step").is_some_and(|e| !e.hidden())).await;
    assert_eq!(live_observer_count(), before + 1);
    drop(mounted);
    parent.remove();

    // One test, not two: every mounted router listens to link clicks and history on the same window, so two
    // apps alive at once (tests may interleave at await points) would steer each other.
    let (_mounted, parent) = mount_app_at("/no/such/page");
    until("not-found page", || find(&parent, "h1").is_some_and(|h| h.text_content().unwrap() == "Page not found"))
        .await;
    assert_eq!(find(&parent, "main a").unwrap().get_attribute("href").as_deref(), Some("/login"));
    parent.remove();
    window().history().unwrap().replace_state_with_url(&JsValue::NULL, "", Some("/")).unwrap();
}
