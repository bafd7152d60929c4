//! Watching a custom element's open shadow root: the mechanism shared by [`crate::email_view`] and
//! [`crate::auth_server_check`].
//!
//! The Passage elements give no event for every re-render, but their shadow roots are open, so a
//! `MutationObserver` on the root sees every change. A [`ShadowRootWatch`] checks once at attach (the element may
//! already show what we look for) and after every batch of mutations. Observer callbacks run as microtasks, so a
//! page reacting to them updates before the browser paints.
//!
//! Lifetimes: the observer and its closure live in the [`ShadowRootWatch`]; dropping it disconnects and frees the
//! closure. [`watch_shadow_root`] attaches once the element is defined and drops the watch in `on_cleanup`, so
//! unmounting a page leaves nothing behind.

use std::cell::{Cell, RefCell};
use std::ops::ControlFlow;
use std::rc::Rc;

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// A connected `MutationObserver` on a shadow root (child list and subtree, plus the given attributes). Disconnects
/// when dropped.
pub struct ShadowRootWatch {
    observer: web_sys::MutationObserver,
    // Kept only so the JS callback stays valid while observing; dropped (freed) after `disconnect` in `Drop`, never
    // from inside the callback.
    _callback: Closure<dyn FnMut(JsValue, JsValue)>,
}

impl ShadowRootWatch {
    /// Starts observing `root` (also changes of the attributes in `attribute_filter`, if any) and calls `check` once
    /// now, then after every batch of mutations. `check` returning `ControlFlow::Break(())` disconnects the
    /// observer: nothing more is reported, though the watch still holds the closure until dropped.
    pub fn attach(
        root: web_sys::ShadowRoot,
        attribute_filter: &[&str],
        check: impl FnMut(&web_sys::ShadowRoot) -> ControlFlow<()> + 'static,
    ) -> Result<Self, JsValue> {
        // Mutation callbacks are microtasks, never re-entrant with the initial check below or with each other.
        let check = Rc::new(RefCell::new(check));
        let callback = {
            let (root, check) = (root.clone(), Rc::clone(&check));
            Closure::<dyn FnMut(JsValue, JsValue)>::new(move |_records, observer: JsValue| {
                if (check.borrow_mut())(&root).is_break() {
                    if let Ok(observer) = observer.dyn_into::<web_sys::MutationObserver>() {
                        observer.disconnect();
                    }
                }
            })
        };
        let observer = web_sys::MutationObserver::new(callback.as_ref().unchecked_ref())?;
        let options = web_sys::MutationObserverInit::new();
        options.set_child_list(true);
        options.set_subtree(true);
        if !attribute_filter.is_empty() {
            options.set_attributes(true);
            let filter: js_sys::Array = attribute_filter.iter().map(|name| JsValue::from_str(name)).collect();
            options.set_attribute_filter(&filter);
        }
        observer.observe_with_options(&root, &options)?;
        let watch = Self { observer, _callback: callback };
        if (check.borrow_mut())(&root).is_break() {
            watch.observer.disconnect();
        }
        Ok(watch)
    }
}

impl Drop for ShadowRootWatch {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}

/// Leptos hook helper: once `host` is defined (`customElements.whenDefined(tag)`; the shadow root exists from the
/// constructor on, i.e. once the element is upgraded), calls `attach` with its open shadow root and keeps what it
/// returns (a [`ShadowRootWatch`] or a wrapper of one) until the current owner is cleaned up, then drops it.
///
/// `attach` also gets the "unmounted" flag (set in `on_cleanup`) for work that may finish after the page is gone.
/// `purpose` names what is watched, for warnings (e.g. "the e-mail view").
pub fn watch_shadow_root<W: 'static>(
    host: web_sys::Element,
    purpose: &'static str,
    attach: impl FnOnce(web_sys::ShadowRoot, &Rc<Cell<bool>>) -> Result<W, JsValue> + 'static,
) {
    let attached: Rc<RefCell<Option<W>>> = Rc::new(RefCell::new(None));
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
            leptos::logging::warn!("<{tag}> has no open shadow root; {purpose} cannot be observed");
            return;
        };
        match attach(root, &unmounted) {
            Ok(watch) => *attached.borrow_mut() = Some(watch),
            Err(error) => leptos::logging::warn!("could not watch <{tag}> for {purpose}: {error:?}"),
        }
    });
}
