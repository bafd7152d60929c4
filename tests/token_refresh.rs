//! Renewing the auth token (E18) in a real browser, against a stubbed `fetch`: a fresh token needs no request,
//! concurrent callers share one refresh and the new tokens are stored where the SPA and the element read them,
//! a refusal ends the session (keeping an unsent name), a network error does not, and a 401 gets one retry.
//! One test: the stub, the cookie jar and localStorage are page-wide.
#![cfg(target_arch = "wasm32")]

use leptos_passage::api;
use leptos_passage::profile_outbox::{PendingProfile, ProfileOutbox};
use leptos_passage::session::{self, SessionError};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

mod common;
use common::fetch_stub::*;

const TOKENS_URL: &str = "http://auth.test/v1/apps/dev-app/tokens";
const USER_URL: &str = "http://api.test/user";

fn storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

fn item(key: &str) -> Option<String> {
    storage().get_item(key).unwrap()
}

fn sign_in(auth_token: &str, refresh_token: &str) {
    session::clear();
    storage().set_item("psg_auth_token", auth_token).unwrap();
    storage().set_item("psg_refresh_token", refresh_token).unwrap();
}

fn auth_result(auth_token: &str, refresh_token: &str) -> String {
    format!(
        r#"{{"auth_result":{{"auth_token":"{auth_token}","redirect_url":"/dashboard","refresh_token":"{refresh_token}","refresh_token_expiration":4102444800}}}}"#
    )
}

fn cookie() -> String {
    use wasm_bindgen::JsCast as _;
    let document: web_sys::HtmlDocument = web_sys::window().unwrap().document().unwrap().unchecked_into();
    document.cookie().unwrap()
}

#[wasm_bindgen_test]
async fn renewing_the_auth_token() {
    install_fetch_stub();
    let config = stub_config();

    // A token with an hour left is used as is.
    let fresh = token_expiring_in(3_600, "fresh");
    sign_in(&fresh, "rt0");
    assert_eq!(session::usable_token(&config).await, Ok(fresh));
    assert_eq!(stub_calls("POST", TOKENS_URL), 0);

    // Thirty seconds left: three concurrent callers, one refresh, the rotated tokens stored everywhere.
    let renewed = token_expiring_in(3_600, "renewed");
    sign_in(&token_expiring_in(30, "old"), "rt1");
    stub_reply("POST", TOKENS_URL, 200, &auth_result(&renewed, "rt2"), 50);
    stub_reply("GET", USER_URL, 200, r#"{"id":"u1","name":"Ada","email":"ada@example.com"}"#, 0);
    let (first, second, user) = futures::join!(
        session::usable_token(&config),
        session::usable_token(&config),
        session::authorized(&config, async |token| api::current_user(&config.api_url, token).await),
    );
    assert_eq!(first.as_deref(), Ok(renewed.as_str()));
    assert_eq!(second.as_deref(), Ok(renewed.as_str()));
    assert_eq!(user.unwrap().name.as_deref(), Some("Ada"));
    assert_eq!(stub_calls("POST", TOKENS_URL), 1, "one refresh for all callers: a second would end the session");
    assert_eq!(stub_last_body("POST", TOKENS_URL), r#"{"refresh_token":"rt1"}"#);
    assert_eq!(stub_authorizations("GET", USER_URL), format!("Bearer {renewed}"));
    assert_eq!(item("psg_auth_token").as_deref(), Some(renewed.as_str()), "the element reads localStorage");
    assert_eq!(item("psg_refresh_token").as_deref(), Some("rt2"));
    assert!(cookie().contains(&format!("psg_auth_token={renewed}")), "cookie: {}", cookie());
    assert_eq!(session::usable_token(&config).await.as_deref(), Ok(renewed.as_str()));
    assert_eq!(stub_calls("POST", TOKENS_URL), 1, "the renewed token is used from then on");

    // The auth server is unreachable: not a sign-out, nothing stored changes.
    install_fetch_stub();
    let expired = token_expiring_in(-10, "expired");
    sign_in(&expired, "rt3");
    stub_reply("POST", TOKENS_URL, 0, "", 0);
    assert!(matches!(session::usable_token(&config).await, Err(SessionError::Failed(api::ApiFailure::Network(_)))));
    assert_eq!(item("psg_refresh_token").as_deref(), Some("rt3"));
    assert_eq!(item("psg_auth_token").as_deref(), Some(expired.as_str()));
    stub_reply("POST", TOKENS_URL, 503, "", 0);
    assert!(matches!(session::usable_token(&config).await, Err(SessionError::Failed(_))));
    assert_eq!(item("psg_refresh_token").as_deref(), Some("rt3"));

    // The refresh is refused: the session is over and the tokens go, but a name typed at sign-up stays.
    install_fetch_stub();
    sign_in(&expired, "rt4");
    let pending = PendingProfile { identifier: "ada@example.com".into(), name: "Ada".into() };
    ProfileOutbox::local().unwrap().write(&pending).unwrap();
    stub_reply("POST", TOKENS_URL, 401, r#"{"code":"invalid_refresh_token","error":"revoked"}"#, 0);
    assert_eq!(session::usable_token(&config).await, Err(SessionError::Ended));
    assert_eq!(item("psg_refresh_token"), None);
    assert_eq!(item("psg_auth_token"), None);
    assert_eq!(session::auth_token(), None);
    assert_eq!(ProfileOutbox::local().unwrap().read(), Some(pending));
    ProfileOutbox::local().unwrap().clear();

    // No refresh token and an expired token: nothing to ask, the session is over.
    install_fetch_stub();
    session::clear();
    storage().set_item("psg_auth_token", &expired).unwrap();
    assert_eq!(session::usable_token(&config).await, Err(SessionError::Ended));
    assert_eq!(stub_calls("POST", TOKENS_URL), 0);

    // A 401 for an unexpired token (its session was ended elsewhere): one refresh, one retry with the new token.
    install_fetch_stub();
    let (rejected, renewed) = (token_expiring_in(3_600, "rejected"), token_expiring_in(3_600, "second"));
    sign_in(&rejected, "rt5");
    stub_reply("GET", USER_URL, 401, r#"{"error":{"code":"invalid_token","message":"no"}}"#, 0);
    stub_reply("GET", USER_URL, 200, r#"{"id":"u1","name":null,"email":null}"#, 0);
    stub_reply("POST", TOKENS_URL, 200, &auth_result(&renewed, "rt6"), 0);
    let user = session::authorized(&config, async |token| api::current_user(&config.api_url, token).await).await;
    assert_eq!(user.unwrap().id, "u1");
    assert_eq!(stub_authorizations("GET", USER_URL), format!("Bearer {rejected}\nBearer {renewed}"));

    // And when the renewed token is refused too, the session is over.
    install_fetch_stub();
    sign_in(&token_expiring_in(3_600, "third"), "rt7");
    stub_reply("GET", USER_URL, 401, r#"{"error":{"code":"invalid_token","message":"no"}}"#, 0);
    stub_reply("POST", TOKENS_URL, 200, &auth_result(&token_expiring_in(3_600, "fourth"), "rt8"), 0);
    let user = session::authorized(&config, async |token| api::current_user(&config.api_url, token).await).await;
    assert_eq!(user, Err(SessionError::Ended));
    assert_eq!(stub_calls("GET", USER_URL), 2, "one retry, not a loop");
    assert_eq!(item("psg_refresh_token"), None);
    session::clear();
}
