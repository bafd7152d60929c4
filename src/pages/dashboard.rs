//! `/dashboard`: who is signed in, the profile name (a pending one is finished by the signed-in route), the way to
//! the account page, and signing out.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::config::AppConfig;
use crate::pages::signed_in::use_signed_in_user;
use crate::profile_save::use_profile_save;
use crate::routes::AppRoute;
use crate::session;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let config = expect_context::<AppConfig>();
    let user = use_signed_in_user();
    let profile = use_profile_save();
    let navigate = use_navigate();
    let sign_out = move |_| {
        let (config, navigate) = (config.clone(), navigate.clone());
        leptos::task::spawn_local(async move {
            session::sign_out(&config).await;
            navigate(AppRoute::Login.path(), Default::default());
        });
    };
    let email = user.email.unwrap_or_else(|| "(e-mail address not available)".to_owned());
    view! {
        <main class="dashboard">
            <h1>
                {move || match profile.saved_name.get() {
                    Some(name) => format!("Welcome {name}!"),
                    None => "Welcome!".to_owned(),
                }}
            </h1>
            <p class="signed-in-as">"Signed in as " <strong>{email}</strong></p>
            <p class="status" role="status">{move || profile.saving.get().then_some("Saving your profile…")}</p>
            <p class="field-error" role="alert">{move || profile.problem.get()}</p>
            <p class="profile-hint" hidden=move || profile.saved_name.with(Option::is_some) || profile.saving.get()>
                "Your profile has no name yet. Add it in your account settings."
            </p>
            <nav class="page-links">
                <A href=AppRoute::Account.href() attr:data-testid="account-link">"Account settings"</A>
            </nav>
            <button type="button" class="secondary" data-testid="sign-out" on:click=sign_out>"Sign out"</button>
        </main>
    }
}
