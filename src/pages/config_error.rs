//! Shown instead of the app when `config.json` is missing or invalid: names the file and the key.

use leptos::prelude::*;

use crate::config::ConfigError;

#[component]
pub fn ConfigErrorPage(error: ConfigError) -> impl IntoView {
    let key = error.key.map(|key| view! { <p>"Key: " <code>{key}</code></p> });
    view! {
        <main class="plain-page">
            <h1>"This site is not configured correctly"</h1>
            <div class="error-box" role="alert">
                <p>{error.to_string()}</p>
                <p>"File: " <code>{error.file.clone()}</code></p>
                {key}
            </div>
            <p>
                "The file needs " <code>"app_id"</code> ", " <code>"auth_url"</code> " and " <code>"api_url"</code>
                " (http or https URLs), optionally " <code>"elements_url"</code> " and " <code>"locales_url"</code> "."
            </p>
        </main>
    }
}
