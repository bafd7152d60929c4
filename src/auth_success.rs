//! What happens after the element reports a successful sign-in (`onSuccess`): the cookie, saving the name, and
//! going on to the app.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use crate::app_path::{self, Destination};
use crate::config::AppConfig;
use crate::i18n::Msg;
use crate::profile_outbox::{PendingProfile, ProfileOutbox};
use crate::{api, browser, session};

/// The parts of the element's `authResult` the app uses (passage-auth-api.md §5.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthResult {
    pub auth_token: String,
    pub redirect_url: String,
}

impl AuthResult {
    /// Reads `{authToken, redirectUrl}`; `None` if either is missing or not a string (the element never calls
    /// `onSuccess` with an empty one, but the callback is public API and gets defensive parsing).
    pub fn from_js(value: &JsValue) -> Option<Self> {
        let text = |key: &str| js_sys::Reflect::get(value, &key.into()).ok()?.as_string();
        let auth_token = text("authToken").filter(|t| !t.trim().is_empty())?;
        let redirect_url = text("redirectUrl").unwrap_or_default();
        Some(Self { auth_token, redirect_url })
    }
}

/// `info.identifier` of the second `onSuccess` argument (absent after magic-link activation).
pub fn identifier_from_info(info: &JsValue) -> Option<String> {
    js_sys::Reflect::get(info, &"identifier".into()).ok()?.as_string().filter(|id| !id.trim().is_empty())
}

/// Which name, if any, to post after a sign-in. Pure, so the rules are unit-tested.
///
/// * A tab that opened a magic link has an empty name field: it posts only this browser's outbox entry (unless the
///   element told us the identifier and the entry is someone else's), else nothing; the tab that is still polling
///   has the name and posts it.
/// * Otherwise the name typed on this page wins; without one (the login page), an outbox entry for this identifier
///   (or of unknown identity when the identifier is unknown) is finished.
pub fn name_to_save(
    typed: Option<&str>,
    pending: Option<&PendingProfile>,
    identifier: Option<&str>,
    magic_link_tab: bool,
) -> Option<String> {
    let pending_for_this_user =
        pending.filter(|entry| identifier.is_none_or(|id| entry.is_for(id))).map(|entry| entry.name.clone());
    if magic_link_tab {
        return pending_for_this_user;
    }
    match typed.map(contract::validate_name) {
        Some(Ok(name)) => Some(name),
        _ => pending_for_this_user,
    }
}

/// Runs the post-sign-in steps and then navigates:
/// 1. the `psg_auth_token` cookie with the token's lifetime;
/// 2. `POST /user` with the name from [`name_to_save`], retried with backoff, showing "Saving your profile…" in
///    `status`; the outbox is cleared on success (and when the backend refuses the name outright, since
///    retrying it can never succeed);
/// 3. the redirect, even if saving failed: the outbox keeps the name and the dashboard finishes the job.
pub async fn complete_sign_in(
    config: AppConfig,
    result: AuthResult,
    identifier: Option<String>,
    typed_name: Option<String>,
    status: RwSignal<Option<Msg>>,
    navigate: impl Fn(&str),
) {
    if !session::store_auth_cookie(&result.auth_token) {
        leptos::logging::warn!("the auth token is not a JWT; the cookie was not rewritten");
    }
    let (_, _, _, search) = browser::location_parts();
    let outbox = ProfileOutbox::local().ok();
    let pending = outbox.as_ref().and_then(ProfileOutbox::read);
    let name = name_to_save(
        typed_name.as_deref(),
        pending.as_ref(),
        identifier.as_deref(),
        app_path::is_magic_link_tab(&search),
    );
    if let Some(name) = name {
        status.try_set(Some(Msg::new("common.saving_profile")));
        match api::save_name(&config.api_url, &result.auth_token, &name).await {
            Ok(_) => clear_outbox(outbox.as_ref()),
            Err(api::ApiFailure::Status { status: 400, message }) => {
                leptos::logging::warn!("the backend refused the name: {message}");
                clear_outbox(outbox.as_ref());
            }
            Err(failure) => leptos::logging::warn!("saving the profile failed; the dashboard will retry: {failure:?}"),
        }
        status.try_set(None);
    }
    go_to(&result.redirect_url, navigate);
}

fn clear_outbox(outbox: Option<&ProfileOutbox>) {
    if let Some(outbox) = outbox {
        outbox.clear();
    }
}

/// Navigates to the auth server's `redirectUrl` (see [`app_path::destination`]); an empty one means the dashboard.
pub fn go_to(redirect_url: &str, navigate: impl Fn(&str)) {
    let redirect_url = if redirect_url.trim().is_empty() { "/dashboard" } else { redirect_url };
    let (origin, ..) = browser::location_parts();
    let base = app_path::router_base(&browser::document_base());
    match app_path::destination(redirect_url, &origin, &base) {
        Destination::Route(route) => navigate(&route),
        Destination::External(url) => {
            if let Some(window) = web_sys::window() {
                let _ = window.location().assign(&url);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(identifier: &str, name: &str) -> PendingProfile {
        PendingProfile { identifier: identifier.into(), name: name.into() }
    }

    #[test]
    fn register_tab_posts_the_typed_name() {
        let pending = entry("ada@example.com", "Ada");
        assert_eq!(
            name_to_save(Some(" Ada L "), Some(&pending), Some("ada@example.com"), false).as_deref(),
            Some("Ada L")
        );
        assert_eq!(name_to_save(Some("Ada"), None, Some("ada@example.com"), false).as_deref(), Some("Ada"));
        // An invalid typed name falls back to the outbox rather than posting something the backend refuses.
        assert_eq!(name_to_save(Some("  "), Some(&pending), None, false).as_deref(), Some("Ada"));
    }

    #[test]
    fn magic_link_tab_never_posts_an_empty_name() {
        let pending = entry("ada@example.com", "Ada");
        assert_eq!(name_to_save(Some(""), None, None, true), None);
        assert_eq!(name_to_save(None, None, None, true), None);
        assert_eq!(name_to_save(Some(""), Some(&pending), None, true).as_deref(), Some("Ada"));
        // Even a typed value is ignored there: that tab's field was never part of this sign-up.
        assert_eq!(name_to_save(Some("Mallory"), None, None, true), None);
        assert_eq!(name_to_save(None, Some(&pending), Some("bob@example.com"), true), None);
    }

    #[test]
    fn login_finishes_a_pending_profile_for_the_same_user_only() {
        let pending = entry("ada@example.com", "Ada");
        assert_eq!(name_to_save(None, Some(&pending), Some("ADA@example.com"), false).as_deref(), Some("Ada"));
        assert_eq!(name_to_save(None, Some(&pending), Some("bob@example.com"), false), None);
        assert_eq!(name_to_save(None, Some(&pending), None, false).as_deref(), Some("Ada"));
        assert_eq!(name_to_save(None, None, Some("ada@example.com"), false), None);
    }
}
