//! `/account`: the profile name, `<passage-profile>` (passkeys and e-mail), the sign-in sessions, and deleting the
//! account. Under the signed-in route, which has loaded the user.

use leptos::ev::SubmitEvent;
use leptos::html::Input;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use send_wrapper::SendWrapper;

use crate::account_deletion;
use crate::api;
use crate::components::name_field::{self, NameField};
use crate::components::passage_host::{self, ElementSlot};
use crate::config::AppConfig;
use crate::element_input_labels::use_element_input_labels;
use crate::i18n::{self, Msg};
use crate::keyboard_link_buttons::use_keyboard_link_buttons;
use crate::pages::loading;
use crate::pages::signed_in::use_signed_in_user;
use crate::passage_elements::{self, PassageElement};
use crate::profile_save::use_profile_save;
use crate::routes::AppRoute;
use crate::session::{self, SessionError};
use crate::sessions::{self, SessionInfo};

/// `navigate(path)` for the async tasks of this page.
fn navigator() -> impl Fn(&str) + Clone + 'static {
    let navigate = use_navigate();
    move |path: &str| navigate(path, Default::default())
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let deleted = RwSignal::new(false);
    view! {
        <Show when=move || !deleted.get() fallback=AccountDeleted>
            <main class="account">
                <p class="back-link">
                    <A href=AppRoute::Dashboard.href() attr:data-testid="back-to-dashboard">{i18n::text("account.back")}</A>
                </p>
                <h1>{i18n::text("account.title")}</h1>
                <NameSection />
                <PasskeysSection />
                <SessionsSection />
                <DeleteAccountSection deleted />
            </main>
        </Show>
    }
}

/// The page after a successful deletion: this browser is signed out; the way back is a new registration.
#[component]
fn AccountDeleted() -> impl IntoView {
    view! {
        <main class="plain-page" data-testid="account-deleted">
            <h1>{i18n::text("account.deleted.title")}</h1>
            <p>{i18n::text("account.deleted.text")}</p>
            <p><A href=AppRoute::Register.href()>{i18n::text("account.deleted.register")}</A></p>
        </main>
    }
}

/// Editing the profile name (the one place for it).
#[component]
fn NameSection() -> impl IntoView {
    let config = expect_context::<AppConfig>();
    let profile = use_profile_save();
    let draft = RwSignal::new(profile.saved_name.get_untracked().unwrap_or_default());
    // A pending name finished after the page opened fills an untouched field.
    Effect::new(move |_| {
        if let Some(name) = profile.saved_name.get() {
            if draft.get_untracked().is_empty() {
                draft.set(name);
            }
        }
    });
    let draft_error = RwSignal::new(None::<Msg>);
    let draft_input = NodeRef::<Input>::new();
    let navigate = navigator();
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        match name_field::check(&draft.get_untracked()) {
            Ok(name) => {
                draft_error.set(None);
                profile.save(&config, name, navigate.clone());
            }
            Err(message) => name_field::report(draft_error, draft_input, message),
        }
    };
    view! {
        <section class="profile" data-testid="name-section">
            <h2>
                {move || i18n::t(if profile.saved_name.with(Option::is_none) { "account.profile.title_incomplete" } else { "account.profile.title" })}
            </h2>
            <form on:submit=on_submit novalidate>
                <NameField value=draft error=draft_error input_ref=draft_input />
                <button type="submit" data-testid="save-name" disabled=move || profile.saving.get()>{i18n::text("account.profile.save")}</button>
            </form>
            <p class="status" role="status">{move || profile.saving.get().then(|| i18n::t("common.saving_profile"))}</p>
            <p class="field-error" role="alert">{move || profile.problem.get().map(|problem| i18n::tr(&problem))}</p>
        </section>
    }
}

/// Why `<passage-profile>` is not shown.
#[derive(Debug, Clone)]
enum ElementProblem {
    Session(SessionError),
    Load(passage_elements::ElementLoadError),
}

/// `<passage-profile>`, loaded only on this page. The token is renewed first, so the element finds a fresh one and
/// never refreshes by itself (two refreshers with one rotating refresh token would end the session).
#[component]
fn PasskeysSection() -> impl IntoView {
    let config = expect_context::<AppConfig>();
    let ready = LocalResource::new({
        let config = config.clone();
        move || {
            let config = config.clone();
            async move {
                session::usable_token(&config).await.map_err(ElementProblem::Session)?;
                passage_elements::load(&config, PassageElement::Profile).await.map_err(ElementProblem::Load)
            }
        }
    });
    let navigate = navigator();
    view! {
        <section class="passkeys" data-testid="passkeys-section">
            <h2>{i18n::text("passkeys.title")}</h2>
            // The element shows only "failed" when the auth server asks for a fresh sign-in (401
            // insufficient_user_authentication, PROFILE-API.md §2.4): say beforehand what it needs.
            <p class="section-hint">{i18n::text("passkeys.hint")}</p>
            <Suspense fallback=loading>
                {move || {
                    let (config, navigate) = (config.clone(), navigate.clone());
                    Suspend::new(async move {
                        let problem = match ready.await {
                            Ok(()) => match passage_host::create(PassageElement::Profile, &config.app_id) {
                                Ok(element) => {
                                    use_element_input_labels(element.clone());
                                    use_keyboard_link_buttons(element.clone());
                                    return view! { <ElementSlot element=SendWrapper::new(element) class="element-slot" /> }
                                        .into_any()
                                }
                                Err(error) => Msg::new("passkeys.create_failed").text("detail", format!("{error:?}")),
                            },
                            Err(ElementProblem::Session(SessionError::Ended)) => {
                                navigate(AppRoute::Login.path());
                                return ().into_any();
                            }
                            Err(ElementProblem::Session(failure)) => {
                                Msg::new("passkeys.unavailable").msg("reason", failure.to_msg())
                            }
                            Err(ElementProblem::Load(error)) => error.to_msg(),
                        };
                        view! { <p class="error-box" role="alert">{move || i18n::tr(&problem)}</p> }.into_any()
                    })
                }}
            </Suspense>
        </section>
    }
}

/// The user's sessions, with "Sign out" for each other one and "Sign out everywhere".
#[component]
fn SessionsSection() -> impl IntoView {
    let config = expect_context::<AppConfig>();
    let reload = RwSignal::new(0_u32);
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(None::<Msg>);
    let list = LocalResource::new({
        let config = config.clone();
        move || {
            reload.track();
            let config = config.clone();
            async move { session::authorized(&config, async |token| sessions::list(&config, token).await).await }
        }
    });
    let navigate = navigator();

    let end_one = {
        let (config, navigate) = (config.clone(), navigate.clone());
        move |id: String| {
            let (config, navigate) = (config.clone(), navigate.clone());
            busy.set(true);
            problem.set(None);
            leptos::task::spawn_local(async move {
                match session::authorized(&config, async |token| sessions::end(&config, token, &id).await).await {
                    Ok(()) => {
                        reload.try_update(|n| *n += 1);
                    }
                    Err(SessionError::Ended) => navigate(AppRoute::Login.path()),
                    Err(failure) => {
                        problem.try_set(Some(Msg::new("sessions.end_failed").msg("reason", failure.to_msg())));
                    }
                }
                busy.try_set(false);
            });
        }
    };
    let end_all = {
        let (config, navigate) = (config.clone(), navigate.clone());
        move |_| {
            let (config, navigate) = (config.clone(), navigate.clone());
            busy.set(true);
            problem.set(None);
            leptos::task::spawn_local(async move {
                match session::authorized(&config, async |token| sessions::end_all(&config, token).await).await {
                    // This browser's session is among them: it is signed out too.
                    Ok(()) => {
                        session::clear();
                        navigate(AppRoute::Login.path());
                    }
                    Err(SessionError::Ended) => navigate(AppRoute::Login.path()),
                    Err(failure) => {
                        problem.try_set(Some(Msg::new("sessions.end_all_failed").msg("reason", failure.to_msg())));
                        busy.try_set(false);
                    }
                }
            });
        }
    };

    view! {
        <section class="sessions" data-testid="sessions-section">
            <h2>{i18n::text("sessions.title")}</h2>
            <Transition fallback=loading>
                {move || {
                    let (navigate, end_one) = (navigate.clone(), end_one.clone());
                    Suspend::new(async move {
                        match list.await {
                            Ok(list) => session_list(list, busy, end_one).into_any(),
                            Err(SessionError::Ended) => {
                                navigate(AppRoute::Login.path());
                                ().into_any()
                            }
                            Err(failure) => view! {
                                <p class="error-box" role="alert" data-testid="sessions-error">
                                    {move || i18n::tr(&Msg::new("sessions.list_failed").msg("reason", failure.to_msg()))}
                                </p>
                            }
                            .into_any(),
                        }
                    })
                }}
            </Transition>
            <p class="field-error" role="alert" data-testid="sessions-problem">{move || problem.get().map(|problem| i18n::tr(&problem))}</p>
            <button type="button" class="secondary" data-testid="end-all-sessions" disabled=move || busy.get() on:click=end_all>
                {i18n::text("sessions.end_all")}
            </button>
        </section>
    }
}

/// The list; every value from the server is a text node.
fn session_list(
    list: Vec<SessionInfo>,
    busy: RwSignal<bool>,
    end_one: impl Fn(String) + Clone + 'static,
) -> impl IntoView {
    let items = list
        .into_iter()
        .map(|session| {
            let end_one = end_one.clone();
            let id = session.id.clone();
            let times = match session.signed_in_with() {
                Some(how) => Msg::new("sessions.times_with").msg("method", how),
                None => Msg::new("sessions.times"),
            };
            let (created, last_used) = (session.created_at.clone(), session.last_used_at.clone());
            let agent = (!session.user_agent.is_empty()).then(|| session.user_agent.clone());
            let device = session.device();
            view! {
                <li class="session" data-testid="session" data-current=session.current.to_string()>
                    <span class="session-device">{move || i18n::tr(&device)}</span>
                    {session.current.then(|| view! { <span class="badge" data-testid="this-device">{i18n::text("sessions.this_device")}</span> })}
                    {agent.map(|agent| view! { <span class="session-agent">{agent}</span> })}
                    <span class="session-times">
                        {i18n::with_slots(times, move |slot| {
                            let at = match slot {
                                "created" => created.clone(),
                                "last_used" => last_used.clone(),
                                _ => return None,
                            };
                            Some(view! { <time datetime=at.clone()>{sessions::when(&at)}</time> })
                        })}
                    </span>
                    {(!session.current).then(|| view! {
                        <button type="button" class="secondary small" data-testid="end-session"
                            disabled=move || busy.get() on:click=move |_| end_one(id.clone())>
                            {i18n::text("common.sign_out")}
                        </button>
                    })}
                </li>
            }
        })
        .collect_view();
    view! { <ul class="session-list" data-testid="session-list">{items}</ul> }
}

/// Where deleting the account stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DeleteStep {
    Closed,
    Confirming,
    Deleting,
}

/// "Delete account", then a confirmation naming what goes, then `DELETE /user`.
#[component]
fn DeleteAccountSection(deleted: RwSignal<bool>) -> impl IntoView {
    let config = expect_context::<AppConfig>();
    let user = use_signed_in_user();
    let profile = use_profile_save();
    let step = RwSignal::new(DeleteStep::Closed);
    let passkeys = RwSignal::new(None::<usize>);
    let problem = RwSignal::new(None::<Msg>);
    let navigate = navigator();

    let open = {
        let config = config.clone();
        move |_| {
            step.set(DeleteStep::Confirming);
            problem.set(None);
            let config = config.clone();
            leptos::task::spawn_local(async move {
                // Only for the wording: without the count the confirmation still names the passkeys.
                match session::authorized(&config, async |token| account_deletion::passkey_count(&config, token).await)
                    .await
                {
                    Ok(count) => {
                        passkeys.try_set(Some(count));
                    }
                    Err(failure) => leptos::logging::warn!("counting the passkeys failed: {failure:?}"),
                }
            });
        }
    };
    let confirm = move |_| {
        let (config, navigate) = (config.clone(), navigate.clone());
        step.set(DeleteStep::Deleting);
        problem.set(None);
        leptos::task::spawn_local(async move {
            match session::authorized(&config, async |token| api::delete_user(&config.api_url, token).await).await {
                Ok(()) => {
                    session::clear();
                    deleted.try_set(true);
                }
                Err(SessionError::Ended) => navigate(AppRoute::Login.path()),
                Err(SessionError::Failed(failure)) => {
                    problem.try_set(Some(Msg::new("delete.failed").msg("reason", failure.to_msg())));
                    step.try_set(DeleteStep::Confirming);
                }
            }
        });
    };
    let email = user.email.clone();
    let lines = move || {
        account_deletion::what_is_deleted(profile.saved_name.get().as_deref(), passkeys.get(), email.as_deref())
    };

    view! {
        <section class="danger-zone" data-testid="delete-section">
            <h2>{i18n::text("delete.title")}</h2>
            <button type="button" class="danger" data-testid="delete-account" hidden=move || step.get() != DeleteStep::Closed on:click=open>
                {i18n::text("delete.open")}
            </button>
            <div class="confirm-box" role="alertdialog" aria-labelledby="delete-confirm-title"
                data-testid="delete-confirmation" hidden=move || step.get() == DeleteStep::Closed>
                <p id="delete-confirm-title"><strong>{i18n::text("delete.intro")}</strong></p>
                <ul data-testid="delete-list">
                    {move || lines().into_iter().map(|line| view! { <li>{i18n::tr(&line)}</li> }).collect_view()}
                </ul>
                <p>{i18n::text("delete.cannot_undo")}</p>
                <p class="field-error" role="alert" data-testid="delete-problem">{move || problem.get().map(|problem| i18n::tr(&problem))}</p>
                <div class="button-row">
                    <button type="button" class="danger" data-testid="confirm-delete"
                        disabled=move || step.get() == DeleteStep::Deleting on:click=confirm>
                        {move || i18n::t(match (step.get(), problem.with(Option::is_some)) {
                            (DeleteStep::Deleting, _) => "delete.deleting",
                            (_, true) => "delete.retry",
                            _ => "delete.confirm",
                        })}
                    </button>
                    <button type="button" class="secondary" data-testid="cancel-delete"
                        disabled=move || step.get() == DeleteStep::Deleting
                        on:click=move |_| { step.set(DeleteStep::Closed); problem.set(None); }>
                        {i18n::text("delete.cancel")}
                    </button>
                </div>
            </div>
        </section>
    }
}
