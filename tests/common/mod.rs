//! Shared by the browser tests: a fixture custom element standing in for `<passage-register>`/`<passage-login>`.
#![allow(dead_code)] // each test binary uses a different subset

use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = r#"
// Like the Vue-based Passage elements: the open shadow root is attached in the constructor, content is rendered
// when connected, and views are siblings nested in a container that are swapped on navigation.
export function define_fixture(tag) {
  if (customElements.get(tag)) return;
  customElements.define(tag, class extends HTMLElement {
    constructor() {
      super();
      this.attachShadow({ mode: "open" });
    }
    connectedCallback() {
      if (this.shadowRoot.childElementCount === 0) {
        this.shadowRoot.append(document.createElement("style"));
        const container = document.createElement("div");
        container.className = "container";
        this.shadowRoot.append(container);
        this.show(this.dataset.initialView || "email");
      }
    }
    // Like Vue's custom elements: unmount the content a tick after being disconnected (the host page may already
    // be tearing down its own view at that moment).
    disconnectedCallback() {
      Promise.resolve().then(() => {
        if (!this.isConnected) this.shadowRoot.querySelector(".container")?.replaceChildren();
      });
    }
    show(view) {
      const node = document.createElement("div");
      node.className = view === "email" ? "view-email-input" : "view-" + view + " auth-flex-container";
      const inner = document.createElement("input");
      node.append(inner);
      this.shadowRoot.querySelector(".container").replaceChildren(node);
    }
    // A re-render that keeps the node and only swaps its class.
    retag(view) {
      this.shadowRoot.querySelector(".container > div").className =
        view === "email" ? "view-email-input" : "view-" + view;
    }
  });
}
export function show_view(element, view) { element.show(view); }
// Counts MutationObserver.disconnect() calls page-wide (installed once), to prove unmount disconnects.
export function disconnect_calls() {
  if (!globalThis.__disconnectCalls) {
    globalThis.__disconnectCalls = { count: 0 };
    const original = MutationObserver.prototype.disconnect;
    MutationObserver.prototype.disconnect = function () {
      globalThis.__disconnectCalls.count += 1;
      return original.call(this);
    };
  }
  return globalThis.__disconnectCalls.count;
}
export function retag_view(element, view) { element.retag(view); }
// Calls the element's beforeAuth property the way the element does when "Continue" is pressed.
export function call_before_auth(element, identifier) { return element.beforeAuth(identifier); }
"#)]
extern "C" {
    pub fn define_fixture(tag: &str);
    pub fn show_view(element: &web_sys::Element, view: &str);
    pub fn retag_view(element: &web_sys::Element, view: &str);
    pub fn disconnect_calls() -> u32;
    pub fn call_before_auth(element: &web_sys::Element, identifier: &str) -> bool;
}

pub mod fetch_stub;

/// Waits, one animation frame at a time, until `ready` holds; panics naming `what` after 240 frames (~4 s), so a
/// test that never gets there fails instead of hanging.
pub async fn until(what: &str, mut ready: impl FnMut() -> bool) {
    for _ in 0..240 {
        if ready() {
            return;
        }
        leptos_passage::browser::next_animation_frame().await;
    }
    panic!("not reached within 240 frames: {what}");
}

/// The first element under `parent` that `selector` matches, if any.
pub fn find(parent: &web_sys::Element, selector: &str) -> Option<web_sys::HtmlElement> {
    parent.query_selector(selector).unwrap().map(|e| e.unchecked_into())
}
