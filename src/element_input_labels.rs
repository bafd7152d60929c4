//! Accessible names for the elements' unlabelled inputs (WCAG 1.3.1, 4.1.2; axe rule `label`).
//!
//! Three inputs of the Passage elements have no label, no `aria-label` and no `title`, so a screen reader announces
//! only "spin button" or "edit text":
//!
//! * the six code boxes of the one-time-code view, which the element renders into its host's light DOM (slot
//!   `otpInput`, test ids `otp-single-input-0` … `-5`);
//! * `<passage-profile>`'s read-only e-mail input (`profile-email-input`), and each passkey's name input
//!   (`passkey-table-row-<i>-device-name`), both in its shadow root.
//!
//! CSS cannot name an input, so after every render of the shadow root (through [`watch_shadow_root`]; the code
//! boxes are created in the same render as the view that slots them) each such input without an `aria-label` gets
//! one, in the page's language. An element that labels them itself one day keeps its own labels; ours are marked
//! (`data-spa-label`) so a later render after a language switch renames them.

use std::ops::ControlFlow;

use wasm_bindgen::JsCast;

use crate::i18n::{self, Msg};
use crate::shadow_root_watch::{watch_shadow_root, ShadowRootWatch};

/// Marks an `aria-label` this module set (and may therefore replace).
const OURS: &str = "data-spa-label";

/// The code boxes, in the host's light DOM.
const CODE_BOX_SELECTOR: &str = "input[data-testid^=\"otp-single-input-\"]";
/// `<passage-profile>`'s e-mail input, in its shadow root.
const PROFILE_EMAIL_SELECTOR: &str = "input[data-testid=\"profile-email-input\"]";
/// `<passage-profile>`'s passkey name inputs, in its shadow root.
const PASSKEY_NAME_SELECTOR: &str = "input[data-testid^=\"passkey-table-row-\"][data-testid$=\"-device-name\"]";

/// The name of code box `index` (0-based) of `count`.
pub fn code_box_label(index: u32, count: u32) -> String {
    i18n::tr(&Msg::new("a11y.code_box").number("n", index + 1).number("count", count))
}

/// Leptos hook: names `host`'s unlabelled inputs now and after every render, while the page is mounted.
pub fn use_element_input_labels(host: web_sys::Element) {
    let light_dom = host.clone();
    watch_shadow_root(host, "its unlabelled inputs", move |root, _unmounted| {
        ShadowRootWatch::attach(root, &[], move |root| {
            let code_boxes = inputs(light_dom.query_selector_all(CODE_BOX_SELECTOR));
            let count = code_boxes.len() as u32;
            for (index, code_box) in (0..).zip(&code_boxes) {
                label_unless_labelled(code_box, &code_box_label(index, count));
            }
            for email in inputs(root.query_selector_all(PROFILE_EMAIL_SELECTOR)) {
                label_unless_labelled(&email, &i18n::t("a11y.profile_email"));
            }
            for name in inputs(root.query_selector_all(PASSKEY_NAME_SELECTOR)) {
                label_unless_labelled(&name, &i18n::t("a11y.passkey_name"));
            }
            ControlFlow::Continue(())
        })
    });
}

fn inputs(found: Result<web_sys::NodeList, wasm_bindgen::JsValue>) -> Vec<web_sys::Element> {
    let Ok(found) = found else { return Vec::new() };
    (0..found.length()).filter_map(|i| found.item(i)).filter_map(|node| node.dyn_into().ok()).collect()
}

fn label_unless_labelled(input: &web_sys::Element, label: &str) {
    let labelled_by_element =
        input.has_attribute("aria-labelledby") || (input.has_attribute("aria-label") && !input.has_attribute(OURS));
    if !labelled_by_element && input.get_attribute("aria-label").as_deref() != Some(label) {
        let _ = input.set_attribute("aria-label", label);
        let _ = input.set_attribute(OURS, "");
    }
}
