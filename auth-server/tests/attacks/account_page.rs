//! The account page's endpoints played by a stranger: someone else's session ids, someone else's address, and a
//! replayed or transplanted e-mail change link.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use crate::account_flows::{code_sign_in, email_change_link, refresh};
use crate::common::*;

fn token(auth_result: &Value) -> String {
    auth_result["auth_token"].as_str().unwrap().to_owned()
}

fn sid(auth_result: &Value) -> String {
    jwt_part(&token(auth_result), 1)["sid"].as_str().unwrap().to_owned()
}

fn change_token(ctx: &Ctx, to: &str) -> String {
    email_change_link(ctx, to).1
}

async fn email_of(ctx: &Ctx, app_id: &str, auth: &Value) -> Value {
    let (status, body) = ctx.get_bearer(&format!("/v1/apps/{app_id}/currentuser"), &token(auth)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["user"]["email"].clone()
}

async fn change(ctx: &Ctx, app_id: &str, auth: &Value, new_email: &str) -> (StatusCode, Value) {
    let (status, _, body) = ctx
        .request(
            Method::PATCH,
            &format!("/v1/apps/{app_id}/currentuser/email"),
            Some(json!({ "new_email": new_email })),
            Some(&token(auth)),
        )
        .await;
    (status, body)
}

async fn session_ids(ctx: &Ctx, auth: &Value) -> Vec<String> {
    let (status, body) = ctx.get_bearer(&format!("/v1/apps/{APP_ID}/currentuser/sessions"), &token(auth)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["sessions"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap().to_owned()).collect()
}

/// Mallory knows Alice's session id (it is in Alice's auth tokens): she can neither see nor end it.
async fn a_stranger_cannot_list_or_end_someone_elses_sessions(ctx: &Ctx) {
    let alice = code_sign_in(ctx, "alice@example.com").await;
    let mallory = code_sign_in(ctx, "mallory@example.com").await;
    assert_eq!(session_ids(ctx, &mallory).await, [sid(&mallory)], "only her own");
    let (status, _, body) = ctx
        .request(
            Method::DELETE,
            &format!("/v1/apps/{APP_ID}/currentuser/sessions/{}", sid(&alice)),
            None,
            Some(&token(&mallory)),
        )
        .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "session_not_found");
    // Her "sign out everywhere" is her own everywhere.
    let (status, _, _) = ctx
        .request(Method::DELETE, &format!("/v1/apps/{APP_ID}/currentuser/sessions"), None, Some(&token(&mallory)))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(session_ids(ctx, &alice).await, [sid(&alice)]);
    let (status, body) = refresh(ctx, &alice).await;
    assert_eq!(status, StatusCode::OK, "Alice's session goes on: {body}");
    // A token of this app opens no other app's list.
    let (status, body) = ctx.get_bearer(&format!("/v1/apps/{OTHER_APP_ID}/currentuser/sessions"), &token(&alice)).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_access_token");
}

/// P8 acts on the token's own account only; Mallory can neither take Alice's address nor touch Alice's account.
async fn a_stranger_cannot_change_someone_elses_address(ctx: &Ctx) {
    let alice = code_sign_in(ctx, "alice@example.com").await;
    let mallory = code_sign_in(ctx, "mallory@example.com").await;
    let (status, body) = change(ctx, APP_ID, &mallory, "alice@example.com").await;
    assert_error(status, &body, StatusCode::CONFLICT, "identifier_exists");
    // Mallory's token does not work in another app where Alice might be.
    let (status, body) = change(ctx, OTHER_APP_ID, &mallory, "mallory-elsewhere@example.com").await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_access_token");
    // Her own change moves only her account.
    let (status, body) = change(ctx, APP_ID, &mallory, "mallory-new@example.com").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = ctx
        .patch(
            &format!("/v1/apps/{APP_ID}/magic-link/activate"),
            json!({ "magic_link": change_token(ctx, "mallory-new@example.com") }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(email_of(ctx, APP_ID, &alice).await, "alice@example.com");
    assert_eq!(email_of(ctx, APP_ID, &mallory).await, "mallory-new@example.com");
}

/// An e-mail change link works once, in its own app only; a replay is 404 and signs nobody in.
async fn an_email_change_link_is_single_use_and_bound_to_its_app(ctx: &Ctx) {
    let alice = code_sign_in(ctx, "replay@example.com").await;
    let (status, body) = change(ctx, APP_ID, &alice, "replay-new@example.com").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let link_token = change_token(ctx, "replay-new@example.com");
    let (status, body) =
        ctx.patch(&format!("/v1/apps/{OTHER_APP_ID}/magic-link/activate"), json!({ "magic_link": link_token })).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "magic_link_not_found");
    let (status, body) =
        ctx.patch(&format!("/v1/apps/{APP_ID}/magic-link/activate"), json!({ "magic_link": link_token })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for _ in 0..2 {
        let (status, body) =
            ctx.patch(&format!("/v1/apps/{APP_ID}/magic-link/activate"), json!({ "magic_link": link_token })).await;
        assert_error(status, &body, StatusCode::NOT_FOUND, "magic_link_not_found");
        assert!(body.get("auth_result").is_none());
    }
}

/// The id P8 returns is a magic link id, but polling it (E13) never hands out a session, before or after the link
/// was opened: only the tab that opens the link is signed in.
async fn polling_an_email_change_id_yields_no_session(ctx: &Ctx) {
    let email = "poller@example.com";
    let app = |path: &str| format!("/v1/apps/{LINK_APP_ID}{path}");
    let (status, _) = ctx.post(&app("/users"), json!({ "identifier": email })).await;
    assert!(status.is_success());
    let (status, body) =
        ctx.post(&app("/login/magic-link"), json!({ "identifier": email, "magic_link_path": "/" })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let sign_in = ctx.last_link(email).split("psg_magic_link=").nth(1).unwrap().to_owned();
    let (status, body) = ctx.patch(&app("/magic-link/activate"), json!({ "magic_link": sign_in })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let session = body["auth_result"].clone();
    let (status, body) = change(ctx, LINK_APP_ID, &session, "poller-new@example.com").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = body["magic_link"]["id"].clone();
    let (status, body) = ctx.post(&app("/magic-link/status"), json!({ "id": id })).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "magic_link_not_activated");
    let link_token = change_token(ctx, "poller-new@example.com");
    let (status, body) = ctx.patch(&app("/magic-link/activate"), json!({ "magic_link": link_token })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = ctx.post(&app("/magic-link/status"), json!({ "id": id })).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "magic_link_not_activated");
    assert_eq!(email_of(ctx, LINK_APP_ID, &session).await, "poller-new@example.com");
}

/// A session left open (or an auth token stolen) long after its sign-in must not move the account to the holder's
/// mailbox: P8 needs a sign-in within the reauthentication window, as adding a passkey does. Nothing is sent.
async fn a_stale_session_cannot_change_the_address(ctx: &Ctx) {
    let owner = code_sign_in(ctx, "owner@example.com").await;
    ctx.state.clock().advance(601);
    let (status, refreshed) = refresh(ctx, &owner).await;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    let refreshed = refreshed["auth_result"].clone();
    let (status, body) = change(ctx, APP_ID, &refreshed, "thief@example.com").await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "insufficient_user_authentication");
    assert!(body["error"].as_str().unwrap().contains("change the email address"), "{body}");
    assert!(ctx.mailbox.messages(Some("thief@example.com")).is_empty(), "no link to the thief's mailbox");
    assert_eq!(email_of(ctx, APP_ID, &refreshed).await, "owner@example.com");
    // A fresh sign-in may.
    let fresh = code_sign_in(ctx, "owner@example.com").await;
    let (status, body) = change(ctx, APP_ID, &fresh, "owner-new@example.com").await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

on_both_databases!(
    a_stale_session_cannot_change_the_address,
    a_stranger_cannot_list_or_end_someone_elses_sessions,
    a_stranger_cannot_change_someone_elses_address,
    an_email_change_link_is_single_use_and_bound_to_its_app,
    polling_an_email_change_id_yields_no_session,
);
