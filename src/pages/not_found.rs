//! Any path that is not a route.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::routes::AppRoute;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <main class="plain-page">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address. " <A href=AppRoute::Login.href()>"Go to sign in"</A></p>
        </main>
    }
}
