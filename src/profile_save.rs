//! Saving the profile name from the signed-in pages: finishing the name kept in the outbox at sign-up, and the
//! edits on the account page. One [`ProfileSave`] per signed-in visit (the signed-in parent route creates it), so
//! the dashboard and the account page show the same name and the same "Saving your profile…".

use contract::{CurrentUser, SavedProfile};
use leptos::prelude::*;

use crate::api;
use crate::config::AppConfig;
use crate::i18n::Msg;
use crate::profile_outbox::ProfileOutbox;
use crate::session::{self, SessionError};

/// The state of the profile name, as signals the pages read.
#[derive(Debug, Clone, Copy)]
pub struct ProfileSave {
    /// The name the backend has (`None` until saved).
    pub saved_name: RwSignal<Option<String>>,
    pub saving: RwSignal<bool>,
    /// The last error, as the backend (or the network) put it.
    pub problem: RwSignal<Option<Msg>>,
}

/// The [`ProfileSave`] of the signed-in pages (provided by their parent route).
pub fn use_profile_save() -> ProfileSave {
    expect_context::<ProfileSave>()
}

impl ProfileSave {
    /// State for `user` as `GET /user` returned it; the caller provides it as context.
    pub fn new(user: &CurrentUser) -> Self {
        ProfileSave {
            saved_name: RwSignal::new(user.name.clone()),
            saving: RwSignal::new(false),
            problem: RwSignal::new(None),
        }
    }

    /// Finishes the name this browser kept at sign-up for `user`, if the backend has none yet: posts it for as
    /// long as the page is shown and the failures are transient (the name was typed at sign-up and must arrive
    /// without the user doing anything). A leftover entry for a user who has a name is dropped.
    pub fn finish_pending(self, config: &AppConfig, user: &CurrentUser, navigate: impl Fn(&str) + 'static) {
        let Ok(outbox) = ProfileOutbox::local() else { return };
        let pending = outbox.read().filter(|entry| {
            // The outbox belongs to this browser, not to this user: only finish an entry typed for this account.
            user.email.as_deref().is_none_or(|email| entry.is_for(email))
        });
        match (&user.name, pending) {
            (None, Some(entry)) => {
                let config = config.clone();
                leptos::task::spawn_local(async move { self.flush(&config, entry.name, navigate).await });
            }
            // The backend already has a name; an entry for this account is a leftover from an attempt that did save.
            (Some(_), Some(_)) => outbox.clear(),
            _ => {}
        }
    }

    async fn flush(self, config: &AppConfig, name: String, navigate: impl Fn(&str)) {
        self.saving.try_set(true);
        self.problem.try_set(None);
        let result = api::keep_trying(
            || session::authorized(config, async |token| api::save_name_once(&config.api_url, token, &name).await),
            |failure| leptos::logging::warn!("saving the pending profile failed; retrying: {failure:?}"),
            // The pages are gone (the signals disposed): stop; the outbox keeps the name for the next visit.
            || self.saving.try_get_untracked().is_some(),
        )
        .await;
        if self.saving.try_set(false).is_some() {
            return;
        }
        self.show_outcome(result, &name, navigate);
    }

    /// A save the user asked for: the bounded retry schedule, then the outcome.
    pub fn save(self, config: &AppConfig, name: String, navigate: impl Fn(&str) + 'static) {
        let config = config.clone();
        leptos::task::spawn_local(async move {
            self.saving.try_set(true);
            self.problem.try_set(None);
            let result =
                session::authorized(&config, async |token| api::save_name(&config.api_url, token, &name).await).await;
            self.saving.try_set(false);
            self.show_outcome(result, &name, navigate);
        });
    }

    /// Updates the signals and the outbox after a save.
    fn show_outcome(self, result: Result<SavedProfile, SessionError>, name: &str, navigate: impl Fn(&str)) {
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
                self.saved_name.try_set(Some(profile.name));
            }
            Err(SessionError::Ended) => navigate(crate::routes::AppRoute::Login.path()),
            Err(SessionError::Failed(failure)) if failure.status() == Some(400) => {
                // The backend refuses this name; retrying it can never succeed, so do not keep it pending.
                clear_outbox_if_this();
                self.problem.try_set(Some(failure.to_msg()));
            }
            Err(SessionError::Failed(failure)) => {
                self.problem.try_set(Some(Msg::new("profile.not_saved").msg("reason", failure.to_msg())));
            }
        }
    }
}
