//! Taking over the `<passage-register>` that the built page's preloader created from the HTML, before the wasm
//! ran (`xtask/src/preload.rs`): it sits in the page's static frame (`body > .boot-shell.early`), and while it is
//! there the stylesheet keeps the app's own first renders hidden, so the page never shows two forms.
//!
//! The register page [`take`]s it once it can host it; the element is then moved into the page ([`move_into`]) in
//! one task, which keeps its shadow DOM, what was typed into it and, restored here, the focus and the cursor. The
//! only other first pages the preloader's route can lead to (a configuration error, a mistyped path under
//! `/register/`) [`discard`] it. The preloader reads `config.json` with a few lines of its
//! own; should that reading ever differ from [`crate::config`]'s (another `app-id`, another URL for one of the
//! three globals), the element is discarded too, and the page creates its own.

use wasm_bindgen::{JsCast as _, JsValue};

use crate::config::AppConfig;
use crate::passage_elements::PassageElement;

/// Marks the early element (set by the preloader, removed when taken).
const EARLY: &str = "data-early";
/// Marks a taken element whose focus [`move_into`] gave back to the person.
const FOCUS_KEPT: &str = "data-focus-kept";

fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

/// The frame holding an early element, if the preloader made one.
fn early_frame(document: &web_sys::Document) -> Option<web_sys::Element> {
    document.query_selector("body > .boot-shell.early").ok().flatten()
}

fn early(kind: PassageElement) -> Option<web_sys::Element> {
    document()?.query_selector(&format!("{}[{EARLY}]", kind.tag())).ok().flatten()
}

/// Removes the early element and its frame, for a first page that does not host it: the configuration error page,
/// the not-found page (a mistyped path under `/register/`).
pub fn discard() {
    if let Some(frame) = document().as_ref().and_then(early_frame) {
        frame.remove();
    }
}

/// The early `kind` element, if there is one made for `config` (its `app-id` and the three globals it read as it
/// started, see [`crate::passage_elements::set_globals`]); one made for another configuration is discarded. The
/// caller gives it its callbacks and puts it in the page with [`move_into`].
pub fn take(kind: PassageElement, config: &AppConfig) -> Option<web_sys::Element> {
    let element = early(kind)?;
    let _ = element.remove_attribute(EARLY);
    let read = |key: &str| started_with(&element, key).as_string();
    let fits = element.get_attribute("app-id").as_deref() == Some(config.app_id.as_str())
        && read("auth").as_deref() == Some(config.auth_url.as_str())
        && read("locales").as_deref() == Some(config.locales_url.as_str())
        && read("elements").as_deref() == Some(config.elements_url.as_str());
    if !fits {
        leptos::logging::log!("the page's early <{}> was made for another config.json; making a new one", kind.tag());
        discard();
        return None;
    }
    Some(element)
}

/// Moves a taken early `element` into `slot` (connected) and removes its frame, all in this task. If the person
/// has already used the page (a key, a pointer), the control inside the element that had the focus gets it back,
/// with its cursor: moving a node blurs it. Otherwise the focus was the element's own autofocus (its Continue
/// button), and the page places it as on any first view ([`crate::view_focus`]: the name field).
pub fn move_into(slot: &web_sys::Element, element: &web_sys::Element) -> Result<(), JsValue> {
    let document = document().ok_or_else(|| JsValue::from_str("no document"))?;
    let touched = started_with(element, "touched").is_truthy();
    let focused = (touched && document.active_element().as_ref() == Some(element))
        .then(|| element.shadow_root()?.active_element()?.dyn_into::<web_sys::HtmlElement>().ok())
        .flatten();
    let cursor = focused.as_ref().and_then(|control| {
        let input = control.dyn_ref::<web_sys::HtmlInputElement>()?;
        Some((input.selection_start().ok()??, input.selection_end().ok()??))
    });
    slot.append_child(element)?;
    discard();
    if let Some(control) = focused {
        element.set_attribute(FOCUS_KEPT, "")?;
        control.focus()?;
        if let (Some((start, end)), Some(input)) = (cursor, control.dyn_ref::<web_sys::HtmlInputElement>()) {
            let _ = input.set_selection_range(start, end);
        }
    }
    Ok(())
}

/// Whether the person pressed Continue on the early `element` before the app was there (its `beforeAuth` refused,
/// without a word: only the app can say why).
pub fn refused_a_continue(element: &web_sys::Element) -> bool {
    started_with(element, "refused").is_truthy()
}

/// What the preloader recorded on the element as it made it (`psgEarly`, see `xtask/src/preload.rs`).
fn started_with(element: &web_sys::Element, key: &str) -> JsValue {
    js_sys::Reflect::get(element, &"psgEarly".into())
        .and_then(|record| js_sys::Reflect::get(&record, &key.into()))
        .unwrap_or(JsValue::UNDEFINED)
}

/// Whether [`move_into`] gave `element`'s focus back to the person (then the page's first focus move is skipped).
pub fn kept_the_persons_focus(element: &web_sys::Element) -> bool {
    element.has_attribute(FOCUS_KEPT)
}
