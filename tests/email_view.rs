//! The shadow-root observer hook against a fixture custom element (an open shadow root that switches between a
//! `.view-email-input` view and other views, like `<passage-register>`), in headless Chromium.
#![cfg(target_arch = "wasm32")]

use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::*;
use leptos_passage::browser::next_animation_frame;
use leptos_passage::email_view::{live_observer_count, use_email_view_shown, EmailViewObserver};
use wasm_bindgen::JsCast as _;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

mod common;
use common::{define_fixture, disconnect_calls, retag_view, show_view};

const TAG: &str = "fixture-auth-element";

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// A connected fixture element starting on `initial_view`.
fn fixture(initial_view: &str) -> web_sys::Element {
    define_fixture(TAG);
    let element = document().create_element(TAG).unwrap();
    element.set_attribute("data-initial-view", initial_view).unwrap();
    document().body().unwrap().append_child(&element).unwrap();
    element
}

fn container() -> web_sys::HtmlElement {
    let div = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&div).unwrap();
    div.unchecked_into()
}

/// Mounts a component that uses the hook the way the register page does: a field hidden unless the e-mail view
/// shows. Returns the handle (drop = unmount) and the field.
fn mount_field(host: &web_sys::Element) -> (impl Sized, web_sys::HtmlElement) {
    let parent = container();
    let host = host.clone();
    let handle = leptos::mount::mount_to(parent.clone(), move || {
        let shown = use_email_view_shown(host);
        view! { <p class="name-field" hidden=move || !shown.get()>"Your name"</p> }
    });
    let field = parent.query_selector(".name-field").unwrap().unwrap().unchecked_into();
    (handle, field)
}

#[wasm_bindgen_test]
async fn field_follows_the_view_before_the_next_frame() {
    let host = fixture("email");
    let (_mounted, field) = mount_field(&host);
    next_animation_frame().await;
    assert!(!field.hidden(), "email view shown at attach: field visible");

    show_view(&host, "access-token");
    next_animation_frame().await;
    assert!(field.hidden(), "OTP view: field hidden by the next frame");

    show_view(&host, "email");
    next_animation_frame().await;
    assert!(!field.hidden(), "back on the e-mail view: field visible again");

    // A class swap on a kept node counts too.
    retag_view(&host, "webauthn-sign-in");
    next_animation_frame().await;
    assert!(field.hidden(), "class changed away from the e-mail view");
    retag_view(&host, "email");
    next_animation_frame().await;
    assert!(!field.hidden());
    host.remove();
}

#[wasm_bindgen_test]
async fn initial_state_is_honoured() {
    // Already past the e-mail view when the hook attaches: hidden without any later mutation.
    let host = fixture("verify-token");
    let (_mounted, field) = mount_field(&host);
    next_animation_frame().await;
    assert!(field.hidden(), "element on a non-email view at attach: field hidden");
    show_view(&host, "email");
    next_animation_frame().await;
    assert!(!field.hidden());
    host.remove();

    // And the other way round: visible at once when the e-mail view is already there.
    let host = fixture("email");
    let (_mounted, field) = mount_field(&host);
    next_animation_frame().await;
    assert!(!field.hidden(), "element on the e-mail view at attach: field visible");
    host.remove();
}

#[wasm_bindgen_test]
async fn unmount_disconnects() {
    let before = live_observer_count();
    let host = fixture("email");
    let (mounted, field) = mount_field(&host);
    next_animation_frame().await;
    assert_eq!(live_observer_count(), before + 1);
    assert!(!field.hidden());

    let disconnects = disconnect_calls();
    drop(mounted);
    assert_eq!(disconnect_calls(), disconnects + 1, "unmount calls MutationObserver.disconnect()");
    assert_eq!(live_observer_count(), before, "and the observer is gone");
    show_view(&host, "access-token");
    next_animation_frame().await;
    assert!(!field.hidden(), "after unmount, view changes no longer reach the page");
    host.remove();
}

#[wasm_bindgen_test]
async fn dropped_observer_reports_nothing_more() {
    let host = fixture("email");
    let root = host.shadow_root().unwrap();
    let calls = Rc::new(Cell::new(0));
    let last = Rc::new(Cell::new(None::<bool>));
    let observer = {
        let (calls, last) = (Rc::clone(&calls), Rc::clone(&last));
        EmailViewObserver::attach(root, move |shown| {
            calls.set(calls.get() + 1);
            last.set(Some(shown));
        })
        .unwrap()
    };
    assert_eq!((calls.get(), last.get()), (1, Some(true)), "the initial state is reported once on attach");
    show_view(&host, "access-token");
    next_animation_frame().await;
    assert_eq!(last.get(), Some(false));
    let calls_before_drop = calls.get();

    drop(observer);
    show_view(&host, "email");
    next_animation_frame().await;
    assert_eq!(calls.get(), calls_before_drop, "no callback after drop");
    host.remove();
}

#[wasm_bindgen_test]
async fn remounting_twice_leaves_exactly_one_observer() {
    let before = live_observer_count();
    let host = fixture("email");
    let (first, _) = mount_field(&host);
    next_animation_frame().await;
    drop(first);
    let (second, _) = mount_field(&host);
    next_animation_frame().await;
    drop(second);
    let (third, field) = mount_field(&host);
    next_animation_frame().await;
    assert_eq!(live_observer_count(), before + 1, "mount, unmount, remount twice: one live observer");

    show_view(&host, "access-token");
    next_animation_frame().await;
    assert!(field.hidden(), "the surviving observer still works");
    drop(third);
    assert_eq!(live_observer_count(), before);
    host.remove();
}

#[wasm_bindgen_test]
async fn unmount_before_the_element_is_defined_attaches_nothing() {
    let before = live_observer_count();
    let tag = "fixture-defined-later";
    let host = document().create_element(tag).unwrap();
    document().body().unwrap().append_child(&host).unwrap();
    let (mounted, _) = mount_field(&host);
    next_animation_frame().await;
    assert_eq!(live_observer_count(), before, "still waiting for customElements.whenDefined");
    drop(mounted);

    define_fixture(tag);
    next_animation_frame().await;
    assert_eq!(live_observer_count(), before, "no observer for a page that is gone");
    host.remove();
}
