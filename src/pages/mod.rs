//! One component per route, plus the configuration error page.

pub mod config_error;
pub mod dashboard;
pub mod login;
pub mod not_found;
pub mod register;

use leptos::prelude::*;

/// The fallback of every `<ErrorBoundary>`: the errors' messages as text (never HTML).
pub fn error_list(errors: ArcRwSignal<leptos::error::Errors>) -> impl IntoView {
    view! {
        <div class="error-box" role="alert">
            <ul>
                {move || {
                    errors.get().into_iter().map(|(_, error)| view! { <li>{error.to_string()}</li> }).collect_view()
                }}
            </ul>
        </div>
    }
}

/// A loading line for `<Suspense>` fallbacks.
pub fn loading() -> impl IntoView {
    view! { <p class="loading" role="status">"Loading…"</p> }
}
