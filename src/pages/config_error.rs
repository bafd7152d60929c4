//! Shown instead of the app when `config.json` is missing or invalid: names the file and the key. The problem
//! itself (which key, what is wrong with it) is for the site's operator and stays in English.

use leptos::prelude::*;

use crate::config::{ConfigError, OPTIONAL_KEYS, REQUIRED_KEYS};
use crate::i18n::{self, Msg};

#[component]
pub fn ConfigErrorPage(error: ConfigError) -> impl IntoView {
    let key = error.key.map(|key| {
        view! {
            <p>{i18n::with_slots(Msg::new("config_error.key"), move |slot| {
                (slot == "key").then(|| view! { <code>{key}</code> })
            })}</p>
        }
    });
    let file = error.file.clone();
    let codes = |keys: &'static [&'static str]| {
        keys.iter().enumerate().map(|(i, key)| view! { {(i > 0).then_some(", ")}<code>{*key}</code> }).collect_view()
    };
    view! {
        <main class="plain-page">
            <h1>{i18n::text("config_error.title")}</h1>
            <div class="error-box" role="alert">
                <p>{error.to_string()}</p>
                <p>{i18n::with_slots(Msg::new("config_error.file"), move |slot| {
                    let file = file.clone();
                    (slot == "file").then(move || view! { <code>{file}</code> })
                })}</p>
                {key}
            </div>
            <p>
                {i18n::with_slots(Msg::new("config_error.needs"), move |slot| match slot {
                    "required" => Some(codes(REQUIRED_KEYS).into_any()),
                    "optional" => Some(codes(OPTIONAL_KEYS).into_any()),
                    _ => None,
                })}
            </p>
        </main>
    }
}
