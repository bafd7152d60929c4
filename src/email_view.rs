//! "Is the element showing its e-mail view?", observed inside the element's open shadow root.
//!
//! The register page shows the name field and the "log in" footer only beside the element's first step (the
//! e-mail form). The element gives no event for every view change (`onEvent` misses going back, errors and
//! reloads), but its shadow root is open, so a `MutationObserver` on it sees every re-render: after each batch of
//! mutations the hook re-checks for `.view-email-input` (passage-auth-api.md §7.3). Observer callbacks run as
//! microtasks, so the page updates before the browser paints the new view.
//!
//! Lifetimes: the observer lives in an [`EmailViewObserver`] (a [`ShadowRootWatch`] plus a live count that makes
//! cleanup testable); dropping it disconnects and frees the closure. The Leptos hook drops it in `on_cleanup`
//! ([`watch_shadow_root`]), so unmounting a page leaves nothing behind.

use std::cell::Cell;
use std::ops::ControlFlow;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use crate::shadow_root_watch::{watch_shadow_root, ShadowRootWatch};

/// The class of the e-mail view's root element in both `<passage-register>` and `<passage-login>`.
pub const EMAIL_VIEW_SELECTOR: &str = ".view-email-input";

thread_local! {
    static LIVE_OBSERVERS: Cell<usize> = const { Cell::new(0) };
}

/// How many [`EmailViewObserver`]s exist right now (wasm is single-threaded; this counts the page's observers).
pub fn live_observer_count() -> usize {
    LIVE_OBSERVERS.with(Cell::get)
}

/// Whether the e-mail view is in the shadow root now.
pub fn email_view_shown(root: &web_sys::ShadowRoot) -> bool {
    root.query_selector(EMAIL_VIEW_SELECTOR).ok().flatten().is_some()
}

/// A connected `MutationObserver` reporting the e-mail view state. Disconnects when dropped.
pub struct EmailViewObserver {
    _watch: ShadowRootWatch,
}

impl EmailViewObserver {
    /// Starts observing `root` and calls `on_change` once with the current state (an element that is already
    /// past its e-mail view must hide the field at once), then after every batch of mutations.
    pub fn attach(root: web_sys::ShadowRoot, on_change: impl Fn(bool) + 'static) -> Result<Self, JsValue> {
        // Views are separate components today, but a re-render that only swaps the class of an existing node would
        // otherwise go unnoticed, hence the `class` attribute filter.
        let watch = ShadowRootWatch::attach(root, &["class"], move |root| {
            on_change(email_view_shown(root));
            ControlFlow::Continue(())
        })?;
        LIVE_OBSERVERS.with(|count| count.set(count.get() + 1));
        Ok(Self { _watch: watch })
    }
}

impl Drop for EmailViewObserver {
    fn drop(&mut self) {
        LIVE_OBSERVERS.with(|count| count.set(count.get().saturating_sub(1)));
    }
}

/// Leptos hook: a signal that is true exactly while `host` (a Passage element, or any custom element with an
/// open shadow root) shows its e-mail view.
///
/// Attaches after `customElements.whenDefined(tag)` (the shadow root exists from the constructor on, i.e. once the
/// element is upgraded) and detaches in `on_cleanup`. Starts as false so nothing flashes before the element has
/// rendered its first view.
pub fn use_email_view_shown(host: web_sys::Element) -> ArcReadSignal<bool> {
    // Reference-counted rather than owned by the page: while the router swaps pages, a view's effects can run once
    // more after the page's owner was disposed, and an arena signal would then panic on read.
    let shown = ArcRwSignal::new(false);
    let writer = shown.clone();
    watch_shadow_root(host, "the e-mail view", move |root, _unmounted| {
        EmailViewObserver::attach(root, move |now_shown: bool| {
            // Only write on change, so dependants do not re-run on every unrelated mutation.
            if writer.get_untracked() != now_shown {
                writer.set(now_shown);
            }
        })
    });
    shown.read_only()
}
