//! `/login`: `<passage-login>`.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use send_wrapper::SendWrapper;

use crate::auth_server_check::use_auth_server_problem;
use crate::auth_success::complete_sign_in;
use crate::components::passage_host::{create_auth_element, ElementSlot};
use crate::config::AppConfig;
use crate::element_input_labels::use_element_input_labels;
use crate::i18n::{self, Msg};
use crate::keyboard_link_buttons::use_keyboard_link_buttons;
use crate::pages::{auth_heading, once_element_is_loaded};
use crate::passage_elements::PassageElement;
use crate::routes::AppRoute;
use crate::view_focus::use_focus_follows_view;

#[component]
pub fn LoginPage() -> impl IntoView {
    view! {
        <main class="auth-page">
            <h1>{auth_heading("login.title", "login.title_app")}</h1>
            {once_element_is_loaded(PassageElement::Login, || view! { <LoginForm /> })}
            <p class="switch-page">
                {i18n::with_slots(Msg::new("login.new_here"), i18n::link_slot(AppRoute::Register.href(), "login.create_account"))}
            </p>
        </main>
    }
}

#[component]
fn LoginForm() -> impl IntoView {
    let config = expect_context::<AppConfig>();
    let status = RwSignal::new(None::<Msg>);
    let navigate = use_navigate();
    // No name field here: onSuccess only finishes a profile this browser still has in its outbox.
    let on_success = {
        let config = config.clone();
        Box::new(move |result, identifier| {
            let navigate = navigate.clone();
            leptos::task::spawn_local(complete_sign_in(
                config.clone(),
                result,
                identifier,
                None,
                status,
                move |path: &str| navigate(path, Default::default()),
            ));
        })
    };
    let element = match create_auth_element(PassageElement::Login, &config.app_id, None, on_success) {
        Ok(element) => element,
        Err(error) => {
            let problem = Msg::new("login.create_failed").text("detail", format!("{error:?}"));
            return view! { <p class="error-box" role="alert">{move || i18n::tr(&problem)}</p> }.into_any();
        }
    };
    use_keyboard_link_buttons(element.clone());
    use_element_input_labels(element.clone());
    use_focus_follows_view(element.clone(), None);
    let auth_problem = use_auth_server_problem(element.clone(), config.clone());
    let auth_problem_shown = auth_problem.clone();
    view! {
        {move || auth_problem.get().map(|message| view! { <div class="error-box" role="alert"><p>{move || i18n::tr(&message)}</p></div> })}
        // Once the page has explained the failure, the element's notice (possibly a bare i18n key) only confuses.
        <div hidden=move || auth_problem_shown.with(Option::is_some)>
            <ElementSlot element=SendWrapper::new(element) class="element-slot" />
        </div>
        <p class="status" role="status">{move || status.try_get().flatten().map(|status| i18n::tr(&status))}</p>
    }
    .into_any()
}
