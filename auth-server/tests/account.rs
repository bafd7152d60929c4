//! The account page's auth-server part (issue 10): the session list (`/currentuser/sessions`), the e-mail change
//! (P8 + E14), the management API's user deletion, and the honest answers to the profile element's other calls,
//! against the real router on SQLite and Postgres.

#[macro_use]
#[path = "common/mod.rs"]
#[allow(unused_macros)]
mod common;

#[path = "attacks/account_flows.rs"]
#[allow(dead_code)]
mod account_flows;

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::Row;

use auth_server::store::credentials;

use account_flows::{account_mails, add_passkey, code_sign_in, email_change_link, notices_of, refresh};
use common::*;

fn uri(path: &str) -> String {
    format!("/v1/apps/{APP_ID}{path}")
}

fn token(auth_result: &Value) -> String {
    auth_result["auth_token"].as_str().expect("auth token").to_owned()
}

/// The session id (`sid`) an auth token was issued in.
fn sid(auth_result: &Value) -> String {
    jwt_part(&token(auth_result), 1)["sid"].as_str().expect("sid").to_owned()
}

/// E9 + E10 as the browser `agent` (E3 first if the address is unknown): the AuthResult.
async fn code_sign_in_from(ctx: &Ctx, email: &str, agent: &str) -> Value {
    let (_, lookup) = ctx.get(&uri(&format!("/users?identifier={email}"))).await;
    if lookup["user"].is_null() {
        ctx.create_user(email).await;
    }
    let (status, sent) = ctx.post(&uri("/login/otp"), json!({ "identifier": email })).await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    let (status, _, body) = ctx
        .request_from(
            CLIENT_IP,
            &[("user-agent", agent)],
            Method::POST,
            &uri("/otp/activate"),
            Some(json!({ "otp": ctx.last_code(email), "otp_id": sent["otp_id"] })),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["auth_result"].clone()
}

async fn sessions(ctx: &Ctx, token: &str) -> Vec<Value> {
    let (status, body) = ctx.get_bearer(&uri("/currentuser/sessions"), token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["sessions"].as_array().expect("sessions is an array").clone()
}

async fn end_session(ctx: &Ctx, token: &str, id: &str) -> (StatusCode, Value) {
    let (status, _, body) =
        ctx.request(Method::DELETE, &uri(&format!("/currentuser/sessions/{id}")), None, Some(token)).await;
    (status, body)
}

async fn current_email(ctx: &Ctx, token: &str) -> Result<String, StatusCode> {
    let (status, body) = ctx.get_bearer(&uri("/currentuser"), token).await;
    if status != StatusCode::OK {
        return Err(status);
    }
    Ok(body["user"]["email"].as_str().unwrap().to_owned())
}

async fn change_email(ctx: &Ctx, token: &str, new_email: Value) -> (StatusCode, Value) {
    let (status, _, body) = ctx
        .request(Method::PATCH, &uri("/currentuser/email"), Some(json!({ "new_email": new_email })), Some(token))
        .await;
    (status, body)
}

async fn open_change_link(ctx: &Ctx, token: &str) -> (StatusCode, Value) {
    ctx.patch(&uri("/magic-link/activate"), json!({ "magic_link": token })).await
}

// ---- Sessions

async fn the_list_names_each_sign_in_and_marks_the_current_one(ctx: &Ctx) {
    let email = "sessions@example.com";
    let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
    let first = code_sign_in_from(ctx, email, firefox).await;
    ctx.state.clock().advance(60);
    let second = code_sign_in_from(ctx, email, "Chrome\tTabbed/1.0").await;
    let (status, added) = add_passkey(ctx, &token(&second), &mut authenticator()).await;
    assert_eq!(status, StatusCode::OK, "{added}");
    ctx.state.clock().advance(60);
    let mut passkey = authenticator();
    // A second passkey, then a passkey sign-in with it (no User-Agent sent).
    let (status, body) = add_passkey(ctx, &token(&second), &mut passkey).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = ctx.login_passkey(email, &mut passkey, ORIGIN).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let third = body["auth_result"].clone();

    let listed = sessions(ctx, &token(&second)).await;
    let ids: Vec<&str> = listed.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [sid(&third), sid(&second), sid(&first)], "newest last_used_at first: {listed:?}");
    assert_eq!(listed.iter().map(|s| s["current"].as_bool().unwrap()).collect::<Vec<_>>(), [false, true, false]);
    assert_eq!(listed[0]["sign_in_method"], "passkey");
    assert_eq!(listed[1]["sign_in_method"], "otp");
    assert_eq!(listed[0]["user_agent"], "");
    // Control characters become spaces (the cleaner of the passkey mails).
    assert_eq!(listed[1]["user_agent"], "Chrome Tabbed/1.0");
    assert_eq!(listed[2]["user_agent"], firefox);
    for session in &listed {
        let keys: Vec<&str> = session.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys.len(), 7, "{session}");
        for field in ["created_at", "last_used_at", "expires_at"] {
            assert!(session[field].as_str().unwrap().ends_with('Z'), "{field}: {session}");
        }
    }
    let expires = time_of(first["refresh_token_expiration"].as_i64().unwrap());
    assert_eq!(listed[2]["expires_at"], expires.as_str());
    assert_eq!(listed[2]["created_at"], listed[2]["last_used_at"], "never refreshed");

    // A refresh is a use: the first session moves to the top, keeps its id and start, gets a later expiry.
    ctx.state.clock().advance(60);
    let (status, refreshed) = refresh(ctx, &first).await;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    let listed_again = sessions(ctx, &token(&third)).await;
    assert_eq!(listed_again.len(), 3);
    assert_eq!(listed_again[0]["id"], sid(&first).as_str());
    assert_eq!(sid(&refreshed["auth_result"]), sid(&first), "a refresh stays in the session");
    assert_eq!(listed_again[0]["created_at"], listed[2]["created_at"]);
    assert_ne!(listed_again[0]["last_used_at"], listed[2]["last_used_at"]);
    assert_eq!(listed_again[0]["user_agent"], firefox, "inherited by the rotated token");
    assert_eq!(listed_again[0]["sign_in_method"], "otp");
    assert_eq!(listed_again[0]["current"], false);
    assert_eq!(listed_again[1]["current"], true, "the caller is the passkey session now");
}

fn time_of(unix: i64) -> String {
    auth_server::ids::rfc3339(unix)
}

/// A long or odd User-Agent is cut and cleaned before it is stored (the list is shown by the SPA as text).
async fn a_long_user_agent_is_cut(ctx: &Ctx) {
    let agent = format!("Mozilla/5.0 {}", "x".repeat(2_000));
    let auth = code_sign_in_from(ctx, "long-agent@example.com", &agent).await;
    let shown = sessions(ctx, &token(&auth)).await[0]["user_agent"].as_str().unwrap().to_owned();
    assert!(shown.starts_with("Mozilla/5.0 xxx") && shown.chars().count() <= 256, "{} chars", shown.len());
}

async fn ending_one_session_leaves_the_others_working(ctx: &Ctx) {
    let email = "end-one@example.com";
    let first = code_sign_in(ctx, email).await;
    let second = code_sign_in(ctx, email).await;
    let (status, body) = end_session(ctx, &token(&second), &sid(&first)).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(body, Value::Null, "no body");
    // The ended session: its refresh token (E18) and its auth token (E15) are refused.
    let (status, body) = refresh(ctx, &first).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_refresh_token");
    assert_eq!(current_email(ctx, &token(&first)).await, Err(StatusCode::UNAUTHORIZED));
    // The other goes on.
    assert_eq!(current_email(ctx, &token(&second)).await.as_deref(), Ok(email));
    let listed = sessions(ctx, &token(&second)).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], sid(&second).as_str());
    // Ending it again: it is not a live session any more.
    let (status, body) = end_session(ctx, &token(&second), &sid(&first)).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "session_not_found");
    let (status, body) = end_session(ctx, &token(&second), "no-such-session").await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "session_not_found");
    // The caller may end its own session; then its token is refused.
    let (status, refreshed) = refresh(ctx, &second).await;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    let second = refreshed["auth_result"].clone();
    let (status, body) = end_session(ctx, &token(&second), &sid(&second)).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(current_email(ctx, &token(&second)).await, Err(StatusCode::UNAUTHORIZED));
    let (status, body) = refresh(ctx, &second).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_refresh_token");
}

async fn signing_out_everywhere_ends_every_session_of_the_user(ctx: &Ctx) {
    let email = "everywhere@example.com";
    let first = code_sign_in(ctx, email).await;
    let second = code_sign_in(ctx, email).await;
    let (status, refreshed) = refresh(ctx, &second).await;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    let second_refreshed = refreshed["auth_result"].clone();
    let third = code_sign_in(ctx, email).await;
    let bystander = code_sign_in(ctx, "bystander@example.com").await;
    let (status, _, body) =
        ctx.request(Method::DELETE, &uri("/currentuser/sessions"), None, Some(&token(&first))).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    for auth in [&first, &second_refreshed, &third] {
        let (status, body) = refresh(ctx, auth).await;
        assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_refresh_token");
        assert_eq!(current_email(ctx, &token(auth)).await, Err(StatusCode::UNAUTHORIZED));
    }
    // Even the token rotated away before is no way back in.
    let (status, body) = refresh(ctx, &second).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_refresh_token");
    // Another user is untouched.
    assert_eq!(current_email(ctx, &token(&bystander)).await.as_deref(), Ok("bystander@example.com"));
    let (status, body) = refresh(ctx, &bystander).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Signing in again works and lists one session.
    let again = code_sign_in(ctx, email).await;
    assert_eq!(sessions(ctx, &token(&again)).await.len(), 1);
}

async fn the_session_endpoints_need_a_live_token(ctx: &Ctx) {
    let auth = code_sign_in(ctx, "no-token@example.com").await;
    for bearer in [None, Some("not-a-jwt")] {
        for (method, path) in [
            (Method::GET, "/currentuser/sessions".to_owned()),
            (Method::DELETE, "/currentuser/sessions".to_owned()),
            (Method::DELETE, format!("/currentuser/sessions/{}", sid(&auth))),
        ] {
            let (status, _, body) = ctx.request(method, &uri(&path), None, bearer).await;
            assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_access_token");
        }
    }
    assert_eq!(sessions(ctx, &token(&auth)).await.len(), 1, "nothing was ended");
}

// ---- E-mail change

async fn an_email_change_moves_the_account_once_the_link_is_opened(ctx: &Ctx) {
    let (old, new) = ("before@example.com", "after@example.com");
    let session = code_sign_in(ctx, old).await;
    let user_id = jwt_part(&token(&session), 1)["sub"].as_str().unwrap().to_owned();
    let (status, body) = change_email(ctx, &token(&session), json!("After@Example.com")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = body["magic_link"]["id"].as_str().expect("magic_link.id");
    assert_eq!(body, json!({ "magic_link": { "id": id } }));
    // The new address gets the link to the app's login page; the old one is told, without any link.
    let (link, link_token) = email_change_link(ctx, new);
    assert!(link.starts_with(&format!("{ORIGIN}/login?psg_verify_link=")), "{link}");
    let new_mail = &ctx.mailbox.messages(Some(new))[0].mail;
    assert_eq!(new_mail.subject, "Confirm your new test-app name e-mail address");
    let told = account_mails(ctx, old);
    assert_eq!(told[0].0, "Your test-app name e-mail address is about to change", "{told:?}");
    assert!(told[0].1.contains(new) && !told[0].1.contains("psg_") && !told[0].1.contains("http"), "{}", told[0].1);
    // Nothing changes before the link is opened.
    assert_eq!(current_email(ctx, &token(&session)).await.as_deref(), Ok(old));

    ctx.state.clock().advance(60);
    let (status, body) = open_change_link(ctx, &link_token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let opened = body["auth_result"].clone();
    assert!(opened["refresh_token"].is_string() && opened["redirect_url"] == "/dashboard", "{opened}");
    let (_, me) = ctx.get_bearer(&uri("/currentuser"), &token(&opened)).await;
    assert_eq!((me["user"]["id"].as_str(), me["user"]["email"].as_str()), (Some(user_id.as_str()), Some(new)));
    assert_eq!(me["user"]["email_verified"], true);
    // The session that asked goes on, now showing the new address; the opened link is a magic-link session.
    assert_eq!(current_email(ctx, &token(&session)).await.as_deref(), Ok(new));
    let listed = sessions(ctx, &token(&opened)).await;
    assert_eq!(listed[0]["sign_in_method"], "magic_link");
    assert_eq!(listed.len(), 2);
    // The old address is told a second time.
    let told = account_mails(ctx, old);
    assert_eq!(told[0].0, "Your test-app name e-mail address was changed", "{told:?}");
    assert!(told[0].1.contains(new), "{}", told[0].1);
    let notices = notices_of(ctx, &user_id).await;
    assert_eq!(notices[0].kind, "email_changed");
    assert_eq!(notices[0].data, json!({ "old_email": old, "new_email": new }));
    // The addresses as the element's lookup (P7/E2) sees them; the same account signs in with the new one.
    let (_, lookup) = ctx.get(&uri(&format!("/users?identifier={old}"))).await;
    assert_eq!(lookup["user"], Value::Null);
    let (_, lookup) = ctx.get(&uri(&format!("/users?identifier={new}"))).await;
    assert_eq!(lookup["user"]["id"], user_id.as_str());
    let again = code_sign_in(ctx, new).await;
    assert_eq!(jwt_part(&token(&again), 1)["sub"], user_id.as_str());
    // Single use.
    let (status, body) = open_change_link(ctx, &link_token).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "magic_link_not_found");
}

async fn a_newer_request_supersedes_an_older_one(ctx: &Ctx) {
    let session = code_sign_in(ctx, "twice@example.com").await;
    let (status, body) = change_email(ctx, &token(&session), json!("first-choice@example.com")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, older) = email_change_link(ctx, "first-choice@example.com");
    let (status, body) = change_email(ctx, &token(&session), json!("second-choice@example.com")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, newer) = email_change_link(ctx, "second-choice@example.com");
    let (status, body) = open_change_link(ctx, &older).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "magic_link_not_found");
    assert_eq!(current_email(ctx, &token(&session)).await.as_deref(), Ok("twice@example.com"));
    let (status, body) = open_change_link(ctx, &newer).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(current_email(ctx, &token(&session)).await.as_deref(), Ok("second-choice@example.com"));
}

async fn bad_input_gets_a_clear_400_and_changes_nothing(ctx: &Ctx) {
    let email = "careful@example.com";
    let session = code_sign_in(ctx, email).await;
    let mails_before = ctx.mailbox.messages(None).len();
    let path = uri("/currentuser/email");
    let bearer = Some(token(&session));
    let (status, body) = ctx
        .request_raw(Method::PATCH, &path, Some("application/json"), "new_email=x@example.com", bearer.as_deref())
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");
    let (status, body) = ctx.request_raw(Method::PATCH, &path, None, "{}", bearer.as_deref()).await;
    assert_error(status, &body, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    let (status, _, body) = ctx.request(Method::PATCH, &path, Some(json!({})), bearer.as_deref()).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_email");
    let (status, body) = change_email(ctx, &token(&session), json!(42)).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
    for bad in [
        json!(null),
        json!(""),
        json!("   "),
        json!("not-an-address"),
        json!("<script>alert(1)</script>@example.com"),
        json!("\"<img src=x onerror=alert(1)>\"@example.com"),
        json!("ana@example.com\r\nBcc: victim@example.com"),
        json!(format!("{}@example.com", "a".repeat(10_000))),
    ] {
        let (status, body) = change_email(ctx, &token(&session), bad.clone()).await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_email");
    }
    // The same address, in any letter case, is no change.
    let (status, body) = change_email(ctx, &token(&session), json!(" Careful@Example.COM ")).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "email_unchanged");
    assert_eq!(ctx.mailbox.messages(None).len(), mails_before, "no mail was sent");
    assert_eq!(current_email(ctx, &token(&session)).await.as_deref(), Ok(email));
    let pending = sqlx::query("SELECT COUNT(*) AS n FROM magic_links")
        .fetch_one(ctx.state.db())
        .await
        .unwrap()
        .try_get::<i64, _>("n")
        .unwrap();
    assert_eq!(pending, 0, "no link was stored");
    // Without a token nothing is looked at.
    let (status, _, body) =
        ctx.request(Method::PATCH, &path, Some(json!({ "new_email": "x@example.com" })), None).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_access_token");
}

async fn an_address_of_another_account_is_409(ctx: &Ctx) {
    let alice = code_sign_in(ctx, "alice@example.com").await;
    code_sign_in(ctx, "bob@example.com").await;
    ctx.create_user("pending@example.com").await;
    let mails_before = ctx.mailbox.messages(None).len();
    for taken in ["bob@example.com", "BOB@example.com", "pending@example.com"] {
        let (status, body) = change_email(ctx, &token(&alice), json!(taken)).await;
        assert_error(status, &body, StatusCode::CONFLICT, "identifier_exists");
    }
    assert_eq!(ctx.mailbox.messages(None).len(), mails_before);
    assert_eq!(current_email(ctx, &token(&alice)).await.as_deref(), Ok("alice@example.com"));
}

/// The address is free at P8 and taken before the link is opened: E14 answers 409 and nothing changes, the link
/// included (it was claimed in the transaction that rolled back).
async fn an_address_taken_before_the_link_is_opened_is_409(ctx: &Ctx) {
    let alice = code_sign_in(ctx, "alice2@example.com").await;
    let (status, body) = change_email(ctx, &token(&alice), json!("contested@example.com")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, link_token) = email_change_link(ctx, "contested@example.com");
    let registrant = ctx.create_user("contested@example.com").await;
    for _ in 0..2 {
        let (status, body) = open_change_link(ctx, &link_token).await;
        assert_error(status, &body, StatusCode::CONFLICT, "identifier_exists");
    }
    assert_eq!(current_email(ctx, &token(&alice)).await.as_deref(), Ok("alice2@example.com"));
    let (_, lookup) = ctx.get(&uri("/users?identifier=contested@example.com")).await;
    assert_eq!(lookup["user"]["id"], registrant["id"]);
    assert_eq!(account_mails(ctx, "alice2@example.com").len(), 1, "only the request was told, no change");
}

/// A registration and the opening of a change link to the same address at once: the unique constraint lets exactly
/// one of them have the address, never both and never neither.
async fn a_change_racing_a_registration_gives_the_address_to_one(ctx: &Ctx) {
    for round in 0..4 {
        let mover = code_sign_in(ctx, &format!("mover{round}@example.com")).await;
        let target = format!("raced{round}@example.com");
        let (status, body) = change_email(ctx, &token(&mover), json!(target)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, link_token) = email_change_link(ctx, &target);
        let users_path = uri("/users");
        let ((opened, opened_body), (registered, registered_body)) =
            tokio::join!(open_change_link(ctx, &link_token), ctx.post(&users_path, json!({ "identifier": target })));
        let moved = opened == StatusCode::OK;
        let mover_email = current_email(ctx, &token(&mover)).await.unwrap();
        assert_eq!(mover_email == target, moved, "{opened} {opened_body} / {registered} {registered_body}");
        if moved {
            // Had E3 run first, its pending user would have held the address and the change failed: E3 came
            // second and found an active account.
            assert_error(registered, &registered_body, StatusCode::CONFLICT, "user_already_exists");
        } else {
            assert_error(opened, &opened_body, StatusCode::CONFLICT, "identifier_exists");
            assert!(registered.is_success(), "{registered} {registered_body}");
        }
        let holders = sqlx::query("SELECT COUNT(*) AS n FROM users WHERE email = $1")
            .bind(&target)
            .fetch_one(ctx.state.db())
            .await
            .unwrap()
            .try_get::<i64, _>("n")
            .unwrap();
        assert_eq!(holders, 1);
    }
}

/// Opening the link is the first proof of the account's address: passkeys never confirmed are removed (and their
/// sessions end), as at a first code sign-in; a confirmed passkey stays.
async fn opening_the_link_removes_passkeys_never_confirmed(ctx: &Ctx) {
    let (user_id, registered) = ctx.register_passkey("unproven@example.com", &mut authenticator()).await;
    let (status, body) = change_email(ctx, &token(&registered), json!("proven@example.com")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, link_token) = email_change_link(ctx, "proven@example.com");
    let (status, body) = open_change_link(ctx, &link_token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(credentials::for_user(ctx.state.db(), &user_id).await.unwrap().is_empty());
    assert_eq!(current_email(ctx, &token(&registered)).await, Err(StatusCode::UNAUTHORIZED), "its session ended");
    assert_eq!(current_email(ctx, &token(&body["auth_result"])).await.as_deref(), Ok("proven@example.com"));
    let told = account_mails(ctx, "proven@example.com");
    assert!(told.iter().any(|(subject, _)| subject.starts_with("Passkeys were removed")), "{told:?}");
    assert!(notices_of(ctx, &user_id).await.iter().any(|n| n.kind == "provisional_passkeys_removed"));

    // With a confirmed passkey (added after a code sign-in proved the old address) nothing is removed.
    let session = code_sign_in(ctx, "confirmed@example.com").await;
    let (status, added) = add_passkey(ctx, &token(&session), &mut authenticator()).await;
    assert_eq!(status, StatusCode::OK, "{added}");
    let owner = added["device"]["user_id"].as_str().unwrap();
    let (status, body) = change_email(ctx, &token(&session), json!("confirmed-new@example.com")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, link_token) = email_change_link(ctx, "confirmed-new@example.com");
    let (status, body) = open_change_link(ctx, &link_token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(credentials::for_user(ctx.state.db(), owner).await.unwrap().len(), 1);
}

/// Codes and links sent to the old address before the change stop working with it.
async fn codes_sent_to_the_old_address_stop_working(ctx: &Ctx) {
    let old = "old-codes@example.com";
    let session = code_sign_in(ctx, old).await;
    let (status, sent) = ctx.post(&uri("/login/otp"), json!({ "identifier": old })).await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    let code = ctx.last_code(old);
    let (status, body) = change_email(ctx, &token(&session), json!("new-codes@example.com")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, link_token) = email_change_link(ctx, "new-codes@example.com");
    let (status, body) = open_change_link(ctx, &link_token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = ctx.post(&uri("/otp/activate"), json!({ "otp": code, "otp_id": sent["otp_id"] })).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "otp_not_found");
}

/// Each request mails the account's own address: an account gets at most `sends_per_identifier` (5) per window.
async fn change_requests_are_limited_per_account(ctx: &Ctx) {
    let session = code_sign_in(ctx, "busy@example.com").await;
    for n in 0..5 {
        let (status, body) = change_email(ctx, &token(&session), json!(format!("busy{n}@example.com"))).await;
        assert_eq!(status, StatusCode::OK, "request {n}: {body}");
    }
    let (status, body) = change_email(ctx, &token(&session), json!("busy5@example.com")).await;
    assert_error(status, &body, StatusCode::TOO_MANY_REQUESTS, "too_many_requests");
    assert!(ctx.mailbox.messages(Some("busy5@example.com")).is_empty());
    ctx.state.clock().advance(ctx.state.limits().window_secs as i64 + 1);
    // The window is longer than the reauthentication window: a new sign-in, whose code is not counted here.
    let session = code_sign_in(ctx, "busy@example.com").await;
    let (status, body) = change_email(ctx, &token(&session), json!("busy5@example.com")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

// ---- Management API: delete a user

async fn count_rows(ctx: &Ctx, table: &str, user_id: &str) -> i64 {
    let column = if table == "users" { "id" } else { "user_id" };
    sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table} WHERE {column} = $1"))
        .bind(user_id)
        .fetch_one(ctx.state.db())
        .await
        .unwrap()
        .try_get::<i64, _>("n")
        .unwrap()
}

const USER_TABLES: [&str; 8] = [
    "users",
    "credentials",
    "refresh_tokens",
    "otps",
    "magic_links",
    "webauthn_challenges",
    "user_notices",
    "otp_failures",
];

async fn deleting_a_user_removes_everything_and_frees_the_address(ctx: &Ctx) {
    let email = "leaving@example.com";
    let session = code_sign_in(ctx, email).await;
    let user_id = jwt_part(&token(&session), 1)["sub"].as_str().unwrap().to_owned();
    let (status, added) = add_passkey(ctx, &token(&session), &mut authenticator()).await;
    assert_eq!(status, StatusCode::OK, "{added}");
    // Something in every table: an open handshake, an unused code, a wrong guess, a pending change link.
    let (status, body) = ctx.post_bearer(&uri("/currentuser/devices/start"), json!({}), &token(&session)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, sent) = ctx.post(&uri("/login/otp"), json!({ "identifier": email })).await;
    let (status, _) = ctx.post(&uri("/otp/activate"), json!({ "otp": "000000", "otp_id": sent["otp_id"] })).await;
    assert!(status.is_client_error());
    let (status, body) = change_email(ctx, &token(&session), json!("leaving-new@example.com")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for table in USER_TABLES {
        assert!(count_rows(ctx, table, &user_id).await > 0, "{table} has a row before");
    }
    let bystander = code_sign_in(ctx, "staying@example.com").await;

    let path = uri(&format!("/users/{user_id}"));
    let (status, body) = ctx.management(Method::DELETE, &path, Some(API_KEY)).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(body, Value::Null);
    for table in USER_TABLES {
        assert_eq!(count_rows(ctx, table, &user_id).await, 0, "{table} still has a row");
    }
    assert_eq!(current_email(ctx, &token(&session)).await, Err(StatusCode::UNAUTHORIZED));
    let (status, body) = refresh(ctx, &session).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_refresh_token");
    let (status, body) = ctx.management(Method::GET, &path, Some(API_KEY)).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "user_not_found");
    // Again: already gone.
    let (status, body) = ctx.management(Method::DELETE, &path, Some(API_KEY)).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "user_not_found");
    // The address registers again, as a new user.
    let (_, lookup) = ctx.get(&uri(&format!("/users?identifier={email}"))).await;
    assert_eq!(lookup["user"], Value::Null);
    let again = code_sign_in(ctx, email).await;
    let new_id = jwt_part(&token(&again), 1)["sub"].as_str().unwrap().to_owned();
    assert_ne!(new_id, user_id);
    assert_eq!(sessions(ctx, &token(&again)).await.len(), 1);
    // Nobody else was touched.
    assert_eq!(current_email(ctx, &token(&bystander)).await.as_deref(), Ok("staying@example.com"));
}

async fn deleting_a_user_needs_this_apps_api_key(ctx: &Ctx) {
    let session = code_sign_in(ctx, "kept@example.com").await;
    let user_id = jwt_part(&token(&session), 1)["sub"].as_str().unwrap().to_owned();
    let path = uri(&format!("/users/{user_id}"));
    let auth_token = token(&session);
    for key in [None, Some("wrong-key"), Some(LINK_APP_API_KEY), Some(auth_token.as_str())] {
        let (status, body) = ctx.management(Method::DELETE, &path, key).await;
        assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_access_token");
    }
    // The key of the app is checked before the id: an unknown id without a key is 401 as well.
    let (status, body) = ctx.management(Method::DELETE, &uri("/users/no-such-user"), None).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_access_token");
    let (status, body) = ctx.management(Method::DELETE, &uri("/users/no-such-user"), Some(API_KEY)).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "user_not_found");
    // The user is in this app only: the other app's API (with its own valid key) does not find it.
    let (status, body) = ctx
        .management(Method::DELETE, &format!("/v1/apps/{LINK_APP_ID}/users/{user_id}"), Some(LINK_APP_API_KEY))
        .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "user_not_found");
    assert_eq!(current_email(ctx, &token(&session)).await.as_deref(), Ok("kept@example.com"));
}

// ---- Profile calls without anything behind them

async fn the_profile_elements_other_calls_get_honest_answers(ctx: &Ctx) {
    let session = code_sign_in(ctx, "profile@example.com").await;
    let bearer = token(&session);
    let (status, _, body) = ctx
        .request(Method::PATCH, &uri("/currentuser/phone"), Some(json!({ "new_phone": "+15555550123" })), Some(&bearer))
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "phone_not_supported");
    let (status, _, body) = ctx
        .request(
            Method::PATCH,
            &uri("/currentuser/user-metadata"),
            Some(json!({ "user_metadata": { "nickname": "x" } })),
            Some(&bearer),
        )
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "user_metadata_not_supported");
    let (status, body) = ctx.get_bearer(&uri("/currentuser/user-metadata"), &bearer).await;
    assert_eq!((status, body), (StatusCode::OK, json!({ "user_metadata": null })));
    let (status, body) = ctx.get_bearer(&uri("/currentuser/social-connections"), &bearer).await;
    assert_eq!((status, body), (StatusCode::OK, json!({ "social_connections": {} })));
    let (status, _, body) =
        ctx.request(Method::DELETE, &uri("/currentuser/social-connections/google"), None, Some(&bearer)).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "social_connection_not_found");
    // All of them need the token like every /currentuser call.
    for (method, path) in [
        (Method::PATCH, "/currentuser/phone"),
        (Method::GET, "/currentuser/user-metadata"),
        (Method::PATCH, "/currentuser/user-metadata"),
        (Method::GET, "/currentuser/social-connections"),
        (Method::DELETE, "/currentuser/social-connections/github"),
    ] {
        let (status, _, body) = ctx.request(method, &uri(path), None, None).await;
        assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_access_token");
    }
}

on_both_databases!(
    the_list_names_each_sign_in_and_marks_the_current_one,
    a_long_user_agent_is_cut,
    ending_one_session_leaves_the_others_working,
    signing_out_everywhere_ends_every_session_of_the_user,
    the_session_endpoints_need_a_live_token,
    an_email_change_moves_the_account_once_the_link_is_opened,
    a_newer_request_supersedes_an_older_one,
    bad_input_gets_a_clear_400_and_changes_nothing,
    an_address_of_another_account_is_409,
    an_address_taken_before_the_link_is_opened_is_409,
    a_change_racing_a_registration_gives_the_address_to_one,
    opening_the_link_removes_passkeys_never_confirmed,
    codes_sent_to_the_old_address_stop_working,
    change_requests_are_limited_per_account,
    deleting_a_user_removes_everything_and_frees_the_address,
    deleting_a_user_needs_this_apps_api_key,
    the_profile_elements_other_calls_get_honest_answers,
);
