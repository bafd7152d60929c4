//! Loading the Passage web components: the two globals the vendored modules read, one module script per element,
//! and waiting until the custom element is defined.
//!
//! Only the current route's element is loaded (the login page never downloads the register element), and each at
//! most once per page load: the pending or settled load is kept per tag and shared by later visits.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;

use wasm_bindgen::{JsCast as _, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::config::AppConfig;
use crate::i18n::Msg;

/// How long to wait for a module to define its element before showing an error instead of an endless spinner.
pub const DEFINE_TIMEOUT_MS: i32 = 20_000;

/// The elements the app hosts, each on its own route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PassageElement {
    Register,
    Login,
    /// The account element (passkeys, e-mail) on `/account`; it has no callbacks.
    Profile,
}

impl PassageElement {
    /// The custom element name.
    pub fn tag(self) -> &'static str {
        match self {
            PassageElement::Register => "passage-register",
            PassageElement::Login => "passage-login",
            PassageElement::Profile => "passage-profile",
        }
    }

    /// The ES module entry file that `cargo xtask vendor` writes under `elements_url`.
    pub fn module_file(self) -> &'static str {
        match self {
            PassageElement::Register => "passage-register.js",
            PassageElement::Login => "passage-login.js",
            PassageElement::Profile => "passage-profile.js",
        }
    }
}

/// Why an element could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElementLoadError {
    pub url: String,
    pub reason: String,
}

impl fmt::Display for ElementLoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "The component could not be loaded from {} ({}). Reload the page to try again; if you build from \
             source, run `cargo xtask vendor` first.",
            self.url, self.reason
        )
    }
}

impl std::error::Error for ElementLoadError {}

impl ElementLoadError {
    /// The error as a message in the page's language (the reason is a technical detail and stays as is).
    pub fn to_msg(&self) -> Msg {
        Msg::new("error.element_load").text("url", self.url.clone()).text("reason", self.reason.clone())
    }
}

thread_local! {
    /// One load per tag per page: the promise that settles when the element is defined (or the load failed).
    static LOADS: RefCell<HashMap<&'static str, js_sys::Promise>> = RefCell::new(HashMap::new());
}

/// Sets the globals the patched modules read (`cargo xtask vendor` patches them to read these instead of
/// Passage's hosted URLs). The element reads them when it connects, so setting them before attaching suffices.
pub fn set_globals(config: &AppConfig) {
    let global = js_sys::global();
    let _ = js_sys::Reflect::set(&global, &"PASSAGE_AUTH_ORIGIN".into(), &config.auth_url.as_str().into());
    let _ = js_sys::Reflect::set(&global, &"PASSAGE_LOCALES_URL".into(), &config.locales_url.as_str().into());
    // The phone input's stylesheet is vendored beside the modules; the elements link it from their shadow roots.
    let _ = js_sys::Reflect::set(&global, &"PASSAGE_ELEMENTS_URL".into(), &config.elements_url.as_str().into());
}

/// The URL of an element's module for this configuration.
pub fn module_url(config: &AppConfig, element: PassageElement) -> String {
    format!("{}/{}", config.elements_url, element.module_file())
}

/// Makes `element` usable: sets the globals, injects its module script (once per page load) and waits until
/// `customElements.whenDefined(tag)` resolves.
pub async fn load(config: &AppConfig, element: PassageElement) -> Result<(), ElementLoadError> {
    set_globals(config);
    let url = module_url(config, element);
    let fail = |reason: String| ElementLoadError { url: url.clone(), reason };
    let promise = LOADS.with(|loads| -> Result<js_sys::Promise, JsValue> {
        if let Some(promise) = loads.borrow().get(element.tag()) {
            return Ok(promise.clone());
        }
        let promise = start_load(element.tag(), &url)?;
        loads.borrow_mut().insert(element.tag(), promise.clone());
        Ok(promise)
    });
    let promise = promise.map_err(|e| fail(format!("{e:?}")))?;
    match JsFuture::from(promise).await {
        Ok(_) => Ok(()),
        Err(value) if value.is_undefined() => {
            Err(fail(format!("<{}> was not defined within {} s", element.tag(), DEFINE_TIMEOUT_MS / 1000)))
        }
        Err(value) if value.is_instance_of::<web_sys::Event>() => Err(fail("the script failed to load".to_owned())),
        Err(value) => Err(fail(value.as_string().unwrap_or_else(|| format!("{value:?}")))),
    }
}

/// Injects `<script type="module" src=url>` unless the tag is already defined, and returns a promise that
/// resolves when the tag is defined, rejects with the script's error `Event` if it fails to load, or rejects with
/// `undefined` after [`DEFINE_TIMEOUT_MS`].
fn start_load(tag: &str, url: &str) -> Result<js_sys::Promise, JsValue> {
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let document = window.document().ok_or_else(|| JsValue::from_str("no document"))?;
    let registry = window.custom_elements();
    let defined = registry.when_defined(tag)?;
    if !registry.get(tag).is_undefined() {
        return Ok(defined);
    }
    let script: web_sys::HtmlScriptElement = document.create_element("script")?.unchecked_into();
    script.set_type("module");
    script.set_src(url);
    script.set_attribute("data-passage-element", tag)?;
    // The promise's own `reject` is the error handler and the timer callback: no Rust closure to keep alive.
    let failed = js_sys::Promise::new(&mut |_resolve, reject| {
        script.set_onerror(Some(&reject));
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&reject, DEFINE_TIMEOUT_MS);
    });
    document.head().ok_or_else(|| JsValue::from_str("no <head>"))?.append_child(&script)?;
    Ok(js_sys::Promise::race(&js_sys::Array::of2(&defined, &failed)))
}
