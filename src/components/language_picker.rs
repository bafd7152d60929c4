//! The language picker: a labelled `<select>` of the SPA's languages, each named in itself. A choice is kept in
//! localStorage and applied at once (see [`crate::i18n::choose`]).

use leptos::prelude::*;

use crate::i18n::{self, Lang};

#[component]
pub fn LanguagePicker() -> impl IntoView {
    let options = Lang::ALL
        .into_iter()
        .map(|lang| {
            view! {
                // `lang` on each option: a screen reader says "Deutsch" in German.
                <option value=lang.code() lang=lang.code() prop:selected=move || i18n::lang() == lang>
                    {lang.native_name()}
                </option>
            }
        })
        .collect_view();
    view! {
        <footer class="language-footer">
            <label for="language-picker">{i18n::text("language.label")}</label>
            <select
                id="language-picker"
                data-testid="language-picker"
                on:change=move |event| {
                    if let Some(lang) = Lang::from_code(&event_target_value(&event)) {
                        leptos::task::spawn_local(i18n::choose(lang));
                    }
                }
            >
                {options}
            </select>
        </footer>
    }
}
