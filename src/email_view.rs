//! "Is the element showing its e-mail view?", observed inside the element's open shadow root.
//!
//! The register page shows the name field and the "log in" footer only beside the element's first step (the
//! e-mail form). The element gives no event for every view change (`onEvent` misses going back, errors and
//! reloads), but its shadow root is open, so a `MutationObserver` on it sees every re-render: after each batch of
//! mutations the hook re-checks for `.view-email-input` (passage-auth-api.md §7.3). Observer callbacks run as
//! microtasks, so the page updates before the browser paints the new view.
//!
//! Lifetimes: the observer and its closure live in an [`EmailViewObserver`]; dropping it disconnects and frees
//! the closure. The Leptos hook drops it in `on_cleanup`, so unmounting a page leaves nothing behind. A live
//! count makes that testable.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

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
    observer: web_sys::MutationObserver,
    // Kept only so the JS callback stays valid while observing; dropped (freed) after `disconnect` in `Drop`.
    _callback: Closure<dyn FnMut(JsValue, JsValue)>,
}

impl EmailViewObserver {
    /// Starts observing `root` and calls `on_change` once with the current state (an element that is already
    /// past its e-mail view must hide the field at once), then after every batch of mutations.
    pub fn attach(root: web_sys::ShadowRoot, on_change: impl Fn(bool) + 'static) -> Result<Self, JsValue> {
        let on_change = Rc::new(on_change);
        let callback = {
            let root = root.clone();
            let on_change = Rc::clone(&on_change);
            Closure::<dyn FnMut(JsValue, JsValue)>::new(move |_records, _observer| on_change(email_view_shown(&root)))
        };
        let observer = web_sys::MutationObserver::new(callback.as_ref().unchecked_ref())?;
        let options = web_sys::MutationObserverInit::new();
        options.set_child_list(true);
        options.set_subtree(true);
        // Views are separate components today, but a re-render that only swaps the class of an existing node would
        // otherwise go unnoticed.
        options.set_attributes(true);
        options.set_attribute_filter(&js_sys::Array::of1(&"class".into()));
        observer.observe_with_options(&root, &options)?;
        LIVE_OBSERVERS.with(|count| count.set(count.get() + 1));
        let attached = Self { observer, _callback: callback };
        on_change(email_view_shown(&root));
        Ok(attached)
    }
}

impl Drop for EmailViewObserver {
    fn drop(&mut self) {
        self.observer.disconnect();
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
    let attached: Rc<RefCell<Option<EmailViewObserver>>> = Rc::default();
    let unmounted = Rc::new(Cell::new(false));

    // `on_cleanup` needs Send + Sync; these Rc handles are only ever touched on the main thread.
    let cleanup_state = SendWrapper::new((Rc::clone(&attached), Rc::clone(&unmounted)));
    on_cleanup(move || {
        let (attached, unmounted) = &*cleanup_state;
        unmounted.set(true);
        attached.borrow_mut().take();
    });

    wasm_bindgen_futures::spawn_local(async move {
        let tag = host.tag_name().to_ascii_lowercase();
        if let Some(window) = web_sys::window() {
            if let Ok(defined) = window.custom_elements().when_defined(&tag) {
                let _ = JsFuture::from(defined).await;
            }
        }
        // Unmounted while waiting: attaching now would create an observer nobody disconnects.
        if unmounted.get() {
            return;
        }
        let Some(root) = host.shadow_root() else {
            leptos::logging::warn!("<{tag}> has no open shadow root; the e-mail view cannot be observed");
            return;
        };
        let on_change = move |now_shown: bool| {
            // Only write on change, so dependants do not re-run on every unrelated mutation.
            if writer.get_untracked() != now_shown {
                writer.set(now_shown);
            }
        };
        match EmailViewObserver::attach(root, on_change) {
            Ok(observer) => *attached.borrow_mut() = Some(observer),
            Err(error) => leptos::logging::warn!("could not observe <{tag}>: {error:?}"),
        }
    });
    shown.read_only()
}
