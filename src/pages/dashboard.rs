//! `/dashboard`: who is signed in, the profile name (a pending one is finished by the signed-in route), the way to
//! the account page, and signing out.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::config::AppConfig;
use crate::i18n::{self, Msg};
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
    let email = user.email;
    view! {
        <main class="dashboard">
            <h1>
                {move || match profile.saved_name.get() {
                    Some(name) => i18n::tr(&Msg::new("dashboard.welcome_name").text("name", name)),
                    None => i18n::t("dashboard.welcome"),
                }}
            </h1>
            <p class="signed-in-as">
                {i18n::with_slots(Msg::new("dashboard.signed_in_as"), move |slot| {
                    let email = email.clone();
                    (slot == "email").then(move || view! {
                        <strong>{move || email.clone().unwrap_or_else(|| i18n::t("dashboard.email_unknown"))}</strong>
                    })
                })}
            </p>
            <p class="status" role="status">{move || profile.saving.get().then(|| i18n::t("common.saving_profile"))}</p>
            <p class="field-error" role="alert">{move || profile.problem.get().map(|problem| i18n::tr(&problem))}</p>
            <p class="profile-hint" hidden=move || profile.saved_name.with(Option::is_some) || profile.saving.get()>
                {i18n::text("dashboard.no_name")}
            </p>
            <nav class="page-links">
                <A href=AppRoute::Account.href() attr:data-testid="account-link">{i18n::text("dashboard.account_link")}</A>
            </nav>
            <button type="button" class="secondary" data-testid="sign-out" on:click=sign_out>{i18n::text("common.sign_out")}</button>
        </main>
    }
}
