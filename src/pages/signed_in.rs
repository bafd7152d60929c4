//! The parent route of the signed-in pages (`/dashboard`, `/account`): it gets a usable token (renewing it if
//! needed), loads `GET /user` (retrying while the backend is away, and saying so), provides the user and the
//! [`ProfileSave`] to the pages, finishes a name left in the outbox, and sends a visitor without a session to
//! `/login`.

use contract::CurrentUser;
use leptos::prelude::*;
use leptos_router::components::Outlet;
use leptos_router::hooks::use_navigate;

use crate::api::{self, AttemptFailure as _};
use crate::config::AppConfig;
use crate::i18n::{self, Msg};
use crate::pages::error_list;
use crate::profile_outbox::ProfileOutbox;
use crate::profile_save::ProfileSave;
use crate::retry;
use crate::routes::AppRoute;
use crate::session::{self, SessionError};

/// Who is signed in, for the pages under the signed-in route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedInUser {
    pub id: String,
    /// `None` when the backend could not ask the auth server.
    pub email: Option<String>,
}

/// The current [`SignedInUser`].
pub fn use_signed_in_user() -> SignedInUser {
    expect_context::<SignedInUser>()
}

#[component]
pub fn SignedIn() -> impl IntoView {
    let config = expect_context::<AppConfig>();
    // While the backend or the auth server is away (stopped, restarting, offline), the page keeps asking and says
    // so in words; it loads by itself once they answer.
    let waiting = RwSignal::new(None::<Msg>);
    let user = LocalResource::new(move || {
        let config = config.clone();
        async move {
            api::keep_trying(
                || session::authorized(&config, async |token| api::current_user(&config.api_url, token).await),
                |failure: &SessionError| {
                    leptos::logging::warn!("loading the profile failed; retrying: {failure:?}");
                    let name_pending = ProfileOutbox::local().ok().and_then(|outbox| outbox.read()).is_some();
                    waiting.try_set(Some(retry::waiting_message(failure.status(), name_pending)));
                },
                // The page is gone once its signal is disposed.
                || waiting.try_get_untracked().is_some(),
            )
            .await
        }
    });
    let loading_or_waiting = move || {
        view! {
            <main class="plain-page">
                <p class="status" role="status">
                    {move || waiting.with(|waiting| waiting.as_ref().map_or_else(|| i18n::t("common.loading"), i18n::tr))}
                </p>
            </main>
        }
    };
    let navigate = use_navigate();
    view! {
        <Suspense fallback=loading_or_waiting>
            <ErrorBoundary fallback=|errors| view! { <main class="plain-page">{error_list(errors)}</main> }>
                {move || {
                    let navigate = navigate.clone();
                    Suspend::new(async move {
                        match user.await {
                            Ok(user) => Ok(view! { <SignedInPages user /> }.into_any()),
                            Err(SessionError::Ended) => {
                                navigate(AppRoute::Login.path(), Default::default());
                                Ok(().into_any())
                            }
                            Err(SessionError::Failed(failure)) => Err(failure),
                        }
                    })
                }}
            </ErrorBoundary>
        </Suspense>
    }
}

/// Provides what the pages share, then renders the matched page.
#[component]
fn SignedInPages(user: CurrentUser) -> impl IntoView {
    let config = expect_context::<AppConfig>();
    let profile = ProfileSave::new(&user);
    provide_context(profile);
    provide_context(SignedInUser { id: user.id.clone(), email: user.email.clone() });
    let navigate = use_navigate();
    profile.finish_pending(&config, &user, move |path| navigate(path, Default::default()));
    view! { <Outlet /> }
}
