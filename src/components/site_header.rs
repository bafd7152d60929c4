//! The header of a branded deployment: the logo and the app's name (see [`crate::branding`]).

use leptos::prelude::*;

use crate::branding::Branding;

/// Nothing for an unbranded deployment. With a logo, the image carries the name (its `alt`) and the visible name
/// beside it is hidden from assistive technology, so the name is announced once.
#[component]
pub fn SiteHeader(branding: Branding) -> impl IntoView {
    branding.has_header().then(|| {
        let name = branding.name().to_owned();
        let has_logo = branding.logo_url.is_some();
        let logo = branding.logo_url.clone().map(|src| {
            let alt = name.clone();
            view! { <img class="site-logo" src=src alt=alt data-testid="site-logo" /> }
        });
        view! {
            <header class="site-header">
                {logo}
                <span class="site-name" data-testid="site-name" aria-hidden=has_logo.then_some("true")>{name}</span>
            </header>
        }
    })
}
