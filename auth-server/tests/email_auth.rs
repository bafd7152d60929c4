//! One-time codes (E8-E10), magic links (E11-E14), the dev mailbox, identifier checks, refresh-token rotation and
//! session lifetimes, and abuse limits, end to end through `app().oneshot(...)` with codes and links read from the
//! dev mailbox. Expiry uses the server's injectable clock. Each scenario runs on SQLite and Postgres.

#[macro_use]
mod common;

use auth_server::limits::Limits;
use axum::http::{Method, StatusCode};
use common::*;
use serde_json::{json, Value};

on_both_databases!(
    otp_registration_end_to_end,
    otp_login_accepts_active_and_pending_users,
    otp_is_single_use,
    otp_expires,
    otp_locks_after_five_wrong_attempts,
    otp_send_errors,
    magic_link_registration_with_polling_tab,
    magic_link_after_the_polling_tab_was_closed,
    magic_link_is_single_use_and_unknown_links_are_404,
    magic_link_expires,
    magic_link_keeps_the_path_and_fragment,
    fallback_method_follows_the_app_config,
    identifiers_with_markup_are_refused_everywhere,
    refresh_reuse_revokes_the_session,
    session_inactivity_and_absolute_lifetimes,
    send_limits_per_identifier_and_per_ip,
    activation_limits_per_ip_and_per_user,
    forwarded_for_is_trusted_only_when_configured,
);

fn uri(app: &str, path: &str) -> String {
    format!("/v1/apps/{app}{path}")
}

async fn create_pending(ctx: &Ctx, app: &str, email: &str) -> String {
    let (status, body) = ctx.post(&uri(app, "/users"), json!({ "identifier": email })).await;
    assert!(status.is_success(), "{status} {body}");
    body["user"]["id"].as_str().unwrap().to_owned()
}

async fn send_otp(ctx: &Ctx, which: &str, email: &str) -> String {
    let (status, body) =
        ctx.post(&uri(APP_ID, &format!("/{which}/otp")), json!({ "identifier": email, "language": "en" })).await;
    assert_eq!(status, StatusCode::OK, "{which} otp: {body}");
    let otp_id = body["otp_id"].as_str().expect("otp_id").to_owned();
    assert!(otp_id.len() >= 20);
    otp_id
}

async fn activate_otp(ctx: &Ctx, otp_id: &str, code: &str) -> (StatusCode, Value) {
    ctx.post(&uri(APP_ID, "/otp/activate"), json!({ "otp": code, "otp_id": otp_id })).await
}

/// A 6-digit code that is not `code`.
fn wrong(code: &str) -> String {
    let n: u32 = code.parse().unwrap();
    format!("{:06}", (n + 1) % 1_000_000)
}

async fn user(ctx: &Ctx, app: &str, email: &str) -> Value {
    let (_, body) = ctx.get(&uri(app, &format!("/users?identifier={}", email.replace('@', "%40")))).await;
    body["user"].clone()
}

fn assert_auth_result(body: &Value) {
    let result = &body["auth_result"];
    assert!(result["auth_token"].as_str().is_some_and(|t| t.split('.').count() == 3), "{body}");
    assert_eq!(result["redirect_url"], "/dashboard");
    assert!(result["refresh_token"].as_str().is_some_and(|t| t.len() >= 40), "{body}");
    assert!(result["refresh_token_expiration"].as_i64().is_some(), "{body}");
}

async fn otp_registration_end_to_end(ctx: &Ctx) {
    let email = "otp-reg@example.com";
    let user_id = create_pending(ctx, APP_ID, email).await;
    let otp_id = send_otp(ctx, "register", email).await;
    let messages = ctx.mailbox.messages(Some(email));
    assert_eq!(messages.len(), 1);
    let code = ctx.last_code(email);
    assert!(code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()), "{code}");
    // The code is in the text on its own line, and never stored in clear.
    assert!(messages[0].mail.text.contains(&format!("\n{code}\n")), "{}", messages[0].mail.text);
    let stored: Vec<String> = sqlx::query_scalar("SELECT code_hash FROM otps").fetch_all(ctx.state.db()).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].contains(&code) && stored[0].len() == 64);

    let (status, body) = activate_otp(ctx, &otp_id, &code).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_auth_result(&body);
    let token = body["auth_result"]["auth_token"].as_str().unwrap();
    assert_eq!(jwt_part(token, 1)["sub"], user_id.as_str());
    // Registration by code activates the user and verifies the address.
    let user = user(ctx, APP_ID, email).await;
    assert_eq!(user["status"], "active");
    assert_eq!(user["email_verified"], true);
    let (status, me) = ctx.get_bearer(&uri(APP_ID, "/currentuser"), token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["user"]["email"], email);
    // The refresh token of a code login works.
    let (status, refreshed) =
        ctx.post(&uri(APP_ID, "/tokens"), json!({ "refresh_token": body["auth_result"]["refresh_token"] })).await;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    // Registration of an address that is now active is refused; login is the way.
    let (status, body) =
        ctx.post(&uri(APP_ID, "/register/otp"), json!({ "identifier": email, "language": "en" })).await;
    assert_error(status, &body, StatusCode::CONFLICT, "user_already_exists");
}

async fn otp_login_accepts_active_and_pending_users(ctx: &Ctx) {
    // Pending: the element's "Resend" calls the login variant during registration.
    let pending = "resend@example.com";
    create_pending(ctx, APP_ID, pending).await;
    let first = send_otp(ctx, "register", pending).await;
    let first_code = ctx.last_code(pending);
    let resent = send_otp(ctx, "login", pending).await;
    assert_ne!(first, resent);
    let code = ctx.last_code(pending);
    assert_eq!(ctx.mailbox.messages(Some(pending)).len(), 2);
    let (status, body) = activate_otp(ctx, &resent, &code).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Codes are independent: the first one is still valid once (unless it happens to equal the second).
    if first_code != code {
        let (status, body) = activate_otp(ctx, &first, &first_code).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // Active (now) users log in by code too; the login count grows.
    let before = user(ctx, APP_ID, pending).await;
    assert_eq!(before["status"], "active");
    let otp_id = send_otp(ctx, "login", pending).await;
    let (status, body) = activate_otp(ctx, &otp_id, &ctx.last_code(pending)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, managed) = ctx
        .management(Method::GET, &uri(APP_ID, &format!("/users/{}", before["id"].as_str().unwrap())), Some(API_KEY))
        .await;
    assert_eq!(status, StatusCode::OK, "{managed}");
    assert!(managed["user"]["login_count"].as_i64().unwrap() >= 2, "{managed}");
}

async fn otp_is_single_use(ctx: &Ctx) {
    let email = "single@example.com";
    create_pending(ctx, APP_ID, email).await;
    let otp_id = send_otp(ctx, "register", email).await;
    let code = ctx.last_code(email);
    let (status, _) = activate_otp(ctx, &otp_id, &code).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = activate_otp(ctx, &otp_id, &code).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "otp_not_found");
    // A code of another app cannot be used here, nor an invented id.
    let (status, body) = ctx.post(&uri(OTHER_APP_ID, "/otp/activate"), json!({ "otp": code, "otp_id": otp_id })).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "otp_not_found");
    let (status, body) = activate_otp(ctx, "no-such-otp", "123456").await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "otp_not_found");
}

async fn otp_expires(ctx: &Ctx) {
    let email = "expiry@example.com";
    ctx.state.clock().freeze();
    create_pending(ctx, APP_ID, email).await;
    let otp_id = send_otp(ctx, "register", email).await;
    let code = ctx.last_code(email);
    // The app's ttl is 600 s: just inside it, a wrong code is still "wrong", not "expired".
    ctx.state.clock().advance(599);
    let (status, body) = activate_otp(ctx, &otp_id, &wrong(&code)).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_otp");
    ctx.state.clock().advance(1);
    let (status, body) = activate_otp(ctx, &otp_id, &code).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "otp_expired");
    // And it is gone afterwards.
    let (status, _) = activate_otp(ctx, &otp_id, &code).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(user(ctx, APP_ID, email).await["status"], "pending");
}

async fn otp_locks_after_five_wrong_attempts(ctx: &Ctx) {
    let email = "guess@example.com";
    create_pending(ctx, APP_ID, email).await;
    let otp_id = send_otp(ctx, "register", email).await;
    let code = ctx.last_code(email);
    for attempt in 1..=5 {
        let (status, body) = activate_otp(ctx, &otp_id, &wrong(&code)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "attempt {attempt}: {body}");
        assert_eq!(body["code"], "invalid_otp");
    }
    // The sixth attempt is refused with 401 (the element's "too many attempts"), even with the right code.
    let (status, body) = activate_otp(ctx, &otp_id, &code).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "otp_attempts_exceeded");
    let (status, _) = activate_otp(ctx, &otp_id, &code).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the locked code is gone");
    assert_eq!(user(ctx, APP_ID, email).await["status"], "pending");
}

async fn otp_send_errors(ctx: &Ctx) {
    let (status, body) =
        ctx.post(&uri(APP_ID, "/login/otp"), json!({ "identifier": "nobody@example.com", "language": "en" })).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "user_not_found");
    let (status, body) = ctx.post(&uri(APP_ID, "/register/otp"), json!({ "identifier": "nobody@example.com" })).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "user_not_found");
    let (status, body) = ctx.post(&uri(APP_ID, "/register/otp"), json!({})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
    let (status, body) = ctx.post(&uri(APP_ID, "/otp/activate"), json!({ "otp": "1" })).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
    let email = "gone@example.com";
    let user_id = create_pending(ctx, APP_ID, email).await;
    ctx.sql(&format!("UPDATE users SET status = 'inactive' WHERE id = '{user_id}'")).await;
    let (status, body) = ctx.post(&uri(APP_ID, "/login/otp"), json!({ "identifier": email })).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "user_inactive");
    assert!(ctx.mailbox.messages(None).is_empty(), "nothing was sent");
}

async fn send_link(ctx: &Ctx, which: &str, email: &str, path: &str) -> String {
    let (status, body) = ctx
        .post(
            &uri(LINK_APP_ID, &format!("/{which}/magic-link")),
            json!({ "identifier": email, "language": "en", "magic_link_path": path }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{which} magic link: {body}");
    body["magic_link"]["id"].as_str().expect("magic_link.id").to_owned()
}

fn token_of(link: &str) -> String {
    let url = url::Url::parse(link).unwrap();
    url.query_pairs()
        .find(|(k, _)| k == "psg_magic_link")
        .map(|(_, v)| v.into_owned())
        .expect("psg_magic_link in the link")
}

async fn poll(ctx: &Ctx, id: &str) -> (StatusCode, Value) {
    ctx.post(&uri(LINK_APP_ID, "/magic-link/status"), json!({ "id": id })).await
}

async fn open_link(ctx: &Ctx, token: &str) -> (StatusCode, Value) {
    ctx.patch(&uri(LINK_APP_ID, "/magic-link/activate"), json!({ "magic_link": token })).await
}

async fn magic_link_registration_with_polling_tab(ctx: &Ctx) {
    let email = "link-reg@example.com";
    let user_id = create_pending(ctx, LINK_APP_ID, email).await;
    let id = send_link(ctx, "register", email, "/register").await;
    let link = ctx.last_link(email);
    assert!(link.starts_with(&format!("{LINK_ORIGIN}/register?psg_magic_link=")), "{link}");
    let token = token_of(&link);
    assert_ne!(token, id, "the secret differs from the public id");
    assert!(token.len() >= 40);
    let stored: String =
        sqlx::query_scalar("SELECT token_hash FROM magic_links").fetch_one(ctx.state.db()).await.unwrap();
    assert_ne!(stored, token, "stored hashed");
    assert!(ctx.mailbox.messages(Some(email))[0].mail.text.contains(&format!("\n{link}\n")));

    // Not activated yet: the polling tab gets 404.
    let (status, body) = poll(ctx, &id).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "magic_link_not_activated");
    // The second tab opens the link.
    let (status, opened) = open_link(ctx, &token).await;
    assert_eq!(status, StatusCode::OK, "{opened}");
    assert_auth_result(&opened);
    assert_eq!(jwt_part(opened["auth_result"]["auth_token"].as_str().unwrap(), 1)["sub"], user_id.as_str());
    let user = user(ctx, LINK_APP_ID, email).await;
    assert_eq!(user["status"], "active");
    assert_eq!(user["email_verified"], true);
    // The polling tab now gets its own AuthResult for the same user, once.
    let (status, polled) = poll(ctx, &id).await;
    assert_eq!(status, StatusCode::OK, "{polled}");
    assert_auth_result(&polled);
    assert_eq!(jwt_part(polled["auth_result"]["auth_token"].as_str().unwrap(), 1)["sub"], user_id.as_str());
    assert_ne!(polled["auth_result"]["refresh_token"], opened["auth_result"]["refresh_token"]);
    let (status, _) = poll(ctx, &id).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "collected once");
}

async fn magic_link_after_the_polling_tab_was_closed(ctx: &Ctx) {
    // Login variant for a pending user ("Resend"), link opened with nobody polling.
    let email = "closed-tab@example.com";
    create_pending(ctx, LINK_APP_ID, email).await;
    send_link(ctx, "login", email, "/").await;
    let (status, body) = open_link(ctx, &token_of(&ctx.last_link(email))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(user(ctx, LINK_APP_ID, email).await["status"], "active");
    // An active user logs in with a new link the same way.
    send_link(ctx, "login", email, "/login").await;
    let (status, body) = open_link(ctx, &token_of(&ctx.last_link(email))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn magic_link_is_single_use_and_unknown_links_are_404(ctx: &Ctx) {
    let email = "once@example.com";
    create_pending(ctx, LINK_APP_ID, email).await;
    send_link(ctx, "register", email, "/").await;
    let token = token_of(&ctx.last_link(email));
    let (status, _) = open_link(ctx, &token).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = open_link(ctx, &token).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "magic_link_not_found");
    let (status, body) = open_link(ctx, "not-a-link").await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "magic_link_not_found");
    let (status, body) = poll(ctx, "no-such-id").await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "magic_link_not_activated");
    // The public id is not a token.
    let id = send_link(ctx, "login", email, "/").await;
    let (status, _) = open_link(ctx, &id).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn magic_link_expires(ctx: &Ctx) {
    // This app's links live 300 s (configured lower than the 600 s maximum).
    let email = "late@example.com";
    create_pending(ctx, LINK_APP_ID, email).await;
    let id = send_link(ctx, "register", email, "/").await;
    let token = token_of(&ctx.last_link(email));
    ctx.state.clock().advance(300);
    let (status, body) = open_link(ctx, &token).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "magic_link_not_found");
    let (status, _) = poll(ctx, &id).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(user(ctx, LINK_APP_ID, email).await["email_verified"], false);
    // Activated but never collected: the polling tab can collect only within the link's lifetime.
    let id = send_link(ctx, "login", email, "/").await;
    let (status, _) = open_link(ctx, &token_of(&ctx.last_link(email))).await;
    assert_eq!(status, StatusCode::OK);
    ctx.state.clock().advance(301);
    let (status, _) = poll(ctx, &id).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn magic_link_keeps_the_path_and_fragment(ctx: &Ctx) {
    let email = "paths@example.com";
    create_pending(ctx, LINK_APP_ID, email).await;
    send_link(ctx, "register", email, "/?el=register#section").await;
    let link = ctx.last_link(email);
    assert!(link.starts_with(&format!("{LINK_ORIGIN}/?el=register&psg_magic_link=")), "{link}");
    assert!(link.ends_with("#section"), "{link}");
    // A path that would leave the app's origin is refused, and nothing is sent.
    for path in ["@evil.example/", "//evil.example/x", "https://evil.example/"] {
        let (status, body) = ctx
            .post(&uri(LINK_APP_ID, "/login/magic-link"), json!({ "identifier": email, "magic_link_path": path }))
            .await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_magic_link_path");
    }
    assert_eq!(ctx.mailbox.messages(Some(email)).len(), 1);
}

async fn fallback_method_follows_the_app_config(ctx: &Ctx) {
    let (_, app) = ctx.get(&uri(LINK_APP_ID, "")).await;
    assert_eq!(
        app["app"]["auth_methods"],
        json!({ "passkeys": {}, "magic_link": { "ttl": 300, "ttl_display_unit": "s" } })
    );
    // Each app serves only the fallback it offers.
    let email = "methods@example.com";
    create_pending(ctx, LINK_APP_ID, email).await;
    create_pending(ctx, APP_ID, email).await;
    let (status, body) = ctx.post(&uri(LINK_APP_ID, "/register/otp"), json!({ "identifier": email })).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "auth_method_disabled");
    let (status, body) = ctx.post(&uri(LINK_APP_ID, "/otp/activate"), json!({ "otp": "123456", "otp_id": "x" })).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "auth_method_disabled");
    let (status, body) =
        ctx.post(&uri(APP_ID, "/register/magic-link"), json!({ "identifier": email, "magic_link_path": "/" })).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "auth_method_disabled");
    let (status, body) = ctx.post(&uri(APP_ID, "/magic-link/status"), json!({ "id": "x" })).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "auth_method_disabled");
    assert!(ctx.mailbox.messages(None).is_empty());
}

async fn identifiers_with_markup_are_refused_everywhere(ctx: &Ctx) {
    let attacks = [
        "\"<img src=x onerror=alert(1)>\"@x.io",
        "a<b@example.com",
        "o'brien@example.com",
        "a&b@example.com",
        "a`b@example.com",
        "a\"b\"@example.com",
        "a b@example.com",
        "a\u{7}b@example.com",
    ];
    for attack in attacks {
        let encoded: String = url::form_urlencoded::byte_serialize(attack.as_bytes()).collect();
        let (status, body) = ctx.get(&uri(APP_ID, &format!("/users?identifier={encoded}"))).await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_identifier");
        for (app, path) in [
            (APP_ID, "/users"),
            (APP_ID, "/register/otp"),
            (APP_ID, "/login/otp"),
            (LINK_APP_ID, "/register/magic-link"),
            (LINK_APP_ID, "/login/magic-link"),
        ] {
            let (status, body) = ctx
                .post(&uri(app, path), json!({ "identifier": attack, "language": "en", "magic_link_path": "/" }))
                .await;
            assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_identifier");
            assert!(body["error"].as_str().unwrap().starts_with("Enter a valid email"), "{body}");
        }
    }
    assert!(ctx.mailbox.messages(None).is_empty());
}

async fn refresh(ctx: &Ctx, token: &Value) -> (StatusCode, Value) {
    ctx.post(&uri(APP_ID, "/tokens"), json!({ "refresh_token": token })).await
}

async fn login_by_code(ctx: &Ctx, email: &str) -> Value {
    // Registers the address the first time (E3 answers 409 once the user is active).
    let (status, body) = ctx.post(&uri(APP_ID, "/users"), json!({ "identifier": email })).await;
    assert!(status.is_success() || status == StatusCode::CONFLICT, "{status} {body}");
    let otp_id = send_otp(ctx, "login", email).await;
    let (status, body) = activate_otp(ctx, &otp_id, &ctx.last_code(email)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["auth_result"].clone()
}

async fn refresh_reuse_revokes_the_session(ctx: &Ctx) {
    let first = login_by_code(ctx, "rotate@example.com").await;
    let (status, second) = refresh(ctx, &first["refresh_token"]).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    let second = second["auth_result"].clone();
    let (status, third) = refresh(ctx, &second["refresh_token"]).await;
    assert_eq!(status, StatusCode::OK, "{third}");
    let third = third["auth_result"].clone();
    // The first token was rotated away; presenting it again is a reuse: the whole session ends, including the
    // newest token that had not been used yet.
    let (status, body) = refresh(ctx, &first["refresh_token"]).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_refresh_token");
    let (status, body) = refresh(ctx, &third["refresh_token"]).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_refresh_token");
    // Another session of the same user is untouched.
    let other = login_by_code(ctx, "rotate@example.com").await;
    let (status, _) = refresh(ctx, &other["refresh_token"]).await;
    assert_eq!(status, StatusCode::OK);
    // Sign-out (E19) ends a session too.
    let (status, next) = refresh(ctx, &login_by_code(ctx, "rotate@example.com").await["refresh_token"]).await;
    assert_eq!(status, StatusCode::OK);
    let rt = next["auth_result"]["refresh_token"].as_str().unwrap().to_owned();
    let (status, _, _) =
        ctx.request(Method::DELETE, &uri(APP_ID, &format!("/tokens?refresh_token={rt}")), None, None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = refresh(ctx, &json!(rt)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn session_inactivity_and_absolute_lifetimes(ctx: &Ctx) {
    // Test apps: inactivity 1 day (refresh_token_lifetime_secs), absolute 7 days.
    const DAY: i64 = 86_400;
    let login = login_by_code(ctx, "lifetimes@example.com").await;
    let started = ctx.state.now();
    assert!((login["refresh_token_expiration"].as_i64().unwrap() - (started + DAY)).abs() <= 2);
    // Unused for a day: the session is over.
    ctx.state.clock().advance(DAY);
    let (status, body) = refresh(ctx, &login["refresh_token"]).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_refresh_token");

    // Refreshed every 20 hours, a session lives until 7 days after its login and not a second longer.
    let mut current = login_by_code(ctx, "lifetimes@example.com").await;
    let started = ctx.state.now();
    for _ in 0..10 {
        ctx.state.clock().advance(20 * 3600);
        let (status, body) = refresh(ctx, &current["refresh_token"]).await;
        if ctx.state.now() >= started + 7 * DAY {
            assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_refresh_token");
            return;
        }
        assert_eq!(status, StatusCode::OK, "{body}");
        current = body["auth_result"].clone();
        let expiration = current["refresh_token_expiration"].as_i64().unwrap();
        assert!(expiration <= started + 7 * DAY, "never beyond the absolute lifetime");
    }
    panic!("the session outlived its absolute lifetime");
}

async fn send_limits_per_identifier_and_per_ip(ctx: &Ctx) {
    // Default limits: 5 sends per address per 10 minutes.
    let email = "limited@example.com";
    create_pending(ctx, APP_ID, email).await;
    for _ in 0..5 {
        send_otp(ctx, "login", email).await;
    }
    let (status, headers, body) =
        ctx.request(Method::POST, &uri(APP_ID, "/login/otp"), Some(json!({ "identifier": email })), None).await;
    assert_error(status, &body, StatusCode::TOO_MANY_REQUESTS, "too_many_requests");
    let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=600).contains(&retry), "{retry}");
    assert_eq!(ctx.mailbox.messages(Some(email)).len(), 5);
    // Other addresses are not affected; after the window the address may receive codes again.
    send_otp(ctx, "login", &{
        create_pending(ctx, APP_ID, "other@example.com").await;
        "other@example.com".to_owned()
    })
    .await;
    ctx.state.clock().advance(retry as i64);
    send_otp(ctx, "login", email).await;

    // Per IP (60 per window by default): addresses are many, the client is one.
    ctx.state.clock().advance(600);
    for i in 0..60 {
        let (status, body) =
            ctx.post(&uri(APP_ID, "/login/otp"), json!({ "identifier": format!("probe{i}@example.com") })).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    }
    let (status, body) = ctx.post(&uri(APP_ID, "/login/otp"), json!({ "identifier": "probe-last@example.com" })).await;
    assert_error(status, &body, StatusCode::TOO_MANY_REQUESTS, "too_many_requests");
    // Another client still gets through.
    let (status, _, body) = ctx
        .request_from(
            "198.51.100.7",
            &[],
            Method::POST,
            &uri(APP_ID, "/login/otp"),
            Some(json!({ "identifier": "probe-last@example.com" })),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
}

async fn activation_limits_per_ip_and_per_user(ctx: &Ctx) {
    // Per user (15 attempts per window): fresh codes do not give a guesser more tries.
    let email = "target@example.com";
    create_pending(ctx, APP_ID, email).await;
    let mut refused = false;
    'codes: for _ in 0..4 {
        let otp_id = send_otp(ctx, "login", email).await;
        let code = ctx.last_code(email);
        for _ in 0..5 {
            let (status, body) = activate_otp(ctx, &otp_id, &wrong(&code)).await;
            if status == StatusCode::TOO_MANY_REQUESTS {
                refused = true;
                // Even the right code is refused now, from any client.
                let (status, _) = activate_otp(ctx, &otp_id, &code).await;
                assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
                break 'codes;
            }
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        }
    }
    assert!(refused, "the per-user activation limit was never reached");
    // Per IP (120 per window): guessing links from one client is cut off.
    async fn guess(ctx: &Ctx) -> (StatusCode, axum::http::HeaderMap, Value) {
        ctx.request_from(
            "198.51.100.99",
            &[],
            Method::PATCH,
            &uri(LINK_APP_ID, "/magic-link/activate"),
            Some(json!({ "magic_link": "guess" })),
            None,
        )
        .await
    }
    for _ in 0..120 {
        let (status, _, _) = guess(ctx).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let (status, headers, body) = guess(ctx).await;
    assert_error(status, &body, StatusCode::TOO_MANY_REQUESTS, "too_many_requests");
    assert!(headers.contains_key("retry-after"));
}

async fn forwarded_for_is_trusted_only_when_configured(ctx: &Ctx) {
    // Not trusted (the default): a client cannot escape the per-IP limit by inventing X-Forwarded-For values.
    let limits = Limits { sends_per_ip: 2, ..Limits::default() };
    // This scenario builds its own servers (same database kind as `ctx`) with a tight limit.
    for trusted in [false, true] {
        let Some(limited) = ctx_with(ctx.backend, limits, trusted).await else {
            return;
        };
        let mut statuses = Vec::new();
        for i in 0..3 {
            let forwarded = format!("203.0.113.{i}");
            let (status, _, _) = limited
                .request_from(
                    "127.0.0.1",
                    &[("x-forwarded-for", &format!("10.9.9.9, {forwarded}"))],
                    Method::POST,
                    &uri(APP_ID, "/login/otp"),
                    Some(json!({ "identifier": format!("fwd{i}@example.com") })),
                    None,
                )
                .await;
            statuses.push(status);
        }
        let expected = if trusted {
            // Each request comes from a different client (the right-most entry, added by our proxy).
            vec![StatusCode::NOT_FOUND; 3]
        } else {
            vec![StatusCode::NOT_FOUND, StatusCode::NOT_FOUND, StatusCode::TOO_MANY_REQUESTS]
        };
        assert_eq!(statuses, expected, "trusted: {trusted}");
        limited.cleanup().await;
    }
}
