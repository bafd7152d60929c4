//! Creating a Passage element, giving the auth elements their callbacks, and placing it in the page.
//!
//! The element is created imperatively (not through `view!`) so that `app-id` and the JS callback properties
//! are set before it is connected: the element reads them when it mounts. `<passage-profile>` has no callbacks.

use leptos::html::Div;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::prelude::*;

use crate::auth_success::{identifier_from_info, AuthResult};
use crate::config::AppConfig;
use crate::early_element;
use crate::i18n;
use crate::passage_elements::PassageElement;

/// `beforeAuth(identifier) -> bool`: false keeps the element on its e-mail form.
pub type BeforeAuth = Box<dyn Fn(String) -> bool>;
/// `onSuccess(authResult, info)`, already parsed: the result and `info.identifier`.
pub type OnSuccess = Box<dyn Fn(AuthResult, Option<String>)>;

/// Creates the element `kind` with `app-id` and the page's language, not yet connected, or takes the one the HTML
/// created before the app ran, already connected ([`early_element::take`]; [`ElementSlot`] moves it). The `lang`
/// attribute follows later language switches until the current reactive owner is cleaned up: the 2.0.9 elements
/// declare `lang` as a prop and watch it (`useStoreLocale` loads the new locale and re-renders), so the live element
/// switches in place and keeps what was typed into it. The `theme` attribute is the configured one (from the
/// [`AppConfig`] in context), so the elements' own defaults match the page's palette.
pub fn create(kind: PassageElement, app_id: &str) -> Result<web_sys::Element, JsValue> {
    let config = use_context::<AppConfig>();
    let element = match config.as_ref().and_then(|config| early_element::take(kind, config)) {
        Some(element) => element,
        None => {
            let document =
                web_sys::window().and_then(|w| w.document()).ok_or_else(|| JsValue::from_str("no document"))?;
            let element = document.create_element(kind.tag())?;
            element.set_attribute("app-id", app_id)?;
            element
        }
    };
    let theme = config.map(|config| config.branding.theme).unwrap_or_default();
    set_changed_attribute(&element, "theme", theme.as_str())?;
    set_changed_attribute(&element, "lang", i18n::lang().code())?;
    let follower = SendWrapper::new(element.clone());
    Effect::new(move |_| {
        let _ = set_changed_attribute(&follower, "lang", i18n::lang().code());
    });
    Ok(element)
}

/// Sets `name` unless it already has `value`: a live element reacts to every attribute write.
fn set_changed_attribute(element: &web_sys::Element, name: &str, value: &str) -> Result<(), JsValue> {
    if element.get_attribute(name).as_deref() == Some(value) {
        return Ok(());
    }
    element.set_attribute(name, value)
}

/// Gives `<passage-register>` or `<passage-login>` its `onSuccess` and, if any, `beforeAuth`. The closures live
/// until the current reactive owner is cleaned up (the page unmounts), then they are freed.
pub fn attach_auth_callbacks(
    element: &web_sys::Element,
    before_auth: Option<BeforeAuth>,
    on_success: OnSuccess,
) -> Result<(), JsValue> {
    let before_auth = before_auth.map(|before_auth| {
        Closure::<dyn Fn(JsValue) -> bool>::new(move |identifier: JsValue| {
            before_auth(identifier.as_string().unwrap_or_default())
        })
    });
    match &before_auth {
        Some(closure) => js_sys::Reflect::set(element, &"beforeAuth".into(), closure.as_ref())?,
        // An element the HTML created has a refusing one of its own.
        None => js_sys::Reflect::delete_property(element, &"beforeAuth".into())?,
    };
    let on_success = Closure::<dyn Fn(JsValue, JsValue)>::new(move |result: JsValue, info: JsValue| {
        match AuthResult::from_js(&result) {
            Some(result) => on_success(result, identifier_from_info(&info)),
            None => leptos::logging::error!("onSuccess was called without an authToken"),
        }
    });
    js_sys::Reflect::set(element, &"onSuccess".into(), on_success.as_ref())?;

    // `on_cleanup` needs Send + Sync; the closures are main-thread JS handles.
    let keep_alive = SendWrapper::new((before_auth, on_success));
    on_cleanup(move || drop(keep_alive));
    Ok(())
}

/// Creates an auth element with its callbacks ([`create`] and [`attach_auth_callbacks`]).
pub fn create_auth_element(
    kind: PassageElement,
    app_id: &str,
    before_auth: Option<BeforeAuth>,
    on_success: OnSuccess,
) -> Result<web_sys::Element, JsValue> {
    let element = create(kind, app_id)?;
    attach_auth_callbacks(&element, before_auth, on_success)?;
    Ok(element)
}

/// A `<div>` that holds an imperatively created element. An element that is already in the document (the one the
/// HTML created) is moved in only once the `<div>` is too: moving it through a detached `<div>` would disconnect
/// it, and the element would start over.
#[component]
pub fn ElementSlot(element: SendWrapper<web_sys::Element>, #[prop(into)] class: String) -> impl IntoView {
    let slot = NodeRef::<Div>::new();
    slot.on_load(move |div| {
        if element.is_connected() {
            move_in_when_connected(div.into(), element.take());
        } else {
            let _ = div.append_child(&element);
        }
    });
    view! { <div class=class node_ref=slot></div> }
}

/// [`early_element::move_into`] once `slot` is in the document: at once, else at the next animation frames (the
/// mount follows the view's creation within the task; the frame is the fallback).
fn move_in_when_connected(slot: web_sys::Element, element: web_sys::Element) {
    if slot.is_connected() {
        if let Err(error) = early_element::move_into(&slot, &element) {
            leptos::logging::error!("the page's element could not be moved into place: {error:?}");
        }
        return;
    }
    let (slot, element) = (SendWrapper::new(slot), SendWrapper::new(element));
    request_animation_frame(move || move_in_when_connected(slot.take(), element.take()));
}
