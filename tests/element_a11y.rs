//! The accessibility hooks on the elements (`view_focus`, `keyboard_link_buttons`, `element_input_labels`) against
//! fixture custom elements with open shadow roots, in headless Chromium.
#![cfg(target_arch = "wasm32")]

use leptos_passage::element_input_labels::use_element_input_labels;
use leptos_passage::keyboard_link_buttons::use_keyboard_link_buttons;
use leptos_passage::view_focus::use_focus_follows_view;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

mod common;
use common::{define_fixture, show_view};

#[wasm_bindgen(inline_js = r#"
// Like the elements' views: a link-styled button (no href) that counts its clicks, an unlabelled code box in the
// host's light DOM, and the profile's unlabelled inputs in the shadow root.
export function define_links_fixture(tag) {
  if (customElements.get(tag)) return;
  customElements.define(tag, class extends HTMLElement {
    constructor() {
      super();
      this.attachShadow({ mode: "open" });
      this.clicks = 0;
    }
    connectedCallback() {
      if (this.shadowRoot.childElementCount > 0) return;
      const link = document.createElement("a");
      link.setAttribute("role", "button");
      link.textContent = "Use a code instead";
      link.addEventListener("click", () => { this.clicks += 1; });
      const email = document.createElement("input");
      email.dataset.testid = "profile-email-input";
      const labelled = document.createElement("input");
      labelled.dataset.testid = "passkey-table-row-0-device-name";
      labelled.setAttribute("aria-label", "its own label");
      this.shadowRoot.append(link, email, labelled);
      for (let i = 0; i < 2; i++) {
        const box = document.createElement("input");
        box.dataset.testid = "otp-single-input-" + i;
        this.append(box);
      }
    }
  });
}
export function clicks(element) { return element.clicks; }
export function press(target, key) {
  target.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, composed: true, cancelable: true }));
}
"#)]
extern "C" {
    fn define_links_fixture(tag: &str);
    fn clicks(element: &web_sys::Element) -> u32;
    fn press(target: &web_sys::Element, key: &str);
}

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn connected(tag: &str) -> web_sys::Element {
    let element = document().create_element(tag).unwrap();
    document().body().unwrap().append_child(&element).unwrap();
    element
}

/// Mounts `hook(host)` in a component, as a page does; dropping the handle unmounts it.
fn mount_hook(host: &web_sys::Element, hook: fn(web_sys::Element)) -> impl Sized {
    let parent = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&parent).unwrap();
    let host = host.clone();
    leptos::mount::mount_to(parent.unchecked_into(), move || {
        hook(host);
    })
}

/// Lets the observers, the hooks' zero timeouts and the element's renders run.
async fn settle() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window().unwrap().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 30).unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// The focused element, through open shadow roots.
fn deep_active_element() -> Option<web_sys::Element> {
    let mut active = document().active_element()?;
    while let Some(inner) = active.shadow_root().and_then(|root| root.active_element()) {
        active = inner;
    }
    Some(active)
}

#[wasm_bindgen_test]
async fn link_buttons_get_into_the_tab_order_and_answer_enter_and_space() {
    define_links_fixture("fixture-links-a");
    let host = connected("fixture-links-a");
    let _mounted = mount_hook(&host, use_keyboard_link_buttons);
    settle().await;
    let link = host.shadow_root().unwrap().query_selector("a[role=button]").unwrap().unwrap();
    assert_eq!(link.get_attribute("tabindex").as_deref(), Some("0"));
    press(&link, "Enter");
    press(&link, " ");
    press(&link, "a");
    assert_eq!(clicks(&host), 2, "Enter and Space click, other keys do not");
    host.remove();
}

#[wasm_bindgen_test]
async fn unlabelled_inputs_get_names_and_labelled_ones_keep_theirs() {
    define_links_fixture("fixture-links-b");
    let host = connected("fixture-links-b");
    let _mounted = mount_hook(&host, use_element_input_labels);
    settle().await;
    let label = |element: Option<web_sys::Element>| element.unwrap().get_attribute("aria-label");
    assert_eq!(
        label(host.query_selector("[data-testid=otp-single-input-0]").unwrap()).as_deref(),
        Some("Digit 1 of 2")
    );
    assert_eq!(
        label(host.query_selector("[data-testid=otp-single-input-1]").unwrap()).as_deref(),
        Some("Digit 2 of 2")
    );
    let root = host.shadow_root().unwrap();
    assert_eq!(
        label(root.query_selector("[data-testid=profile-email-input]").unwrap()).as_deref(),
        Some("E-mail address")
    );
    assert_eq!(
        label(root.query_selector("[data-testid=passkey-table-row-0-device-name]").unwrap()).as_deref(),
        Some("its own label")
    );
    host.remove();
}

#[wasm_bindgen_test]
async fn focus_moves_into_each_new_view() {
    const TAG: &str = "fixture-auth-element";
    define_fixture(TAG);
    let host = connected(TAG);
    let _mounted = mount_hook(&host, |host| use_focus_follows_view(host, None));
    settle().await;
    let input_of = |view: &str| host.shadow_root().unwrap().query_selector(&format!("{view} input")).unwrap().unwrap();
    assert_eq!(deep_active_element(), Some(input_of(".view-email-input")), "the first view's field");

    document().body().unwrap().focus().unwrap();
    show_view(&host, "access-token");
    settle().await;
    assert_eq!(deep_active_element(), Some(input_of(".view-access-token")), "the new view's field");
    host.remove();
}
