//! Any path that is not a route.

use leptos::prelude::*;

use crate::i18n::{self, Msg};
use crate::routes::AppRoute;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    // A mistyped path under `/register/` got the register element from the HTML; this page shows instead.
    crate::early_element::discard();
    view! {
        <main class="plain-page">
            <h1>{i18n::text("not_found.title")}</h1>
            <p>
                {i18n::with_slots(Msg::new("not_found.text"), i18n::link_slot(AppRoute::Login.href(), "not_found.link"))}
            </p>
        </main>
    }
}
