//! Keyboard focus follows the element's views (WCAG 2.4.3 focus order, 3.2.2 on input).
//!
//! When a Passage element swaps its view (e-mail form → passkey prompt → code entry …), the control that had focus
//! is removed with the old view and focus falls back to `<body>`: a keyboard or screen-reader user would have to
//! Tab through the whole page again. The element asks for focus in some views but not all, and on the register page
//! it asks for its Continue button, skipping our name field, which comes first. So on every new view
//! (observed like [`crate::email_view`], through [`watch_shadow_root`]):
//!
//! * on the e-mail view with a `lead` control (the register page's name field), the lead;
//! * otherwise the view's first field (the e-mail input), else the code boxes the element slots into its light
//!   DOM, else the view's primary button, else its first focusable control. The element's own autofocus is not
//!   relied on: it lands on the last of its buttons that asks for it ("Use another device" on the passkey
//!   prompt), or on nothing.
//!
//! Only a change of view moves focus: re-renders inside a view (an error message appearing) leave it alone. The
//! move waits one task (a zero timeout): by then the element has run its own autofocus, which would otherwise
//! override ours, and the page has shown the lead (its `hidden` follows [`crate::email_view`] through a Leptos
//! effect, which runs after this observer).

use std::cell::{Cell, RefCell};
use std::ops::ControlFlow;
use std::rc::Rc;
use std::time::Duration;

use leptos::html::Input;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::early_element;
use crate::email_view::EMAIL_VIEW_SELECTOR;
use crate::shadow_root_watch::{watch_shadow_root, ShadowRootWatch};

/// The root element of each view of `<passage-register>` / `<passage-login>` (passage-auth-api.md §7.3); the
/// first match in document order is the current view.
pub const VIEW_ROOT_SELECTOR: &str =
    ".view-email-input, [data-tag=\"register-device-message\"], .view-webauthn-sign-in, \
     .view-access-token, .view-verify-token, .view-add-device, .auth-flex-container";

/// A field to type into.
const FIELD_SELECTOR: &str = "input:not([type=\"hidden\"]):not([disabled]):not([readonly]), textarea:not([disabled])";

/// The view's main action: the elements' buttons have `part="button"`, secondary ones `part="button button-secondary"`.
const PRIMARY_BUTTON_SELECTOR: &str = "button[part=\"button\"]:not([disabled])";

/// What a keyboard user can focus.
const FOCUSABLE_SELECTOR: &str = "input:not([type=\"hidden\"]):not([disabled]), button:not([disabled]), \
     a[href], select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex=\"-1\"])";

/// Leptos hook: moves focus into each new view of `host` (see the module docs). `lead` is the page's own control
/// that comes before the element's e-mail view, if any.
pub fn use_focus_follows_view(host: web_sys::Element, lead: Option<NodeRef<Input>>) {
    let watched_host = host.clone();
    watch_shadow_root(host, "focus on view changes", move |root, unmounted| {
        let unmounted = Rc::clone(unmounted);
        let current_view = RefCell::new(None::<web_sys::Element>);
        let first_view = Cell::new(true);
        ShadowRootWatch::attach(root, &[], move |root| {
            let view = root.query_selector(VIEW_ROOT_SELECTOR).ok().flatten();
            if *current_view.borrow() != view {
                if let Some(view) = view.clone() {
                    let (host, unmounted) = (watched_host.clone(), Rc::clone(&unmounted));
                    let first = first_view.replace(false);
                    set_timeout(
                        move || {
                            // On the first view of the element the HTML created, a person who was already typing
                            // into it before the app ran keeps their focus ([`crate::early_element`]).
                            if !(first && early_element::kept_the_persons_focus(&host)) {
                                focus_when_still_shown(&host, &view, lead, &unmounted)
                            }
                        },
                        Duration::ZERO,
                    );
                }
                *current_view.borrow_mut() = view;
            }
            ControlFlow::Continue(())
        })
    });
}

/// [`focus_into`], unless the page is gone or the element has moved on to yet another view meanwhile.
fn focus_when_still_shown(
    host: &web_sys::Element,
    view: &web_sys::Element,
    lead: Option<NodeRef<Input>>,
    unmounted: &Cell<bool>,
) {
    if unmounted.get() || !view.is_connected() {
        return;
    }
    let lead = lead.and_then(|lead| lead.try_get_untracked().flatten());
    focus_into(host, view, lead);
}

/// Focuses the right control of the view that `host` just showed.
fn focus_into(host: &web_sys::Element, view: &web_sys::Element, lead: Option<web_sys::HtmlInputElement>) {
    let lead = lead
        .filter(|lead| is_shown(lead) && view.matches(EMAIL_VIEW_SELECTOR).unwrap_or(false))
        .map(|lead| lead.unchecked_into::<web_sys::HtmlElement>());
    // The view's own field, then the light-DOM inputs the element slots into it (the code boxes), then its primary
    // button, then whatever can be focused.
    let control = lead
        .or_else(|| first_shown(view, FIELD_SELECTOR))
        .or_else(|| first_shown(host, FIELD_SELECTOR))
        .or_else(|| first_shown(view, PRIMARY_BUTTON_SELECTOR))
        .or_else(|| first_shown(view, FOCUSABLE_SELECTOR));
    if let Some(control) = control {
        let _ = control.focus();
    }
}

fn first_shown(scope: &web_sys::Element, selector: &str) -> Option<web_sys::HtmlElement> {
    let found = scope.query_selector_all(selector).ok()?;
    (0..found.length())
        .filter_map(|i| found.item(i))
        .filter_map(|node| node.dyn_into::<web_sys::HtmlElement>().ok())
        .find(is_shown)
}

/// Rendered with a size (not `display: none`, not inside a `hidden` ancestor).
fn is_shown(element: &web_sys::HtmlElement) -> bool {
    element.offset_width() > 0 || element.offset_height() > 0
}
