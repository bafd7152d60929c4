//! One component per route, plus the configuration error page.

pub mod account;
pub mod config_error;
pub mod dashboard;
pub mod login;
pub mod not_found;
pub mod register;
pub mod signed_in;

use leptos::prelude::*;

use crate::config::AppConfig;
use crate::passage_elements::{self, PassageElement};

/// Loads `element`'s module (once per page load), then shows `form`; while loading, a loading line; if the module
/// cannot be loaded, the reason. The login and register pages differ only in the element and the form around it.
pub fn once_element_is_loaded<V: IntoView + 'static>(element: PassageElement, form: fn() -> V) -> impl IntoView {
    let config = expect_context::<AppConfig>();
    let loaded = LocalResource::new(move || {
        let config = config.clone();
        async move { passage_elements::load(&config, element).await }
    });
    view! {
        <Suspense fallback=loading>
            <ErrorBoundary fallback=error_list>
                {move || Suspend::new(async move { loaded.await.map(|()| form()) })}
            </ErrorBoundary>
        </Suspense>
    }
}

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
