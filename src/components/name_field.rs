//! The name input: label, length limit, the contract's name rules, and an `aria-live` error region.

use contract::{validate_name, NAME_MAX_CHARS};
use leptos::html::Input;
use leptos::prelude::*;

/// Checks `value` with the contract's rules; `Ok(trimmed name)` or a message for the error region.
pub fn check(value: &str) -> Result<String, String> {
    validate_name(value).map_err(|error| error.to_string())
}

/// Shows the refusal in the field's error region and moves focus to the input, so keyboard and screen-reader users
/// land where the fix is.
pub fn report(error: RwSignal<Option<String>>, input: NodeRef<Input>, message: String) {
    error.try_set(Some(message));
    if let Some(input) = input.get_untracked() {
        let _ = input.focus();
    }
}

/// A labelled name input. `value` holds the raw text; `error` the message shown in the `aria-live="polite"` region
/// (kept in the DOM while empty, so assistive technology announces changes to it).
#[component]
pub fn NameField(
    value: RwSignal<String>,
    error: RwSignal<Option<String>>,
    input_ref: NodeRef<Input>,
    #[prop(into, default = "Your name".into())] label: String,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for="name-input">{label}</label>
            <input
                id="name-input"
                name="name"
                type="text"
                maxlength=NAME_MAX_CHARS.to_string()
                autocomplete="name"
                aria-describedby="name-error"
                aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                node_ref=input_ref
                prop:value=move || value.get()
                on:input=move |event| {
                    let text = event_target_value(&event);
                    // Once an error is showing, re-check as the user types so it disappears as soon as it is fixed.
                    if error.with_untracked(Option::is_some) {
                        error.set(check(&text).err());
                    }
                    value.set(text);
                }
            />
            <p id="name-error" class="field-error" aria-live="polite">{move || error.get()}</p>
        </div>
    }
}
