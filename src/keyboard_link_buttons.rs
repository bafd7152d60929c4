//! The elements' link-styled buttons, operable from the keyboard (WCAG 2.1.1).
//!
//! "Use a code instead", "Change email", "Back", "Resend", "Skip" and "Learn more" are `<a role="button">` without
//! `href` inside the elements' shadow roots: such an `<a>` is not in the Tab order and Enter does nothing, so a
//! keyboard user could not leave the passkey prompt for a code, nor go back. Neither the elements' CSS custom
//! properties nor `::part` can change that, so this hook does what a native button would: after every render of
//! the shadow root (through [`watch_shadow_root`]) each such link gets `tabindex="0"`, and one `keydown` listener
//! on the shadow root clicks the focused one on Enter or Space.

use std::ops::ControlFlow;

use wasm_bindgen::prelude::*;

use crate::shadow_root_watch::{watch_shadow_root, ShadowRootWatch};

/// A link the element uses as a button, with no way to reach it by keyboard.
pub const LINK_BUTTON_SELECTOR: &str = "a[role=\"button\"]:not([href])";

/// The observer and the `keydown` listener; dropping it removes both.
pub struct KeyboardLinkButtons {
    _watch: ShadowRootWatch,
    root: web_sys::ShadowRoot,
    on_keydown: Closure<dyn Fn(web_sys::Event)>,
}

impl KeyboardLinkButtons {
    /// Makes the link buttons in `root` focusable now and after every render, and operable with Enter and Space.
    pub fn attach(root: web_sys::ShadowRoot) -> Result<Self, JsValue> {
        let on_keydown = Closure::<dyn Fn(web_sys::Event)>::new(activate_on_enter_or_space);
        root.add_event_listener_with_callback("keydown", on_keydown.as_ref().unchecked_ref())?;
        let watch = ShadowRootWatch::attach(root.clone(), &[], |root| {
            if let Ok(links) = root.query_selector_all(&format!("{LINK_BUTTON_SELECTOR}:not([tabindex])")) {
                for link in (0..links.length()).filter_map(|i| links.item(i)) {
                    if let Ok(link) = link.dyn_into::<web_sys::Element>() {
                        let _ = link.set_attribute("tabindex", "0");
                    }
                }
            }
            ControlFlow::Continue(())
        })?;
        Ok(Self { _watch: watch, root, on_keydown })
    }
}

impl Drop for KeyboardLinkButtons {
    fn drop(&mut self) {
        let _ = self.root.remove_event_listener_with_callback("keydown", self.on_keydown.as_ref().unchecked_ref());
    }
}

/// Enter or Space on a link button clicks it, as on a `<button>` (Space would otherwise scroll the page).
fn activate_on_enter_or_space(event: web_sys::Event) {
    let key = js_sys::Reflect::get(&event, &"key".into()).ok().and_then(|key| key.as_string());
    if !matches!(key.as_deref(), Some("Enter" | " ")) {
        return;
    }
    let Some(link) = event.target().and_then(|target| target.dyn_into::<web_sys::HtmlElement>().ok()) else {
        return;
    };
    if link.matches(LINK_BUTTON_SELECTOR).unwrap_or(false) {
        event.prevent_default();
        link.click();
    }
}

/// Leptos hook: [`KeyboardLinkButtons`] on `host`'s open shadow root while the page is mounted.
pub fn use_keyboard_link_buttons(host: web_sys::Element) {
    watch_shadow_root(host, "its link buttons", |root, _unmounted| KeyboardLinkButtons::attach(root));
}
