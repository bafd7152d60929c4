//! P2–P4 of PROFILE-API.md: the passkey table of `<passage-profile>` (list, rename, remove), against the real router
//! with a software authenticator, on SQLite and Postgres.

#[macro_use]
#[path = "common/mod.rs"]
#[allow(unused_macros)]
mod common;

#[path = "attacks/account_flows.rs"]
#[allow(dead_code)]
mod account_flows;

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};
use webauthn_authenticator_rs::softpasskey::SoftPasskey;

use auth_server::store::credentials::{self, Removal};

use account_flows::{account_mails, add_passkey, code_sign_in, notices_of, refresh};
use common::*;

fn devices_uri(app_id: &str) -> String {
    format!("/v1/apps/{app_id}/currentuser/devices")
}

fn device_uri(app_id: &str, device_id: &str) -> String {
    format!("/v1/apps/{app_id}/currentuser/devices/{device_id}")
}

fn token(auth_result: &Value) -> String {
    auth_result["auth_token"].as_str().expect("auth token").to_owned()
}

/// P2 with this token: the devices array.
async fn devices(ctx: &Ctx, app_id: &str, token: &str) -> Vec<Value> {
    let (status, body) = ctx.get_bearer(&devices_uri(app_id), token).await;
    assert_eq!(status, StatusCode::OK, "P2: {body}");
    body["devices"].as_array().expect("devices is an array").clone()
}

async fn rename(ctx: &Ctx, app_id: &str, token: &str, device_id: &str, name: Value) -> (StatusCode, Value) {
    let (status, _, body) = ctx
        .request(Method::PATCH, &device_uri(app_id, device_id), Some(json!({ "friendly_name": name })), Some(token))
        .await;
    (status, body)
}

async fn remove(ctx: &Ctx, app_id: &str, token: &str, device_id: &str) -> (StatusCode, Value) {
    let (status, _, body) = ctx.request(Method::DELETE, &device_uri(app_id, device_id), None, Some(token)).await;
    (status, body)
}

/// A user signed in with a code (address proven) who then added a passkey: `(user_id, code session, passkey id)`.
async fn user_with_confirmed_passkey(
    ctx: &Ctx,
    email: &str,
    authenticator: &mut SoftPasskey,
) -> (String, Value, String) {
    let code_session = code_sign_in(ctx, email).await;
    let (status, body) = add_passkey(ctx, &token(&code_session), authenticator).await;
    assert_eq!(status, StatusCode::OK, "add passkey: {body}");
    let user_id = body["device"]["user_id"].as_str().unwrap().to_owned();
    (user_id, code_session, body["device"]["id"].as_str().unwrap().to_owned())
}

/// E3 + E4 + authenticator + E5 in the passkey-only app: the AuthResult.
async fn register_passkey_only(ctx: &Ctx, email: &str, authenticator: &mut SoftPasskey) -> Value {
    let (status, body) =
        ctx.post(&format!("/v1/apps/{PASSKEY_ONLY_APP_ID}/users"), json!({ "identifier": email })).await;
    assert!(status.is_success(), "create user: {body}");
    let (status, start) = ctx
        .post(&format!("/v1/apps/{PASSKEY_ONLY_APP_ID}/register/webauthn/start"), json!({ "identifier": email }))
        .await;
    assert_eq!(status, StatusCode::OK, "register start: {start}");
    let credential = create_credential(authenticator, PASSKEY_ONLY_ORIGIN, &start["handshake"]["challenge"]);
    let (status, body) = ctx
        .post(
            &format!("/v1/apps/{PASSKEY_ONLY_APP_ID}/register/webauthn/finish"),
            json!({ "handshake_id": start["handshake"]["id"], "user_id": start["user"]["id"], "handshake_response": credential }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "register finish: {body}");
    body["auth_result"].clone()
}

/// E16 + authenticator + E17 in the passkey-only app: the new device id.
async fn add_passkey_only(ctx: &Ctx, token: &str) -> String {
    let (status, start) =
        ctx.post_bearer(&format!("/v1/apps/{PASSKEY_ONLY_APP_ID}/currentuser/devices/start"), json!({}), token).await;
    assert_eq!(status, StatusCode::OK, "{start}");
    let credential = create_credential(&mut authenticator(), PASSKEY_ONLY_ORIGIN, &start["handshake"]["challenge"]);
    let (status, added) = ctx
        .post_bearer(
            &format!("/v1/apps/{PASSKEY_ONLY_APP_ID}/currentuser/devices/finish"),
            json!({ "handshake_id": start["handshake"]["id"], "user_id": start["user"]["id"], "handshake_response": credential }),
            token,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{added}");
    added["device"]["id"].as_str().unwrap().to_owned()
}

async fn list_shows_the_registered_passkey_with_real_dates(ctx: &Ctx) {
    let (_, auth) = ctx.register_passkey("list@example.com", &mut authenticator()).await;
    let token = token(&auth);
    let listed = devices(ctx, APP_ID, &token).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    let (_, current) = ctx.get_bearer(&format!("/v1/apps/{APP_ID}/currentuser"), &token).await;
    // The same Device shape as E15's webauthn_devices.
    assert_eq!(listed[0], current["user"]["webauthn_devices"][0]);
    let device = &listed[0];
    for field in ["id", "cred_id", "friendly_name", "created_at", "last_login_at", "type"] {
        assert!(device[field].as_str().is_some_and(|v| !v.is_empty()), "{field}: {device}");
    }
    assert_eq!(device["friendly_name"], "Passkey");
    assert_eq!(device["icons"], json!({ "light": null, "dark": null }));
    // Never used to sign in since: the creation time, never "January 1, 0001".
    assert!(!device["last_login_at"].as_str().unwrap().starts_with("0001"), "{device}");
    assert_eq!(device["last_login_at"], device["created_at"]);
}

async fn list_shows_the_last_sign_in_after_a_passkey_login(ctx: &Ctx) {
    let mut passkey = authenticator();
    ctx.register_passkey("used@example.com", &mut passkey).await;
    ctx.state.clock().advance(3 * 86_400);
    let (status, body) = ctx.login_passkey("used@example.com", &mut passkey, ORIGIN).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let device = devices(ctx, APP_ID, &token(&body["auth_result"])).await.remove(0);
    assert_ne!(device["last_login_at"], device["created_at"], "{device}");
    assert_eq!(device["usage_count"], 1);
}

async fn rename_stores_the_trimmed_name_and_a_repeat_is_a_success(ctx: &Ctx) {
    let (_, auth) = ctx.register_passkey("rename@example.com", &mut authenticator()).await;
    let token = token(&auth);
    let id = devices(ctx, APP_ID, &token).await[0]["id"].as_str().unwrap().to_owned();
    ctx.state.clock().advance(60);
    let (status, first) = rename(ctx, APP_ID, &token, &id, json!("  Work laptop ")).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["device"]["friendly_name"], "Work laptop");
    assert_eq!(first["device"]["id"], id.as_str());
    // The element sends the same PATCH again on blur: a plain success, nothing changes (not even updated_at).
    ctx.state.clock().advance(60);
    let (status, second) = rename(ctx, APP_ID, &token, &id, json!("Work laptop")).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_eq!(second["device"], first["device"]);
    let listed = devices(ctx, APP_ID, &token).await;
    assert_eq!(listed[0]["friendly_name"], "Work laptop");
    // Exactly the element's limit is accepted.
    let longest = "x".repeat(64);
    let (status, body) = rename(ctx, APP_ID, &token, &id, json!(longest)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["device"]["friendly_name"], longest.as_str());
}

async fn invalid_names_are_refused_with_a_code_and_change_nothing(ctx: &Ctx) {
    let (_, auth) = ctx.register_passkey("invalid@example.com", &mut authenticator()).await;
    let token = token(&auth);
    let id = devices(ctx, APP_ID, &token).await[0]["id"].as_str().unwrap().to_owned();
    let cases = [
        (json!(""), "friendly_name_required"),
        (json!("   "), "friendly_name_required"),
        (json!(null), "friendly_name_required"),
        (json!("x".repeat(65)), "friendly_name_too_long"),
        (json!("y".repeat(10_000)), "friendly_name_too_long"),
        (json!("Work\nSubject: forged"), "friendly_name_invalid_characters"),
        (json!("tab\there"), "friendly_name_invalid_characters"),
        (json!("evil\u{202E}gpj.exe"), "friendly_name_invalid_characters"),
    ];
    for (name, code) in cases {
        let (status, body) = rename(ctx, APP_ID, &token, &id, name.clone()).await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, code);
    }
    let (status, _, body) = ctx.request(Method::PATCH, &device_uri(APP_ID, &id), Some(json!({})), Some(&token)).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "friendly_name_required");
    assert_eq!(devices(ctx, APP_ID, &token).await[0]["friendly_name"], "Passkey", "nothing changed");
}

/// The element shows the name as an `<input>` value (PROFILE-API.md §2.2), so markup is only text: stored as typed,
/// returned as a JSON string in an `application/json` answer, never as HTML.
async fn markup_in_a_name_is_stored_and_returned_as_text(ctx: &Ctx) {
    let (_, auth) = ctx.register_passkey("markup@example.com", &mut authenticator()).await;
    let token = token(&auth);
    let id = devices(ctx, APP_ID, &token).await[0]["id"].as_str().unwrap().to_owned();
    let markup = "<img src=x onerror=alert(1)> & \"quotes\"";
    let (status, headers, body) = ctx
        .request(Method::PATCH, &device_uri(APP_ID, &id), Some(json!({ "friendly_name": markup })), Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(headers["content-type"].to_str().unwrap().starts_with("application/json"), "{headers:?}");
    assert_eq!(body["device"]["friendly_name"], markup);
    assert_eq!(devices(ctx, APP_ID, &token).await[0]["friendly_name"], markup);
}

async fn another_users_device_is_not_found_for_rename_and_delete(ctx: &Ctx) {
    let (_, alice) = ctx.register_passkey("alice@example.com", &mut authenticator()).await;
    let (_, mallory) = ctx.register_passkey("mallory@example.com", &mut authenticator()).await;
    let alice_device = devices(ctx, APP_ID, &token(&alice)).await.remove(0);
    let id = alice_device["id"].as_str().unwrap();
    let (status, body) = rename(ctx, APP_ID, &token(&mallory), id, json!("pwned")).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "device_not_found");
    let (status, body) = remove(ctx, APP_ID, &token(&mallory), id).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "device_not_found");
    // An id that exists nowhere answers the same: nothing tells Mallory that Alice's id is real.
    let (status, body) = remove(ctx, APP_ID, &token(&mallory), "no-such-device").await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "device_not_found");
    assert_eq!(devices(ctx, APP_ID, &token(&alice)).await, vec![alice_device], "Alice's passkey is untouched");
    assert_eq!(devices(ctx, APP_ID, &token(&mallory)).await.len(), 1, "Mallory sees only her own");
    // Alice's token does not work in another app.
    let (status, body) = ctx.get_bearer(&devices_uri(OTHER_APP_ID), &token(&alice)).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_access_token");
}

async fn missing_or_invalid_token_is_401(ctx: &Ctx) {
    let (_, auth) = ctx.register_passkey("tokens@example.com", &mut authenticator()).await;
    let id = devices(ctx, APP_ID, &token(&auth)).await[0]["id"].as_str().unwrap().to_owned();
    for bearer in [None, Some("not-a-jwt"), Some("eyJhbGciOiJub25lIn0.e30.")] {
        let (status, _, body) = ctx.request(Method::GET, &devices_uri(APP_ID), None, bearer).await;
        assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_access_token");
        let (status, _, body) =
            ctx.request(Method::PATCH, &device_uri(APP_ID, &id), Some(json!({ "friendly_name": "x" })), bearer).await;
        assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_access_token");
        let (status, _, body) = ctx.request(Method::DELETE, &device_uri(APP_ID, &id), None, bearer).await;
        assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_access_token");
    }
    // A signed-out session's token is refused too.
    let refresh_token = auth["refresh_token"].as_str().unwrap();
    let sign_out = format!("/v1/apps/{APP_ID}/tokens?refresh_token={refresh_token}");
    let (status, _, _) = ctx.request(Method::DELETE, &sign_out, None, None).await;
    assert!(status.is_success(), "sign out: {status}");
    let (status, body) = ctx.get_bearer(&devices_uri(APP_ID), &token(&auth)).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_access_token");
}

/// With a code sign-in to fall back on, the last passkey can go; the sessions it started end with it, the others stay.
async fn removing_a_passkey_ends_its_sessions_and_tells_the_owner(ctx: &Ctx) {
    let email = "remove@example.com";
    let mut passkey = authenticator();
    let (user_id, code_session, id) = user_with_confirmed_passkey(ctx, email, &mut passkey).await;
    let (status, body) = ctx.login_passkey(email, &mut passkey, ORIGIN).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let passkey_session = body["auth_result"].clone();
    ctx.state.clock().advance(60);
    let (status, body) = remove(ctx, APP_ID, &token(&code_session), &id).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert!(devices(ctx, APP_ID, &token(&code_session)).await.is_empty());
    // The passkey's session is over: neither its refresh token nor its auth token works.
    let (status, body) = refresh(ctx, &passkey_session).await;
    assert!(status.is_client_error(), "refresh of the removed passkey's session: {status} {body}");
    let (status, body) = ctx.get_bearer(&devices_uri(APP_ID), &token(&passkey_session)).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_access_token");
    // The code session was not started by it and goes on.
    let (status, body) = refresh(ctx, &code_session).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The passkey no longer signs in: the user has none left to offer.
    let (status, body) =
        ctx.post(&format!("/v1/apps/{APP_ID}/login/webauthn/start"), json!({ "identifier": email })).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "no_passkeys");
    // A notice and a mail.
    let notices = notices_of(ctx, &user_id).await;
    assert_eq!(notices[0].kind, "passkey_removed", "{notices:?}");
    assert_eq!(notices[0].data["passkeys"][0]["id"], id.as_str());
    assert_eq!(notices[0].data["sessions_ended"], 1);
    let mails = account_mails(ctx, email);
    assert!(mails[0].0.contains("A passkey was removed"), "{mails:?}");
    // Removing it again: it is gone.
    let (status, body) = remove(ctx, APP_ID, &token(&code_session), &id).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "device_not_found");
}

/// Removing the passkey this session was started with signs this session out too.
async fn removing_the_passkey_of_this_session_ends_this_session(ctx: &Ctx) {
    let (_, auth) = ctx.register_passkey("self@example.com", &mut authenticator()).await;
    let id = devices(ctx, APP_ID, &token(&auth)).await[0]["id"].as_str().unwrap().to_owned();
    let (status, body) = remove(ctx, APP_ID, &token(&auth), &id).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = ctx.get_bearer(&devices_uri(APP_ID), &token(&auth)).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_access_token");
}

/// Without a code or link sign-in, the only passkey is the only way in: refused, with a clear code; with a second
/// passkey, one of them can go (and then the other is the last).
async fn last_passkey_without_a_fallback_is_refused(ctx: &Ctx) {
    let email = "only@example.com";
    let auth = register_passkey_only(ctx, email, &mut authenticator()).await;
    let token = token(&auth);
    let first = devices(ctx, PASSKEY_ONLY_APP_ID, &token).await[0]["id"].as_str().unwrap().to_owned();
    let (status, body) = remove(ctx, PASSKEY_ONLY_APP_ID, &token, &first).await;
    assert_error(status, &body, StatusCode::CONFLICT, "last_sign_in_method");
    assert_eq!(devices(ctx, PASSKEY_ONLY_APP_ID, &token).await.len(), 1, "nothing was removed");
    // Add a second passkey (E16/E17) in the same app, then the first can go.
    let second = add_passkey_only(ctx, &token).await;
    let (status, body) = remove(ctx, PASSKEY_ONLY_APP_ID, &token, &second).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = remove(ctx, PASSKEY_ONLY_APP_ID, &token, &first).await;
    assert_error(status, &body, StatusCode::CONFLICT, "last_sign_in_method");
    assert_eq!(devices(ctx, PASSKEY_ONLY_APP_ID, &token).await.len(), 1);
}

/// Two removals at once, one for each of the last two passkeys (two tabs): exactly one passes, one passkey stays.
/// Whichever wins may also end the other request's session (it was started by the removed passkey), so the loser
/// gets 409 or 401; never two 204s.
async fn racing_removals_of_the_last_two_passkeys_leave_one(ctx: &Ctx) {
    let auth = register_passkey_only(ctx, "race@example.com", &mut authenticator()).await;
    let token = token(&auth);
    let listed = devices(ctx, PASSKEY_ONLY_APP_ID, &token).await;
    let (first, user_id) =
        (listed[0]["id"].as_str().unwrap().to_owned(), listed[0]["user_id"].as_str().unwrap().to_owned());
    let second = add_passkey_only(ctx, &token).await;
    let ((a, body_a), (b, body_b)) = tokio::join!(
        remove(ctx, PASSKEY_ONLY_APP_ID, &token, &first),
        remove(ctx, PASSKEY_ONLY_APP_ID, &token, &second)
    );
    let passed = [a, b].iter().filter(|s| **s == StatusCode::NO_CONTENT).count();
    assert_eq!(passed, 1, "{a} {body_a} / {b} {body_b}");
    assert!([a, b]
        .iter()
        .all(|s| [StatusCode::NO_CONTENT, StatusCode::CONFLICT, StatusCode::UNAUTHORIZED].contains(s)));
    let left = credentials::for_user(ctx.state.db(), &user_id).await.unwrap();
    assert_eq!(left.len(), 1, "one passkey stays");
}

/// The same race at the store, where both removals certainly get past authentication: the first holds the user's
/// passkey rows, the second then sees only one left and refuses.
async fn racing_store_removals_of_the_last_two_passkeys_remove_one(ctx: &Ctx) {
    let auth = register_passkey_only(ctx, "store-race@example.com", &mut authenticator()).await;
    let token = token(&auth);
    let listed = devices(ctx, PASSKEY_ONLY_APP_ID, &token).await;
    let (first, user_id) =
        (listed[0]["id"].as_str().unwrap().to_owned(), listed[0]["user_id"].as_str().unwrap().to_owned());
    let second = add_passkey_only(ctx, &token).await;
    let attempt = |id: String| {
        let db = ctx.state.db().clone();
        let user_id = user_id.clone();
        async move {
            let mut tx = db.begin().await.unwrap();
            let outcome =
                credentials::remove_for_user(&mut tx, PASSKEY_ONLY_APP_ID, &user_id, &id, true).await.unwrap();
            tx.commit().await.unwrap();
            outcome
        }
    };
    let (a, b) = tokio::join!(attempt(first), attempt(second));
    let removed = [&a, &b].iter().filter(|o| matches!(o, Removal::Removed(_))).count();
    let refused = [&a, &b].iter().filter(|o| matches!(o, Removal::LastPasskey)).count();
    assert_eq!((removed, refused), (1, 1), "{a:?} / {b:?}");
    assert_eq!(credentials::for_user(ctx.state.db(), &user_id).await.unwrap().len(), 1);
}

on_both_databases!(
    list_shows_the_registered_passkey_with_real_dates,
    list_shows_the_last_sign_in_after_a_passkey_login,
    rename_stores_the_trimmed_name_and_a_repeat_is_a_success,
    invalid_names_are_refused_with_a_code_and_change_nothing,
    markup_in_a_name_is_stored_and_returned_as_text,
    another_users_device_is_not_found_for_rename_and_delete,
    missing_or_invalid_token_is_401,
    removing_a_passkey_ends_its_sessions_and_tells_the_owner,
    removing_the_passkey_of_this_session_ends_this_session,
    last_passkey_without_a_fallback_is_refused,
    racing_removals_of_the_last_two_passkeys_leave_one,
    racing_store_removals_of_the_last_two_passkeys_remove_one,
);
