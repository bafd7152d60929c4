//! One component per route, plus the configuration error page.

pub mod account;
pub mod config_error;
pub mod dashboard;
pub mod login;
pub mod not_found;
pub mod register;
pub mod signed_in;

use leptos::prelude::*;

use crate::api::ApiFailure;
use crate::config::AppConfig;
use crate::i18n;
use crate::passage_elements::{self, ElementLoadError, PassageElement};
use crate::session::SessionError;

/// The heading of the register and login pages: `with_app` naming the app ("Sign in to Acme Rockets") when the
/// deployment configured `app_name`, else `plain` ("Sign in"). Follows the language.
pub fn auth_heading(plain: &'static str, with_app: &'static str) -> impl Fn() -> String + Send + Sync + 'static {
    let app_name = expect_context::<AppConfig>().branding.app_name;
    move || match &app_name {
        Some(app) => i18n::tr(&i18n::Msg::new(with_app).text("app", app.clone())),
        None => i18n::t(plain),
    }
}

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

/// The fallback of every `<ErrorBoundary>`: the errors' messages as text (never HTML), in the page's language
/// for the app's own error types.
pub fn error_list(errors: ArcRwSignal<leptos::error::Errors>) -> impl IntoView {
    view! {
        <div class="error-box" role="alert">
            <ul>
                {move || {
                    errors.get().into_iter().map(|(_, error)| view! { <li>{error_text(&error)}</li> }).collect_view()
                }}
            </ul>
        </div>
    }
}

/// An error from a boundary as text: the app's error types have messages; anything else its `Display`.
fn error_text(error: &leptos::error::Error) -> String {
    let error: &(dyn std::error::Error + 'static) = &***error;
    let msg = if let Some(error) = error.downcast_ref::<ElementLoadError>() {
        error.to_msg()
    } else if let Some(error) = error.downcast_ref::<ApiFailure>() {
        error.to_msg()
    } else if let Some(error) = error.downcast_ref::<SessionError>() {
        error.to_msg()
    } else {
        return error.to_string();
    };
    i18n::tr(&msg)
}

/// A loading line for `<Suspense>` fallbacks.
pub fn loading() -> impl IntoView {
    view! { <p class="loading" role="status">{i18n::text("common.loading")}</p> }
}
