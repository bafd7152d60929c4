//! "Why is the element showing its invalid-app notice?", answered by asking the auth server ourselves.
//!
//! When the element's first call (E1, `GET {auth_url}/v1/apps/{app_id}`) fails for any reason, it renders only
//! `[data-testid="invalid-app-id"]` (passage-auth-api.md §1.5, §7.3), and the notice's words come from a locale
//! file that the same auth server serves. With that server down, a user sees nothing but the bare i18n key
//! `invalid-app-id`. So the page watches the element's open shadow root for that notice and, only then (no extra
//! request on a normal page load), repeats E1 itself to tell "unreachable" from "unknown app id" and other
//! failures, and shows its own message naming `auth_url` or `app_id`.

use std::ops::ControlFlow;
use std::rc::Rc;

use gloo_net::http::Request;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use web_sys::RequestCache;

use crate::config::AppConfig;
use crate::i18n::Msg;
use crate::shadow_root_watch::{watch_shadow_root, ShadowRootWatch};

/// The element's notice when E1 failed. The register form's "public sign-up is off" notice shares this test id
/// but sits inside the e-mail view, so [`invalid_app_notice_shown`] ignores notices there.
pub const INVALID_APP_NOTICE_SELECTOR: &str = r#"[data-testid="invalid-app-id"]"#;

/// How long the probe may take before the server counts as unreachable. Generous, because a slow answer is still
/// an answer; the user already sees the element's notice meanwhile.
pub const PROBE_TIMEOUT_MS: u32 = 10_000;

/// What repeating E1 told us about the auth server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthServerState {
    /// No HTTP response: connection refused, DNS, CORS refusal, timeout.
    Unreachable,
    /// 404: the server is up but has no app with this id (a misconfigured `app_id`).
    UnknownApp,
    /// Any other non-2xx status.
    Failing(u16),
    /// 2xx: it answers now, so the element's attempt hit a passing problem.
    Answers,
}

/// Classifies the probe by its HTTP status (`None` = no response at all).
pub fn classify(status: Option<u16>) -> AuthServerState {
    match status {
        None => AuthServerState::Unreachable,
        Some(200..=299) => AuthServerState::Answers,
        Some(404) => AuthServerState::UnknownApp,
        Some(status) => AuthServerState::Failing(status),
    }
}

/// The sentence shown to the user: what is wrong, where, and what they can do about it.
pub fn message(state: AuthServerState, auth_url: &str, app_id: &str) -> Msg {
    match state {
        AuthServerState::Unreachable => Msg::new("auth_server.unreachable").text("auth_url", auth_url),
        AuthServerState::UnknownApp => {
            Msg::new("auth_server.unknown_app").text("auth_url", auth_url).text("app_id", app_id)
        }
        // The status is a code, not a quantity: no digit grouping or other digits.
        AuthServerState::Failing(status) => {
            Msg::new("auth_server.failing").text("auth_url", auth_url).text("status", status.to_string())
        }
        AuthServerState::Answers => Msg::new("auth_server.settings"),
    }
}

/// Whether the element shows its "bad app or app info failure" notice (and not the e-mail view's sign-up notice).
pub fn invalid_app_notice_shown(root: &web_sys::ShadowRoot) -> bool {
    let Ok(notices) = root.query_selector_all(INVALID_APP_NOTICE_SELECTOR) else { return false };
    (0..notices.length())
        .filter_map(|i| notices.item(i))
        .filter_map(|node| node.dyn_into::<web_sys::Element>().ok())
        .any(|notice| notice.closest(crate::email_view::EMAIL_VIEW_SELECTOR).ok().flatten().is_none())
}

/// Repeats E1 (without the element's custom headers, so no preflight) and classifies the outcome.
pub async fn probe(config: &AppConfig) -> AuthServerState {
    let url = format!("{}/v1/apps/{}", config.auth_url, String::from(js_sys::encode_uri_component(&config.app_id)));
    let signal = web_sys::AbortSignal::timeout_with_u32(PROBE_TIMEOUT_MS);
    let status = match Request::get(&url).cache(RequestCache::NoStore).abort_signal(Some(&signal)).send().await {
        Ok(response) => Some(response.status()),
        Err(error) => {
            leptos::logging::warn!("the auth server at {} did not answer: {error}", config.auth_url);
            None
        }
    };
    classify(status)
}

/// Leptos hook: `Some(message)` once `host` (a Passage element) shows its invalid-app notice and the probe has
/// said why; `None` otherwise. Attaches after `customElements.whenDefined(tag)`, checks once at attach (the notice
/// may already be there) and after every batch of mutations, and disconnects on unmount.
pub fn use_auth_server_problem(host: web_sys::Element, config: AppConfig) -> ArcReadSignal<Option<Msg>> {
    // Reference-counted, like the e-mail view hook: a probe may finish after the page was disposed.
    let problem = ArcRwSignal::new(None::<Msg>);
    let writer = problem.clone();
    watch_shadow_root(host, "its invalid-app notice", move |root, unmounted| {
        let unmounted = Rc::clone(unmounted);
        // Watches until the notice is seen, then stops (disconnects); the watch itself is freed on unmount.
        ShadowRootWatch::attach(root, &[], move |root| {
            if !invalid_app_notice_shown(root) {
                return ControlFlow::Continue(());
            }
            // Probes once, the first time the notice is seen; the result is shown only if the page still exists.
            let (config, writer, unmounted) = (config.clone(), writer.clone(), Rc::clone(&unmounted));
            wasm_bindgen_futures::spawn_local(async move {
                let state = probe(&config).await;
                if !unmounted.get() {
                    writer.set(Some(message(state, &config.auth_url, &config.app_id)));
                }
            });
            ControlFlow::Break(())
        })
    });
    problem.read_only()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_the_probe() {
        assert_eq!(classify(None), AuthServerState::Unreachable);
        assert_eq!(classify(Some(404)), AuthServerState::UnknownApp);
        assert_eq!(classify(Some(200)), AuthServerState::Answers);
        assert_eq!(classify(Some(204)), AuthServerState::Answers);
        assert_eq!(classify(Some(500)), AuthServerState::Failing(500));
        assert_eq!(classify(Some(403)), AuthServerState::Failing(403));
        assert_eq!(classify(Some(302)), AuthServerState::Failing(302));
    }

    #[test]
    fn messages_name_what_to_check() {
        let text = |state| crate::i18n::english(&message(state, "http://127.0.0.1:9", "my-app"));
        let unreachable = text(AuthServerState::Unreachable);
        assert!(unreachable.starts_with("We can't reach the sign-in service at http://127.0.0.1:9."), "{unreachable}");
        assert!(!unreachable.contains("my-app"), "the app id is not the problem: {unreachable}");
        let unknown = text(AuthServerState::UnknownApp);
        assert!(unknown.contains("http://127.0.0.1:9") && unknown.contains("app ID (my-app)"), "{unknown}");
        let failing = text(AuthServerState::Failing(503));
        assert!(failing.contains("http://127.0.0.1:9") && failing.contains("status 503"), "{failing}");
        assert!(text(AuthServerState::Answers).contains("Reload the page"));
        // None of them is the element's bare i18n key.
        for state in [AuthServerState::Unreachable, AuthServerState::UnknownApp, AuthServerState::Answers] {
            assert!(!text(state).contains("invalid-app-id"));
        }
    }
}
