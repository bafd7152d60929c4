//! Small wrappers over browser APIs used by several modules (timers, clock, base URL, location).

use wasm_bindgen::JsCast as _;
use wasm_bindgen_futures::JsFuture;

/// The app's base URL: the `<base href>` (Trunk writes it from `--public-url`), or the site root when the page has
/// no `<base>` element. Never the page's own URL: behind an SPA fallback the page may be `/a/b/dashboard`, and
/// resolving `config.json` or the router base against that would point into a route.
pub fn document_base() -> String {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return "/".to_owned();
    };
    let has_base_element = document.query_selector("base[href]").ok().flatten().is_some();
    match document.base_uri() {
        Ok(Some(base)) if has_base_element => base,
        _ => format!("{}/", location_parts().0),
    }
}

/// `location.origin`, `location.protocol`, `location.hostname` and `location.search` (empty strings if absent).
pub fn location_parts() -> (String, String, String, String) {
    let Some(location) = web_sys::window().map(|w| w.location()) else {
        return Default::default();
    };
    (
        location.origin().unwrap_or_default(),
        location.protocol().unwrap_or_default(),
        location.hostname().unwrap_or_default(),
        location.search().unwrap_or_default(),
    )
}

/// Unix time in whole seconds.
pub fn now_secs() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

/// Waits `ms` milliseconds. Uses the promise's own `resolve` as the timer callback, so no Rust closure is created
/// (and none can leak).
pub async fn sleep_ms(ms: u32) {
    if ms == 0 {
        return;
    }
    let Some(window) = web_sys::window() else { return };
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms as i32);
    });
    let _ = JsFuture::from(promise).await;
}

/// Resolves at the next animation frame (i.e. after the browser had its chance to render).
pub async fn next_animation_frame() {
    let Some(window) = web_sys::window() else { return };
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let _ = window.request_animation_frame(&resolve);
    });
    let _ = JsFuture::from(promise).await;
}

/// The `HtmlDocument` (for `document.cookie`).
pub fn html_document() -> Option<web_sys::HtmlDocument> {
    web_sys::window()?.document()?.dyn_into().ok()
}

/// This origin's localStorage, if the browser allows it.
pub fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}
