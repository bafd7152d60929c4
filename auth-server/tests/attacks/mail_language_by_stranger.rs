//! Choosing someone else's mail language: a code or link request names a `language` (E8/E9/E11/E12), and anyone
//! can send one for any address. If the request itself stored that language on the account, a stranger could make
//! the owner's later security notices (an e-mail change, a passkey added) arrive in a language the owner cannot
//! read. Only using the code or opening the link (reading the mailbox) may choose it.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::*;

on_both_databases!(
    a_strangers_code_request_does_not_choose_the_owners_notice_language,
    a_strangers_link_request_does_not_choose_the_owners_notice_language,
);

const STRANGER_IP: &str = "198.51.100.66";

fn uri(app: &str, path: &str) -> String {
    format!("/v1/apps/{app}{path}")
}

async fn request_from(ctx: &Ctx, ip: &str, app: &str, path: &str, body: Value) -> Value {
    let (status, _, body) = ctx.request_from(ip, &[], Method::POST, &uri(app, path), Some(body), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// The owner signs in with a code asked for in French, from their own browser: French is now theirs.
async fn owner_signs_in_in_french(ctx: &Ctx, email: &str) -> String {
    ctx.create_user(email).await;
    let sent =
        request_from(ctx, CLIENT_IP, APP_ID, "/register/otp", json!({ "identifier": email, "language": "fr" })).await;
    let (status, body) =
        ctx.post(&uri(APP_ID, "/otp/activate"), json!({ "otp": ctx.last_code(email), "otp_id": sent["otp_id"] })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["auth_result"]["auth_token"].as_str().unwrap().to_owned()
}

/// The notice the owner's old address gets when the account page asks to change it (no `Accept-Language`, so in
/// the account's stored language).
async fn change_notice_subject(ctx: &Ctx, app: &str, token: &str, email: &str, new_email: &str) -> String {
    ctx.change_email(app, token, new_email, &[]).await;
    ctx.mailbox.messages(Some(email)).into_iter().next().expect("the notice").mail.subject
}

async fn a_strangers_code_request_does_not_choose_the_owners_notice_language(ctx: &Ctx) {
    let email = "celine@example.com";
    let token = owner_signs_in_in_french(ctx, email).await;
    // The stranger asks for codes in Arabic, and never gets to use one. The mail that answers each request is in
    // the language it names (the owner is told someone asked); the account's language is not theirs to set.
    for _ in 0..2 {
        request_from(ctx, STRANGER_IP, APP_ID, "/login/otp", json!({ "identifier": email, "language": "ar" })).await;
    }
    let subject = change_notice_subject(ctx, APP_ID, &token, email, "celine.new@example.com").await;
    assert_eq!(subject, "L'adresse e-mail de votre compte test-app name va changer", "the notice stays French");
}

async fn a_strangers_link_request_does_not_choose_the_owners_notice_language(ctx: &Ctx) {
    let email = "celine@example.com";
    // The owner opens a link asked for in French.
    let (status, body) = ctx.post(&uri(LINK_APP_ID, "/users"), json!({ "identifier": email })).await;
    assert!(status.is_success(), "{status} {body}");
    request_from(ctx, CLIENT_IP, LINK_APP_ID, "/login/magic-link", json!({ "identifier": email, "language": "fr" }))
        .await;
    let secret = ctx.last_link(email).split("psg_magic_link=").nth(1).expect("the token").to_owned();
    let (status, body) = ctx.patch(&uri(LINK_APP_ID, "/magic-link/activate"), json!({ "magic_link": secret })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let token = body["auth_result"]["auth_token"].as_str().unwrap().to_owned();
    // The stranger asks for a link in Japanese, which the owner never opens.
    request_from(ctx, STRANGER_IP, LINK_APP_ID, "/login/magic-link", json!({ "identifier": email, "language": "ja" }))
        .await;
    let subject = change_notice_subject(ctx, LINK_APP_ID, &token, email, "celine.new@example.com").await;
    assert_eq!(subject, "L'adresse e-mail de votre compte link-app name va changer", "the notice stays French");
}
