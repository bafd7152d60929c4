//! Any path that is not a route.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::app::app_href;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <main class="plain-page">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address. " <A href=app_href("/login")>"Go to sign in"</A></p>
        </main>
    }
}
