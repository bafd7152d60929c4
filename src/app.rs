//! The root: load the configuration, then the router with the four routes.

use leptos::prelude::*;
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::path;

use crate::config::AppConfig;
use crate::pages::config_error::ConfigErrorPage;
use crate::pages::dashboard::DashboardPage;
use crate::pages::loading;
use crate::pages::login::LoginPage;
use crate::pages::not_found::NotFoundPage;
use crate::pages::register::RegisterPage;
use crate::{app_path, browser, config_loader};

/// The router base (see [`app_path::router_base`]), provided to the pages for building links.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RouterBase(pub String);

/// The `href` of an app route, including the router base (`/login` → `/sub/login` under `/sub/`).
pub fn app_href(route: &str) -> String {
    let base = use_context::<RouterBase>().unwrap_or_default();
    app_path::href(&base.0, route)
}

#[component]
pub fn App() -> impl IntoView {
    let config = LocalResource::new(config_loader::load_config);
    view! {
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                match config.await {
                    Ok(config) => view! { <ConfiguredApp config /> }.into_any(),
                    Err(error) => view! { <ConfigErrorPage error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The app once `config.json` is valid. The router's base is the document base's path, so the same build works
/// at `/` and under a sub-path, and a static host's SPA fallback (serving index.html for any path) lands here.
#[component]
pub fn ConfiguredApp(config: AppConfig) -> impl IntoView {
    provide_context(config);
    let base = app_path::router_base(&browser::document_base());
    provide_context(RouterBase(base.clone()));
    view! {
        <Router base>
            <Routes fallback=NotFoundPage>
                <Route path=path!("/") view=|| view! { <Redirect path="/login" /> } />
                <Route path=path!("/login") view=LoginPage />
                <Route path=path!("/register") view=RegisterPage />
                <Route path=path!("/dashboard") view=DashboardPage />
            </Routes>
        </Router>
    }
}

/// Mounts the app on `<body>` (the bin's `main`).
pub fn mount() {
    leptos::mount::mount_to_body(App);
}
