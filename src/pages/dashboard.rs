//! `/dashboard`: who is signed in, the profile name (finishing a pending one), editing it, and signing out.

use contract::CurrentUser;
use leptos::ev::SubmitEvent;
use leptos::html::Input;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_navigate;

use crate::api::{self, ApiFailure};
use crate::components::name_field::{self, NameField};
use crate::config::AppConfig;
use crate::pages::error_list;
use crate::profile_outbox::ProfileOutbox;
use crate::{retry, session};

#[component]
pub fn DashboardPage() -> impl IntoView {
    let config = expect_context::<AppConfig>();
    // No token in this browser: nothing to show. (The backend is the judge of a token that exists.)
    let Some(token) = session::auth_token() else {
        return view! { <Redirect path="/login" /> }.into_any();
    };
    // While the backend is away (stopped, restarting, offline), the page keeps asking and says so in words; it
    // loads by itself once the backend answers.
    let waiting = RwSignal::new(None::<&'static str>);
    let user = LocalResource::new({
        let token = token.clone();
        move || {
            let (api_url, token) = (config.api_url.clone(), token.clone());
            async move {
                api::keep_trying(
                    || api::current_user(&api_url, &token),
                    |failure| {
                        leptos::logging::warn!("loading the profile failed; retrying: {failure:?}");
                        let name_pending = ProfileOutbox::local().ok().and_then(|outbox| outbox.read()).is_some();
                        waiting.try_set(Some(retry::waiting_message(failure.status(), name_pending)));
                    },
                    // The page is gone once its signal is disposed.
                    || waiting.try_get_untracked().is_some(),
                )
                .await
            }
        }
    });
    let loading_or_waiting =
        move || view! { <p class="status" role="status">{move || waiting.get().unwrap_or("Loading…")}</p> };
    let navigate = use_navigate();
    view! {
        <main class="dashboard">
            <Suspense fallback=loading_or_waiting>
                <ErrorBoundary fallback=error_list>
                    {move || {
                        let (token, navigate) = (token.clone(), navigate.clone());
                        Suspend::new(async move {
                            match user.await {
                                Ok(user) => Ok(view! { <Dashboard user token /> }.into_any()),
                                // Expired or revoked token: sign in again.
                                Err(failure) if failure.status() == Some(401) => {
                                    navigate("/login", Default::default());
                                    Ok(().into_any())
                                }
                                Err(failure) => Err(failure),
                            }
                        })
                    }}
                </ErrorBoundary>
            </Suspense>
        </main>
    }
    .into_any()
}

/// What the page knows about the profile save in progress.
#[derive(Clone, Copy)]
struct ProfileState {
    /// The name the backend has (`None` until saved).
    saved_name: RwSignal<Option<String>>,
    saving: RwSignal<bool>,
    /// The last error, as the backend (or the network) put it.
    problem: RwSignal<Option<String>>,
}

#[component]
fn Dashboard(user: CurrentUser, token: String) -> impl IntoView {
    let config = expect_context::<AppConfig>();
    let navigate = use_navigate();
    let state = ProfileState {
        saved_name: RwSignal::new(user.name.clone()),
        saving: RwSignal::new(false),
        problem: RwSignal::new(None),
    };
    let draft = RwSignal::new(user.name.clone().unwrap_or_default());
    let draft_error = RwSignal::new(None::<String>);
    let draft_input = NodeRef::<Input>::new();

    let outbox = ProfileOutbox::local().ok();
    let pending = outbox.as_ref().and_then(ProfileOutbox::read).filter(|entry| {
        // The outbox belongs to this browser, not to this user: only finish an entry typed for this account.
        user.email.as_deref().is_none_or(|email| entry.is_for(email))
    });
    match (&user.name, pending) {
        (None, Some(entry)) => {
            let (config, token, navigate) = (config.clone(), token.clone(), navigate.clone());
            leptos::task::spawn_local(async move {
                flush_outbox(&config, &token, entry.name, state, move |path| navigate(path, Default::default())).await;
            });
        }
        // The backend already has a name; an entry for this account is a leftover from an attempt that did save.
        (Some(_), Some(_)) => {
            if let Some(outbox) = &outbox {
                outbox.clear();
            }
        }
        _ => {}
    }

    let on_submit = {
        let (config, token, navigate) = (config.clone(), token.clone(), navigate.clone());
        move |event: SubmitEvent| {
            event.prevent_default();
            let name = match name_field::check(&draft.get_untracked()) {
                Ok(name) => name,
                Err(message) => return name_field::report(draft_error, draft_input, message),
            };
            draft_error.set(None);
            let (config, token, navigate) = (config.clone(), token.clone(), navigate.clone());
            leptos::task::spawn_local(async move {
                save(&config, &token, &name, state, move |path| navigate(path, Default::default())).await;
            });
        }
    };

    let sign_out = {
        let (config, navigate) = (config.clone(), navigate.clone());
        move |_| {
            let (config, navigate) = (config.clone(), navigate.clone());
            leptos::task::spawn_local(async move {
                // Revoking is best effort: the local session is cleared whether or not the auth server answers.
                if let Some(refresh_token) = session::refresh_token() {
                    if let Err(failure) = api::revoke_refresh_token(&config, &refresh_token).await {
                        leptos::logging::warn!("revoking the refresh token failed: {failure:?}");
                    }
                }
                session::clear();
                navigate("/login", Default::default());
            });
        }
    };

    let email = user.email.clone().unwrap_or_else(|| "(e-mail address not available)".to_owned());
    view! {
        <h1>
            {move || match state.saved_name.get() {
                Some(name) => format!("Welcome {name}!"),
                None => "Welcome!".to_owned(),
            }}
        </h1>
        <p class="signed-in-as">"Signed in as " <strong>{email}</strong></p>
        <p class="status" role="status">{move || state.saving.get().then_some("Saving your profile…")}</p>
        <section class="profile">
            <h2>
                {move || if state.saved_name.with(Option::is_none) { "Complete your profile" } else { "Your name" }}
            </h2>
            <form on:submit=on_submit novalidate>
                <NameField value=draft error=draft_error input_ref=draft_input />
                <button type="submit" disabled=move || state.saving.get()>"Save name"</button>
            </form>
            <p class="field-error" role="alert">{move || state.problem.get()}</p>
        </section>
        <button type="button" class="secondary" on:click=sign_out>"Sign out"</button>
    }
}

/// A save the user asked for ("Save name"): the bounded retry schedule, then the outcome on the page.
async fn save(config: &AppConfig, token: &str, name: &str, state: ProfileState, navigate: impl Fn(&str)) {
    state.saving.try_set(true);
    state.problem.try_set(None);
    let result = api::save_name(&config.api_url, token, name).await;
    state.saving.try_set(false);
    show_outcome(result, name, state, navigate);
}

/// Posts the outbox's name for as long as the page is shown and the failures are transient, showing "Saving your
/// profile…" meanwhile: the name was typed at sign-up and must arrive without the user doing anything.
async fn flush_outbox(config: &AppConfig, token: &str, name: String, state: ProfileState, navigate: impl Fn(&str)) {
    state.saving.try_set(true);
    state.problem.try_set(None);
    let result = api::keep_trying(
        || api::save_name_once(&config.api_url, token, &name),
        |failure| leptos::logging::warn!("saving the pending profile failed; retrying: {failure:?}"),
        // The page is gone (its signals disposed): stop; the outbox keeps the name for the next visit.
        || state.saving.try_get_untracked().is_some(),
    )
    .await;
    if state.saving.try_set(false).is_some() {
        return;
    }
    show_outcome(result, &name, state, navigate);
}

/// Updates the page and the outbox after a save.
fn show_outcome(
    result: Result<contract::SavedProfile, ApiFailure>,
    name: &str,
    state: ProfileState,
    navigate: impl Fn(&str),
) {
    let outbox = ProfileOutbox::local().ok();
    let clear_outbox_if_this = || {
        if let Some(outbox) = &outbox {
            if outbox.read().is_some_and(|entry| entry.name == name) {
                outbox.clear();
            }
        }
    };
    match result {
        Ok(profile) => {
            clear_outbox_if_this();
            state.saved_name.try_set(Some(profile.name));
        }
        Err(ApiFailure::Status { status: 401, .. }) => navigate("/login"),
        Err(failure @ ApiFailure::Status { status: 400, .. }) => {
            // The backend refuses this name; retrying it can never succeed, so do not keep it pending.
            clear_outbox_if_this();
            state.problem.try_set(Some(failure.to_string()));
        }
        Err(failure) => {
            state.problem.try_set(Some(format!("Your name is not saved yet: {failure}")));
        }
    }
}
