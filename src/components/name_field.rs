//! The name input: label, length limit, the contract's name rules, and an `aria-live` error region.

use contract::{validate_name, NameError, NAME_MAX_CHARS};
use leptos::html::Input;
use leptos::prelude::*;

use crate::i18n::{self, Msg};

/// Checks `value` with the contract's rules; `Ok(trimmed name)` or the message for the error region.
pub fn check(value: &str) -> Result<String, Msg> {
    validate_name(value).map_err(|error| error_msg(&error))
}

/// The page's words for a refused name, keyed by the rule's stable `code()` (the contract's `Display` is the
/// servers' English).
pub fn error_msg(error: &NameError) -> Msg {
    match error {
        NameError::Empty => Msg::new("name.error.empty"),
        NameError::TooLong { chars } => {
            Msg::new("name.error.too_long").number("max", NAME_MAX_CHARS as f64).number("count", *chars as f64)
        }
        NameError::ControlCharacter { position } => {
            Msg::new("name.error.control_character").number("position", *position as f64)
        }
    }
}

/// Shows the refusal in the field's error region and moves focus to the input, so keyboard and screen-reader users
/// land where the fix is.
pub fn report(error: RwSignal<Option<Msg>>, input: NodeRef<Input>, message: Msg) {
    error.try_set(Some(message));
    if let Some(input) = input.get_untracked() {
        let _ = input.focus();
    }
}

/// A labelled name input. `value` holds the raw text; `error` the message shown in the `aria-live="polite"` region
/// (kept in the DOM while empty, so assistive technology announces changes to it). `dir="auto"`: a name's own
/// script sets its direction (a Latin name in an Arabic page, and the reverse), while the field sits where the
/// page's direction puts it.
#[component]
pub fn NameField(
    value: RwSignal<String>,
    error: RwSignal<Option<Msg>>,
    input_ref: NodeRef<Input>,
    /// The label's message id.
    #[prop(default = "name.label")]
    label: &'static str,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for="name-input">{i18n::text(label)}</label>
            <input
                id="name-input"
                name="name"
                type="text"
                dir="auto"
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
            <p id="name-error" class="field-error" aria-live="polite">
                {move || error.with(|error| error.as_ref().map(i18n::tr))}
            </p>
        </div>
    }
}
