//! A stale or stolen session adds a passkey: E16/E17 accepted any valid auth token, however long ago its session
//! signed in. Now they need a sign-in within `reauthentication_window_secs` (600 in the tests), carried as the token's
//! `auth_time` and unchanged by refreshes; the account is told when a passkey is added.

use auth_server::tokens::Claims;
use axum::http::StatusCode;
use serde_json::json;

use crate::account_flows::*;
use crate::common::*;

on_both_databases!(
    stolen_session_older_than_the_window_cannot_add_a_passkey,
    refreshing_an_old_session_does_not_make_its_sign_in_fresh,
    add_a_passkey_prompt_right_after_a_code_sign_in_still_works_and_the_owner_is_told,
    token_minted_without_auth_time_counts_as_stale,
    auth_token_of_a_signed_out_session_cannot_add_a_passkey,
);

const OWNER: &str = "owner@example.com";

async fn stolen_session_older_than_the_window_cannot_add_a_passkey(ctx: &Ctx) {
    let session = code_sign_in(ctx, OWNER).await;
    let token = session["auth_token"].as_str().unwrap();
    assert!(jwt_part(token, 1)["auth_time"].as_i64().is_some(), "auth_time claim: {}", jwt_part(token, 1));
    ctx.state.clock().advance(601);
    let mut thief = authenticator();
    let (status, body) = add_passkey(ctx, token, &mut thief).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "insufficient_user_authentication");
    assert!(body["error"].as_str().unwrap().contains("Sign in again"), "{body}");
    // The token still works for reading (E15): only the change needs a fresh sign-in.
    assert_eq!(passkey_count(ctx, token).await, Ok(0));

    // A handshake started inside the window is refused at finish once the window has passed.
    let fresh = code_sign_in(ctx, OWNER).await;
    let token = fresh["auth_token"].as_str().unwrap();
    let (status, start) =
        ctx.post_bearer(&format!("/v1/apps/{APP_ID}/currentuser/devices/start"), json!({}), token).await;
    assert_eq!(status, StatusCode::OK, "{start}");
    ctx.state.clock().advance(601);
    let credential = create_credential(&mut thief, ORIGIN, &start["handshake"]["challenge"]);
    let (status, body) = ctx
        .post_bearer(
            &format!("/v1/apps/{APP_ID}/currentuser/devices/finish"),
            json!({ "handshake_id": start["handshake"]["id"], "user_id": start["user"]["id"], "handshake_response": credential }),
            token,
        )
        .await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "insufficient_user_authentication");
    assert_eq!(passkey_count(ctx, token).await, Ok(0));
}

async fn refreshing_an_old_session_does_not_make_its_sign_in_fresh(ctx: &Ctx) {
    let session = code_sign_in(ctx, OWNER).await;
    let signed_in_at = jwt_part(session["auth_token"].as_str().unwrap(), 1)["auth_time"].clone();
    ctx.state.clock().advance(400);
    let (status, refreshed) = refresh(ctx, &session).await;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    let token = refreshed["auth_result"]["auth_token"].as_str().unwrap().to_owned();
    assert_eq!(jwt_part(&token, 1)["auth_time"], signed_in_at, "a refresh keeps the sign-in time");
    let mut key = authenticator();
    // 400 s after the sign-in: still inside the window, even with the refreshed token.
    let (status, start) =
        ctx.post_bearer(&format!("/v1/apps/{APP_ID}/currentuser/devices/start"), json!({}), &token).await;
    assert_eq!(status, StatusCode::OK, "{start}");
    ctx.state.clock().advance(300);
    let (status, body) = add_passkey(ctx, &token, &mut key).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "insufficient_user_authentication");
}

async fn add_a_passkey_prompt_right_after_a_code_sign_in_still_works_and_the_owner_is_told(ctx: &Ctx) {
    // The elements' AddDevice step: E10, then E16/E17 with the new auth token.
    let user_id = ctx.create_user(OWNER).await["id"].as_str().unwrap().to_owned();
    let session = code_sign_in(ctx, OWNER).await;
    let token = session["auth_token"].as_str().unwrap();
    let mut key = authenticator();
    let (status, body) = add_passkey(ctx, token, &mut key).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["device"]["id"].as_str().is_some_and(|id| !id.is_empty()), "the element needs device.id: {body}");
    // Also after a refresh within the window (the element refreshes an expired token before E16).
    let (_, refreshed) = refresh(ctx, &session).await;
    let mut second = authenticator();
    let (status, body) = add_passkey(ctx, refreshed["auth_result"]["auth_token"].as_str().unwrap(), &mut second).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let mails = account_mails(ctx, OWNER);
    assert_eq!(mails.len(), 2, "{mails:?}");
    assert!(mails[0].0.contains("A passkey was added"), "{mails:?}");
    assert!(mails[0].1.contains("If it was not"), "{mails:?}");
    let notices = notices_of(ctx, &user_id).await;
    assert_eq!(notices.iter().filter(|n| n.kind == "passkey_added").count(), 2, "{notices:?}");
    // Added after the address was proven: confirmed, so the next code sign-in keeps them.
    assert!(confirmation_links(ctx, OWNER).is_empty());
    code_sign_in(ctx, OWNER).await;
    let (status, _) = ctx.login_passkey(OWNER, &mut key, ORIGIN).await;
    assert_eq!(status, StatusCode::OK);
}

async fn token_minted_without_auth_time_counts_as_stale(ctx: &Ctx) {
    let user_id = ctx.create_user(OWNER).await["id"].as_str().unwrap().to_owned();
    code_sign_in(ctx, OWNER).await;
    // A token as this server signed them before `auth_time` existed.
    let now = auth_server::ids::now();
    let claims = Claims {
        sub: user_id,
        aud: vec![ORIGIN.into(), APP_ID.into()],
        iss: APP_ID.into(),
        iat: now,
        nbf: now,
        exp: now + 900,
        auth_time: None,
        sid: None,
    };
    let token = ctx.state.keys().sign(&claims).unwrap();
    assert_eq!(passkey_count(ctx, &token).await, Ok(0), "still a valid token for reading");
    let mut key = authenticator();
    let (status, body) = add_passkey(ctx, &token, &mut key).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "insufficient_user_authentication");
}

async fn auth_token_of_a_signed_out_session_cannot_add_a_passkey(ctx: &Ctx) {
    let session = code_sign_in(ctx, OWNER).await;
    let (status, _, _) = ctx
        .request(
            axum::http::Method::DELETE,
            &format!("/v1/apps/{APP_ID}/tokens?refresh_token={}", session["refresh_token"].as_str().unwrap()),
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut key = authenticator();
    let (status, body) = add_passkey(ctx, session["auth_token"].as_str().unwrap(), &mut key).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_access_token");
}
