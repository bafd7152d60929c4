//! Applies the [`Branding`] to the page: the document title, `<html data-theme>` (which sets `color-scheme`, and so
//! which side of each `light-dark()` colour of `style/main.css` applies; "auto" leaves it to the system) and the
//! primary colour's CSS custom properties on `:root`.
//!
//! The properties are set through the CSSOM (`style.setProperty`), which a Content-Security-Policy does not
//! restrict, and only from validated hex colours.

use wasm_bindgen::JsCast as _;

use crate::branding::Branding;

/// Sets the title, the theme and the colours. Safe to call again with another branding (the tests do).
pub fn apply(branding: &Branding) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    if let Some(name) = &branding.app_name {
        document.set_title(name);
    }
    let Some(root) = document.document_element() else { return };
    let _ = root.set_attribute("data-theme", branding.theme.as_str());
    let Ok(root) = root.dyn_into::<web_sys::HtmlElement>() else { return };
    let style = root.style();
    for name in ["--primary", "--on-primary", "--primary-hover", "--primary-text-light", "--primary-text-dark"] {
        let _ = style.remove_property(name);
    }
    for (name, value) in branding.css_properties() {
        let _ = style.set_property(name, &value);
    }
}
