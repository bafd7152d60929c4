//! `/register`: the name field, `<passage-register>`, and the "log in" footer.

use contract::validate_name;
use leptos::html::Input;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use send_wrapper::SendWrapper;

use crate::auth_server_check::use_auth_server_problem;
use crate::auth_success::complete_sign_in;
use crate::components::name_field::{self, NameField};
use crate::components::passage_host::{create_auth_element, ElementSlot};
use crate::config::AppConfig;
use crate::early_element;
use crate::element_input_labels::use_element_input_labels;
use crate::email_view::use_email_view_shown;
use crate::i18n::{self, Msg};
use crate::keyboard_link_buttons::use_keyboard_link_buttons;
use crate::pages::{auth_heading, once_element_is_loaded};
use crate::passage_elements::PassageElement;
use crate::profile_outbox::{PendingProfile, ProfileOutbox};
use crate::routes::AppRoute;
use crate::view_focus::use_focus_follows_view;

#[component]
pub fn RegisterPage() -> impl IntoView {
    view! {
        <main class="auth-page">
            <h1>{auth_heading("register.title", "register.title_app")}</h1>
            {once_element_is_loaded(PassageElement::Register, || view! { <RegisterForm /> })}
        </main>
    }
}

/// The page once the element is defined.
#[component]
fn RegisterForm() -> impl IntoView {
    let config = expect_context::<AppConfig>();
    let name = RwSignal::new(String::new());
    let name_error = RwSignal::new(None::<Msg>);
    let name_input = NodeRef::<Input>::new();
    let status = RwSignal::new(None::<Msg>);
    let navigate = use_navigate();

    // beforeAuth: the element asks before it registers the e-mail. Refusing here is the only point where the name
    // can still be fixed, since the field disappears with the e-mail view.
    let before_auth =
        Box::new(move |identifier: String| match validate_name(&name.try_get_untracked().unwrap_or_default()) {
            Err(error) => {
                name_field::report(name_error, name_input, name_field::error_msg(&error));
                false
            }
            Ok(valid) => {
                name_error.set(None);
                let written =
                    ProfileOutbox::local().and_then(|outbox| outbox.write(&PendingProfile { identifier, name: valid }));
                if let Err(error) = written {
                    // Not fatal: this tab still has the name for onSuccess; only a magic link opened elsewhere loses it.
                    leptos::logging::warn!("the name could not be kept for later: {error}");
                }
                true
            }
        });
    let on_success = {
        let config = config.clone();
        Box::new(move |result, identifier| {
            let navigate = navigate.clone();
            leptos::task::spawn_local(complete_sign_in(
                config.clone(),
                result,
                identifier,
                name.try_get_untracked(),
                status,
                move |path: &str| navigate(path, Default::default()),
            ));
        })
    };

    let element = match create_auth_element(PassageElement::Register, &config.app_id, Some(before_auth), on_success) {
        Ok(element) => element,
        Err(error) => {
            let problem = Msg::new("register.create_failed").text("detail", format!("{error:?}"));
            return view! { <p class="error-box" role="alert">{move || i18n::tr(&problem)}</p> }.into_any();
        }
    };
    // A Continue pressed on the element the HTML created, before this page was there, was refused without a word:
    // say now what it lacks (the name field is empty: nothing could be typed into it yet).
    if early_element::refused_a_continue(&element) {
        if let Err(error) = validate_name(&name.get_untracked()) {
            name_error.set(Some(name_field::error_msg(&error)));
        }
    }
    let email_view = use_email_view_shown(element.clone());
    let email_view_for_footer = email_view.clone();
    use_keyboard_link_buttons(element.clone());
    use_element_input_labels(element.clone());
    use_focus_follows_view(element.clone(), Some(name_input));
    let auth_problem = use_auth_server_problem(element.clone(), config.clone());
    let auth_problem_shown = auth_problem.clone();

    view! {
        {move || auth_problem.get().map(|message| view! { <div class="error-box" role="alert"><p>{move || i18n::tr(&message)}</p></div> })}
        <div class="name-step" hidden=move || !email_view.get()>
            <NameField value=name error=name_error input_ref=name_input />
        </div>
        // Once the page has explained the failure, the element's notice (possibly a bare i18n key) only confuses.
        <div hidden=move || auth_problem_shown.with(Option::is_some)>
            <ElementSlot element=SendWrapper::new(element) class="element-slot" />
        </div>
        <p class="status" role="status">{move || status.try_get().flatten().map(|status| i18n::tr(&status))}</p>
        <p class="switch-page" hidden=move || !email_view_for_footer.get()>
            {i18n::with_slots(Msg::new("register.have_account"), i18n::link_slot(AppRoute::Login.href(), "register.log_in"))}
        </p>
    }
    .into_any()
}
