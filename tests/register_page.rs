//! The register page with a fixture standing in for `<passage-register>`: the name field and footer follow the
//! element's view, and `beforeAuth` blocks an invalid name (explaining why) or records the pending profile.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use leptos_passage::browser::next_animation_frame;
use leptos_passage::config::AppConfig;
use leptos_passage::email_view::live_observer_count;
use leptos_passage::pages::register::RegisterPage;
use leptos_passage::profile_outbox::{PendingProfile, ProfileOutbox};
use leptos_router::components::Router;
use wasm_bindgen::JsCast as _;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

mod common;
use common::{call_before_auth, define_fixture, show_view, until};

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn config() -> AppConfig {
    AppConfig {
        app_id: "dev-app".into(),
        auth_url: "http://localhost:8081".into(),
        api_url: "http://localhost:8082".into(),
        // Never fetched: the fixture already defines the tag, so no module script is injected.
        elements_url: "http://localhost:1/unused".into(),
        locales_url: "http://localhost:8081/locales".into(),
        branding: Default::default(),
    }
}

fn html(parent: &web_sys::Element, selector: &str) -> web_sys::HtmlElement {
    parent.query_selector(selector).unwrap().unwrap_or_else(|| panic!("no {selector}")).unchecked_into()
}

#[wasm_bindgen_test]
async fn name_field_and_before_auth() {
    define_fixture("passage-register");
    ProfileOutbox::local().unwrap().clear();
    let before = live_observer_count();
    let parent: web_sys::HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&parent).unwrap();
    let mounted = leptos::mount::mount_to(parent.clone(), || {
        provide_context(config());
        view! { <Router><RegisterPage /></Router> }
    });

    until("the element is mounted", || parent.query_selector("passage-register").unwrap().is_some()).await;
    let element = parent.query_selector("passage-register").unwrap().unwrap();
    assert_eq!(element.get_attribute("app-id").as_deref(), Some("dev-app"));
    let name_step = html(&parent, ".name-step");
    let footer = html(&parent, ".switch-page");
    until("the name step shows", || !name_step.hidden()).await;
    assert!(!footer.hidden(), "footer shown with the e-mail view");
    assert_eq!(html(&footer, "a").get_attribute("href").as_deref(), Some("/login"));
    let input: web_sys::HtmlInputElement = html(&parent, "#name-input").unchecked_into();
    assert_eq!(input.max_length(), 100);
    assert_eq!(input.autocomplete(), "name");
    assert_eq!(html(&parent, "label[for=name-input]").text_content().as_deref(), Some("Your name"));
    let error = html(&parent, "#name-error");
    assert_eq!(error.get_attribute("aria-live").as_deref(), Some("polite"));

    // Empty name: the element is held back, the reason is announced and focus goes to the field.
    assert!(!call_before_auth(&element, "ada@example.com"));
    next_animation_frame().await;
    assert_eq!(error.text_content().as_deref(), Some("Please enter your name."));
    assert_eq!(document().active_element().map(|e| e.id()).as_deref(), Some("name-input"));
    assert_eq!(ProfileOutbox::local().unwrap().read(), None, "nothing recorded for a refused name");

    // A control character is refused too, with the contract's message.
    input.set_value("Ada\u{7}");
    let _ = input.dispatch_event(&web_sys::Event::new("input").unwrap());
    assert!(!call_before_auth(&element, "ada@example.com"));
    next_animation_frame().await;
    assert!(error.text_content().unwrap().contains("control character"));

    // Fixing it clears the message as the user types, and the element may go on.
    input.set_value("  Ada Lovelace ");
    let _ = input.dispatch_event(&web_sys::Event::new("input").unwrap());
    next_animation_frame().await;
    assert_eq!(error.text_content().as_deref(), Some(""));
    assert!(call_before_auth(&element, "ada@example.com"));
    assert_eq!(
        ProfileOutbox::local().unwrap().read(),
        Some(PendingProfile { identifier: "ada@example.com".into(), name: "Ada Lovelace".into() })
    );

    // The element moves on: field and footer go away before the next frame, and come back with the e-mail view.
    show_view(&element, "access-token");
    next_animation_frame().await;
    assert!(name_step.hidden() && footer.hidden());
    show_view(&element, "email");
    next_animation_frame().await;
    assert!(!name_step.hidden() && !footer.hidden());

    drop(mounted);
    assert_eq!(live_observer_count(), before, "leaving the page disconnects its observer");
    ProfileOutbox::local().unwrap().clear();
}
