//! The signed-in pages against a stubbed `fetch` and a fixture `<passage-profile>`: the dashboard links to the
//! account page (the user is loaded once for both), the account page hosts the element, lists the sessions as
//! text (markup in a User-Agent stays text), signs one out, and deletes the account after a confirmation that names
//! what goes, with a retry after a 502. One test: the router, the stub and the storage are page-wide.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use leptos_passage::app::ConfiguredApp;
use wasm_bindgen::JsCast as _;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

mod common;
use common::fetch_stub::*;
use common::{define_fixture, find, until};

const USER_URL: &str = "http://api.test/user";
const SESSIONS_URL: &str = "http://auth.test/v1/apps/dev-app/currentuser/sessions";
const DEVICES_URL: &str = "http://auth.test/v1/apps/dev-app/currentuser/devices";
const HOSTILE_AGENT: &str = "<img src=x onerror=\"globalThis.pwned=1\"> Firefox/133.0 (X11; Linux)";

fn window() -> web_sys::Window {
    web_sys::window().unwrap()
}

fn storage() -> web_sys::Storage {
    window().local_storage().unwrap().unwrap()
}

fn text(parent: &web_sys::Element, selector: &str) -> String {
    find(parent, selector).and_then(|e| e.text_content()).unwrap_or_default()
}

fn all_texts(parent: &web_sys::Element, selector: &str) -> Vec<String> {
    let nodes = parent.query_selector_all(selector).unwrap();
    (0..nodes.length()).map(|i| nodes.item(i).unwrap().text_content().unwrap_or_default()).collect()
}

fn sessions_body(with_other: bool) -> String {
    let other = format!(
        r#",{{"id":"other/1","created_at":"2026-01-02T10:00:00Z","last_used_at":"2026-01-03T11:22:33Z",
        "expires_at":"2026-02-02T10:00:00Z","user_agent":{},"sign_in_method":"otp","current":false}}"#,
        js_sys::JSON::stringify(&HOSTILE_AGENT.into()).unwrap().as_string().unwrap()
    );
    format!(
        r#"{{"sessions":[{{"id":"this","created_at":"2026-01-01T09:00:00Z","last_used_at":"2026-01-04T08:00:00Z",
        "expires_at":"2026-02-01T09:00:00Z","user_agent":"Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36",
        "sign_in_method":"passkey","current":true}}{}]}}"#,
        if with_other { other.as_str() } else { "" }
    )
}

#[wasm_bindgen_test]
async fn dashboard_and_account_page() {
    define_fixture("passage-profile");
    install_fetch_stub();
    let token = token_expiring_in(3_600, "this");
    storage().set_item("psg_auth_token", &token).unwrap();
    storage().set_item("psg_refresh_token", "rt1").unwrap();
    stub_reply("GET", USER_URL, 200, r#"{"id":"u1","name":"Ada <i>L</i>","email":"ada@example.com"}"#, 0);
    stub_reply("GET", SESSIONS_URL, 200, &sessions_body(true), 0);
    stub_reply("GET", SESSIONS_URL, 200, &sessions_body(false), 0);
    stub_reply("DELETE", &format!("{SESSIONS_URL}/other%2F1"), 204, "", 0);
    stub_reply("GET", DEVICES_URL, 200, r#"{"devices":[{"id":"a"},{"id":"b"}]}"#, 0);
    stub_reply(
        "DELETE",
        USER_URL,
        502,
        r#"{"error":{"code":"auth_server_unavailable","message":"The sign-in service could not be reached."}}"#,
        0,
    );
    stub_reply("DELETE", USER_URL, 204, "", 0);

    window().history().unwrap().replace_state_with_url(&JsValue::NULL, "", Some("/dashboard")).unwrap();
    let document = window().document().unwrap();
    let parent: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&parent).unwrap();
    let config = stub_config();
    let mounted = leptos::mount::mount_to(parent.clone(), move || view! { <ConfiguredApp config /> });

    // The dashboard: the name as text, and the way to the account page.
    until("dashboard", || text(&parent, "h1") == "Welcome Ada <i>L</i>!").await;
    assert!(find(&parent, "h1 i").is_none(), "a name is text, not markup");
    assert!(find(&parent, "#name-input").is_none(), "the name is edited on the account page only");
    let link = find(&parent, "[data-testid=account-link]").expect("account link");
    assert_eq!(link.get_attribute("href").as_deref(), Some("/account"));
    link.click();

    // The account page, without loading the user again.
    until("account page", || text(&parent, "h1") == "Account settings").await;
    assert_eq!(window().location().pathname().unwrap(), "/account");
    assert_eq!(stub_calls("GET", USER_URL), 1, "the signed-in route loads the user once for both pages");
    assert_eq!(
        find(&parent, "[data-testid=back-to-dashboard]").unwrap().get_attribute("href").as_deref(),
        Some("/dashboard")
    );
    let input: web_sys::HtmlInputElement = find(&parent, "#name-input").unwrap().unchecked_into();
    assert_eq!(input.value(), "Ada <i>L</i>");
    until("profile element", || find(&parent, "passage-profile").is_some()).await;
    assert_eq!(find(&parent, "passage-profile").unwrap().get_attribute("app-id").as_deref(), Some("dev-app"));

    // Sessions: this device first, without a sign-out button; the other one's User-Agent shown as text.
    until("sessions", || all_texts(&parent, "[data-testid=session]").len() == 2).await;
    assert_eq!(stub_authorizations("GET", SESSIONS_URL), format!("Bearer {token}"));
    let items = parent.query_selector_all("[data-testid=session]").unwrap();
    let this: web_sys::Element = items.item(0).unwrap().unchecked_into();
    let other: web_sys::Element = items.item(1).unwrap().unchecked_into();
    assert_eq!(text(&this, ".session-device"), "Chrome on Linux");
    assert_eq!(text(&this, "[data-testid=this-device]"), "This device");
    assert!(find(&this, "[data-testid=end-session]").is_none());
    assert!(text(&this, ".session-times").contains("2026-01-01 09:00 UTC"), "{}", text(&this, ".session-times"));
    assert!(text(&this, ".session-times").contains("with a passkey"));
    assert_eq!(text(&other, ".session-device"), "Firefox on Linux");
    assert_eq!(text(&other, ".session-agent"), HOSTILE_AGENT);
    assert!(find(&parent, "[data-testid=session-list] img").is_none(), "markup in a User-Agent stays text");
    assert!(js_sys::Reflect::get(&js_sys::global(), &"pwned".into()).unwrap().is_undefined());

    find(&other, "[data-testid=end-session]").unwrap().click();
    until("one session left", || all_texts(&parent, "[data-testid=session]").len() == 1).await;
    assert_eq!(stub_calls("DELETE", &format!("{SESSIONS_URL}/other%2F1")), 1);

    // Deleting: a confirmation that names what goes.
    let confirmation = find(&parent, "[data-testid=delete-confirmation]").unwrap();
    assert!(confirmation.hidden());
    find(&parent, "[data-testid=delete-account]").unwrap().click();
    until("passkeys counted", || all_texts(&parent, "[data-testid=delete-list] li").iter().any(|l| l.contains('2')))
        .await;
    assert!(!confirmation.hidden());
    assert_eq!(
        all_texts(&parent, "[data-testid=delete-list] li"),
        [
            "your name \"Ada <i>L</i>\"",
            "your 2 passkeys",
            "your sign-in sessions on every device",
            "the account for ada@example.com"
        ]
    );
    assert_eq!(stub_calls("DELETE", USER_URL), 0, "nothing is deleted before the explicit confirmation");

    // The backend cannot reach the auth server: nothing is lost, and the user may try again.
    find(&parent, "[data-testid=confirm-delete]").unwrap().click();
    until("502 explained", || text(&parent, "[data-testid=delete-problem]").contains("not deleted")).await;
    assert!(text(&parent, "[data-testid=delete-problem]").contains("could not be reached"));
    assert_eq!(text(&parent, "[data-testid=confirm-delete]"), "Try again");
    assert_eq!(storage().get_item("psg_refresh_token").unwrap().as_deref(), Some("rt1"), "still signed in");

    find(&parent, "[data-testid=confirm-delete]").unwrap().click();
    until("deleted", || find(&parent, "[data-testid=account-deleted]").is_some()).await;
    assert_eq!(stub_calls("DELETE", USER_URL), 2);
    assert_eq!(stub_authorizations("DELETE", USER_URL), format!("Bearer {token}\nBearer {token}"));
    assert_eq!(text(&parent, "h1"), "Your account has been deleted");
    assert_eq!(
        find(&parent, "[data-testid=account-deleted] a").unwrap().get_attribute("href").as_deref(),
        Some("/register")
    );
    assert_eq!(storage().get_item("psg_auth_token").unwrap(), None, "this browser is signed out");
    assert_eq!(storage().get_item("psg_refresh_token").unwrap(), None);
    assert!(find(&parent, "passage-profile").is_none());

    drop(mounted);
    parent.remove();

    // One test, not two: two routers alive at once (tests may interleave at await points) would steer each other.
    without_a_session_the_signed_in_pages_go_to_login().await;
}

async fn without_a_session_the_signed_in_pages_go_to_login() {
    define_fixture("passage-login");
    leptos_passage::session::clear();
    window().history().unwrap().replace_state_with_url(&JsValue::NULL, "", Some("/account")).unwrap();
    let document = window().document().unwrap();
    let parent: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&parent).unwrap();
    let config = stub_config();
    let _mounted = leptos::mount::mount_to(parent.clone(), move || view! { <ConfiguredApp config /> });
    until("login page", || window().location().pathname().unwrap() == "/login").await;
    until("login element", || find(&parent, "passage-login").is_some()).await;
    parent.remove();
    window().history().unwrap().replace_state_with_url(&JsValue::NULL, "", Some("/")).unwrap();
}
