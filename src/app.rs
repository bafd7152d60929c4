//! The root: load the configuration, then the router: the two auth pages, and the signed-in pages under their
//! parent route (see [`crate::pages::signed_in`]).

use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::path;

use crate::components::language_picker::LanguagePicker;
use crate::components::site_header::SiteHeader;
use crate::config::AppConfig;
use crate::pages::account::AccountPage;
use crate::pages::config_error::ConfigErrorPage;
use crate::pages::dashboard::DashboardPage;
use crate::pages::loading;
use crate::pages::login::LoginPage;
use crate::pages::not_found::NotFoundPage;
use crate::pages::register::RegisterPage;
use crate::pages::signed_in::SignedIn;
use crate::routes::{AppRoute, RouterBase};
use crate::{app_path, branding_style, browser, config_loader, early_element, i18n};

/// The language's texts and `config.json` load side by side (the language does not depend on the
/// configuration), and the first page waits for both, so it never flashes English before the chosen language.
#[component]
pub fn App() -> impl IntoView {
    let texts = LocalResource::new(i18n::start);
    let config = LocalResource::new(config_loader::load_config);
    view! {
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                texts.await;
                match config.await {
                    Ok(config) => view! { <ConfiguredApp config /> }.into_any(),
                    Err(error) => {
                        early_element::discard();
                        view! { <ConfigErrorPage error /> }.into_any()
                    }
                }
            })}
        </Suspense>
        <LanguagePicker />
    }
}

/// The app once `config.json` is valid. The router's base is the document base's path, so the same build works
/// at `/` and under a sub-path, and a static host's SPA fallback (serving index.html for any path) lands here.
#[component]
pub fn ConfiguredApp(config: AppConfig) -> impl IntoView {
    branding_style::apply(&config.branding);
    let branding = config.branding.clone();
    provide_context(config);
    let base = app_path::router_base(&browser::document_base());
    provide_context(RouterBase(base.clone()));
    view! {
        <SiteHeader branding />
        <Router base>
            <Routes fallback=NotFoundPage>
                <Route path=path!("/") view=|| view! { <Redirect path=AppRoute::Login.path() /> } />
                <Route path=AppRoute::Login.segment() view=LoginPage />
                <Route path=AppRoute::Register.segment() view=RegisterPage />
                // No path of its own: the guard of the signed-in pages.
                <ParentRoute path=() view=SignedIn>
                    <Route path=AppRoute::Dashboard.segment() view=DashboardPage />
                    <Route path=AppRoute::Account.segment() view=AccountPage />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// Mounts the app on `<body>` (the bin's `main`).
pub fn mount() {
    leptos::mount::mount_to_body(App);
}
