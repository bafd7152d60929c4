//! Pre-account hijacking (Sudhodanan & Paverd, "Pre-hijacked accounts", USENIX Security 2022): a stranger registers
//! a passkey for the victim's address before the victim does, and waits. After the fix, a passkey registered before
//! the address was proven is provisional: the owner's first proof of the address removes it and the sessions it
//! opened, and tells the owner; the owner keeps their own passkey through the link mailed at registration.

use axum::http::StatusCode;
use serde_json::json;

use crate::account_flows::*;
use crate::common::*;

on_both_databases!(
    stranger_registers_passkey_before_owner_verifies_email_loses_it,
    stranger_session_ends_and_its_token_cannot_add_a_passkey_once_owner_proves_address,
    mail_scanner_opening_the_confirmation_link_does_not_keep_a_strangers_passkey,
    owner_who_registered_with_a_passkey_keeps_it_through_the_confirmation_link,
    owner_signing_in_with_a_code_before_confirming_is_told_and_can_add_the_passkey_again,
    stranger_finishing_registration_on_owners_in_progress_registration_gets_only_a_provisional_passkey,
    owner_removes_a_strangers_passkey_through_its_confirmation_link,
    confirmation_link_is_single_use_and_expires,
    user_agent_of_a_stranger_cannot_forge_lines_in_the_owners_mail,
    abandoned_pending_user_does_not_squat_the_address,
    late_handshake_cannot_add_a_passkey_after_the_owner_proved_the_address,
    strangers_passkey_is_removed_when_the_owner_signs_in_with_a_magic_link,
);

const VICTIM: &str = "victim@example.com";

async fn stranger_registers_passkey_before_owner_verifies_email_loses_it(ctx: &Ctx) {
    let mut stranger = authenticator();
    let (user_id, _) = ctx.register_passkey(VICTIM, &mut stranger).await;
    // The stranger's passkey works at once (passkey-first registration stays one step)...
    let (status, body) = ctx.login_passkey(VICTIM, &mut stranger, ORIGIN).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // ...until the owner proves the address with a code.
    let owner = code_sign_in(ctx, VICTIM).await;
    let (status, body) =
        ctx.post(&format!("/v1/apps/{APP_ID}/login/webauthn/start"), json!({ "identifier": VICTIM })).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "no_passkeys");
    assert_eq!(passkey_count(ctx, owner["auth_token"].as_str().unwrap()).await, Ok(0));

    // The owner is told, by mail and by a notice for the account page.
    let mails = account_mails(ctx, VICTIM);
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert!(mails[0].0.contains("Passkeys were removed"), "{mails:?}");
    assert!(mails[0].1.contains("never confirmed") && mails[0].1.contains("add it again"), "{mails:?}");
    let notices = notices_of(ctx, &user_id).await;
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].kind, "provisional_passkeys_removed");
    assert_eq!(notices[0].data["passkeys"].as_array().unwrap().len(), 1);
    assert_eq!(notices[0].read_at, None);
    let store = auth_server::store::notices::mark_read(ctx.state.db(), APP_ID, &user_id, &notices[0].id, 1).await;
    assert!(store.unwrap(), "the account page can mark it read");
    assert_eq!(notices_of(ctx, &user_id).await[0].read_at, Some(1));
}

async fn stranger_session_ends_and_its_token_cannot_add_a_passkey_once_owner_proves_address(ctx: &Ctx) {
    let mut stranger = authenticator();
    let (_, registered) = ctx.register_passkey(VICTIM, &mut stranger).await;
    let (status, login) = ctx.login_passkey(VICTIM, &mut stranger, ORIGIN).await;
    assert_eq!(status, StatusCode::OK);
    let login = &login["auth_result"];

    code_sign_in(ctx, VICTIM).await;
    // Every session the stranger's passkey started is over ("unexpired session" attack)...
    for session in [&registered, login] {
        let (status, body) = refresh(ctx, session).await;
        assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_refresh_token");
        // ...and the auth tokens still inside their lifetime no longer open this server's account endpoints, so the
        // stranger cannot add a (now confirmed) passkey with one.
        let token = session["auth_token"].as_str().unwrap();
        let mut second = authenticator();
        let (status, body) = add_passkey(ctx, token, &mut second).await;
        assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_access_token");
        assert_eq!(passkey_count(ctx, token).await, Err(StatusCode::UNAUTHORIZED));
    }
}

async fn mail_scanner_opening_the_confirmation_link_does_not_keep_a_strangers_passkey(ctx: &Ctx) {
    let mut stranger = authenticator();
    ctx.register_passkey(VICTIM, &mut stranger).await;
    let links = confirmation_links(ctx, VICTIM);
    assert_eq!(links.len(), 1, "E5 mails the address a confirmation link");
    // A link scanner (or the victim, curious) fetches the page: it only asks.
    let (status, html) = open_link(ctx, &links[0]).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("Keep this passkey") && html.contains("this was not me"), "{html}");
    let (status, _) = open_link(ctx, &links[0]).await;
    assert_eq!(status, StatusCode::OK, "opening twice changes nothing");

    code_sign_in(ctx, VICTIM).await;
    let (status, body) =
        ctx.post(&format!("/v1/apps/{APP_ID}/login/webauthn/start"), json!({ "identifier": VICTIM })).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "no_passkeys");
}

async fn owner_who_registered_with_a_passkey_keeps_it_through_the_confirmation_link(ctx: &Ctx) {
    let mut mine = authenticator();
    let (status, body) = register_from(ctx, VICTIM, &mut mine, "Mozilla/5.0 (Owner's laptop)").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let links = confirmation_links(ctx, VICTIM);
    let text = &ctx.mailbox.messages(Some(VICTIM))[0].mail.text;
    assert!(text.contains("Mozilla/5.0 (Owner's laptop)") && text.contains(&links[0]), "{text}");

    let (status, html) = answer_link(ctx, &links[0], "keep").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("Passkey confirmed"), "{html}");
    let (status, body) = ctx.get(&format!("/v1/apps/{APP_ID}/users?identifier={VICTIM}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["user"]["email_verified"], true, "keeping the passkey through the link proves the address");

    // A later code sign-in removes nothing.
    let owner = code_sign_in(ctx, VICTIM).await;
    assert_eq!(passkey_count(ctx, owner["auth_token"].as_str().unwrap()).await, Ok(1));
    let (status, _) = ctx.login_passkey(VICTIM, &mut mine, ORIGIN).await;
    assert_eq!(status, StatusCode::OK);
    assert!(account_mails(ctx, VICTIM).is_empty());
}

async fn owner_signing_in_with_a_code_before_confirming_is_told_and_can_add_the_passkey_again(ctx: &Ctx) {
    let mut mine = authenticator();
    let (status, _) = register_from(ctx, VICTIM, &mut mine, "Mozilla/5.0 (Owner's phone)").await;
    assert_eq!(status, StatusCode::OK);
    // The owner never opened the confirmation link and signs in with a code on another day.
    let owner = code_sign_in(ctx, VICTIM).await;
    let mails = account_mails(ctx, VICTIM);
    assert_eq!(mails.len(), 1);
    assert!(mails[0].1.contains("Mozilla/5.0 (Owner's phone)"), "the mail names the removed passkey: {mails:?}");
    assert!(mails[0].1.contains("add a passkey"), "and says how to add it again: {mails:?}");
    // Adding it again right away (the elements' prompt after a code sign-in) works, and that one is confirmed.
    let mut again = authenticator();
    let (status, body) = add_passkey(ctx, owner["auth_token"].as_str().unwrap(), &mut again).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    code_sign_in(ctx, VICTIM).await;
    let (status, _) = ctx.login_passkey(VICTIM, &mut again, ORIGIN).await;
    assert_eq!(status, StatusCode::OK, "a passkey added after the proof is not provisional");
}

async fn stranger_finishing_registration_on_owners_in_progress_registration_gets_only_a_provisional_passkey(ctx: &Ctx) {
    ctx.create_user(VICTIM).await;
    let owner_start = ctx.register_start(VICTIM).await;
    let stranger_start = ctx.register_start(VICTIM).await;
    let (mut owner_key, mut stranger_key) = (authenticator(), authenticator());
    // The stranger finishes first...
    let (status, stranger) = finish_register_from(ctx, &stranger_start, &mut stranger_key, "Stranger/1.0").await;
    assert_eq!(status, StatusCode::OK, "{stranger}");
    // ...and the owner's own registration still completes: both passkeys are provisional.
    let (status, body) = finish_register_from(ctx, &owner_start, &mut owner_key, "Owner/1.0").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let links = confirmation_links(ctx, VICTIM);
    assert_eq!(links.len(), 2, "each passkey gets its own confirmation link");
    // Newest first: the owner's link is the first. Keeping it proves the address and removes the stranger's.
    let (status, html) = answer_link(ctx, &links[0], "keep").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Stranger/1.0"), "the page lists what was removed: {html}");
    let (status, _) = ctx.login_passkey(VICTIM, &mut owner_key, ORIGIN).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = refresh(ctx, &stranger["auth_result"]).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_refresh_token");
    let (status, _) = answer_link(ctx, &links[1], "keep").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the stranger's passkey is gone, its link with it");
    let mails = account_mails(ctx, VICTIM);
    assert!(mails.iter().any(|(_, text)| text.contains("Stranger/1.0")), "{mails:?}");
}

async fn owner_removes_a_strangers_passkey_through_its_confirmation_link(ctx: &Ctx) {
    let mut stranger = authenticator();
    let (user_id, session) = ctx.register_passkey(VICTIM, &mut stranger).await;
    let link = confirmation_links(ctx, VICTIM).remove(0);
    let (status, html) = answer_link(ctx, &link, "remove").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("Passkey removed"), "{html}");
    let (status, body) =
        ctx.post(&format!("/v1/apps/{APP_ID}/login/webauthn/start"), json!({ "identifier": VICTIM })).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "no_passkeys");
    let (status, _) = refresh(ctx, &session).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(notices_of(ctx, &user_id).await[0].kind, "passkey_removed");
}

async fn confirmation_link_is_single_use_and_expires(ctx: &Ctx) {
    let mut first = authenticator();
    ctx.register_passkey(VICTIM, &mut first).await;
    let link = confirmation_links(ctx, VICTIM).remove(0);
    assert_eq!(answer_link(ctx, &link, "keep").await.0, StatusCode::OK);
    assert_eq!(answer_link(ctx, &link, "keep").await.0, StatusCode::NOT_FOUND);
    assert_eq!(open_link(ctx, &link).await.0, StatusCode::NOT_FOUND);
    let (status, html) = answer_link(ctx, "http://localhost:8081/x?token=made-up", "keep").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{html}");

    // A second address: its link is not opened for 7 days and a minute.
    let other = "late@example.com";
    let mut late = authenticator();
    ctx.register_passkey(other, &mut late).await;
    let link = confirmation_links(ctx, other).remove(0);
    ctx.state.clock().advance(7 * 24 * 3600 + 60);
    assert_eq!(open_link(ctx, &link).await.0, StatusCode::NOT_FOUND);
    assert_eq!(answer_link(ctx, &link, "keep").await.0, StatusCode::NOT_FOUND);
    // The passkey is still provisional: the owner's code sign-in removes it.
    code_sign_in(ctx, other).await;
    let (status, _) =
        ctx.post(&format!("/v1/apps/{APP_ID}/login/webauthn/start"), json!({ "identifier": other })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

async fn user_agent_of_a_stranger_cannot_forge_lines_in_the_owners_mail(ctx: &Ctx) {
    let mut stranger = authenticator();
    // HTTP header values cannot carry CR/LF or most control characters; a tab and markup they can, and any length.
    let agent = format!("Evil/1.0\tThis is you, open the link <script>alert(1)</script>{}", "x".repeat(300));
    let (status, _) = register_from(ctx, VICTIM, &mut stranger, &agent).await;
    assert_eq!(status, StatusCode::OK);
    let text = &ctx.mailbox.messages(Some(VICTIM))[0].mail.text;
    assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{text:?}");
    assert!(text.contains("\"Evil/1.0 This is you"), "quoted, as the browser reported it: {text:?}");
    assert!(!text.contains(&"x".repeat(200)), "cut to 160 characters: {text:?}");
    let link = confirmation_links(ctx, VICTIM).remove(0);
    let (_, html) = open_link(ctx, &link).await;
    assert!(!html.contains("<script>") && html.contains("&lt;script&gt;"), "escaped in the page: {html}");
}

async fn abandoned_pending_user_does_not_squat_the_address(ctx: &Ctx) {
    let squatter = ctx.create_user(VICTIM).await;
    ctx.state.clock().advance(24 * 3600 + 1);
    // After the TTL the pending user is absent for E2, E4 and E3...
    let (status, body) = ctx.get(&format!("/v1/apps/{APP_ID}/users?identifier={VICTIM}")).await;
    assert_eq!((status, body), (StatusCode::OK, json!({ "user": null })));
    let (status, body) =
        ctx.post(&format!("/v1/apps/{APP_ID}/register/webauthn/start"), json!({ "identifier": VICTIM })).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "user_not_found");
    let (status, body) = ctx.post(&format!("/v1/apps/{APP_ID}/users"), json!({ "identifier": VICTIM })).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_ne!(body["user"]["id"], squatter["id"], "the owner gets a fresh user");
    // ...and the housekeeping sweep deletes expired pending users (and only those).
    ctx.create_user("fresh@example.com").await;
    ctx.state.clock().advance(24 * 3600 + 1);
    ctx.create_user("newest@example.com").await;
    let swept = auth_server::store::users::sweep_expired_pending(ctx.state.db(), ctx.state.now()).await.unwrap();
    assert_eq!(swept, 2, "the owner's and fresh@'s pending users are a day old now; newest@ stays");
    let (_, body) = ctx.get(&format!("/v1/apps/{APP_ID}/users?identifier=newest%40example.com")).await;
    assert_eq!(body["user"]["status"], "pending");
}

/// Not a change of behaviour (refused before too), kept as a guard for the provisional rule: a handshake started
/// while the address was unproven cannot add a passkey after the proof.
async fn late_handshake_cannot_add_a_passkey_after_the_owner_proved_the_address(ctx: &Ctx) {
    ctx.create_user(VICTIM).await;
    let stranger_start = ctx.register_start(VICTIM).await;
    code_sign_in(ctx, VICTIM).await;
    let mut stranger = authenticator();
    let (status, body) = finish_register_from(ctx, &stranger_start, &mut stranger, "Stranger/1.0").await;
    assert_error(status, &body, StatusCode::CONFLICT, "user_already_exists");
}

async fn strangers_passkey_is_removed_when_the_owner_signs_in_with_a_magic_link(ctx: &Ctx) {
    let app = |path: &str| format!("/v1/apps/{LINK_APP_ID}{path}");
    // The stranger registers a passkey on the magic-link app.
    let (status, _) = ctx.post(&app("/users"), json!({ "identifier": VICTIM })).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, start) = ctx.post(&app("/register/webauthn/start"), json!({ "identifier": VICTIM })).await;
    let mut stranger = authenticator();
    let credential = create_credential(&mut stranger, LINK_ORIGIN, &start["handshake"]["challenge"]);
    let (status, body) = ctx
        .post(
            &app("/register/webauthn/finish"),
            json!({ "handshake_id": start["handshake"]["id"], "user_id": start["user"]["id"], "handshake_response": credential }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The owner signs in with a magic link (E12, E14 in the link's tab, E13 in the requesting tab).
    let (_, sent) = ctx.post(&app("/login/magic-link"), json!({ "identifier": VICTIM, "magic_link_path": "/" })).await;
    let link = ctx.last_link(VICTIM);
    let token =
        url::Url::parse(&link).unwrap().query_pairs().find(|(k, _)| k == "psg_magic_link").unwrap().1.into_owned();
    let (status, opened) = ctx.patch(&app("/magic-link/activate"), json!({ "magic_link": token })).await;
    assert_eq!(status, StatusCode::OK, "{opened}");
    let (status, _) = ctx.post(&app("/magic-link/status"), json!({ "id": sent["magic_link"]["id"] })).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = ctx.post(&app("/login/webauthn/start"), json!({ "identifier": VICTIM })).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "no_passkeys");
    assert_eq!(account_mails(ctx, VICTIM).len(), 1, "one removal mail, not one per proof");
    // The elements' AddDevice step right after the link sign-in works.
    let (status, start) = ctx
        .post_bearer(
            &app("/currentuser/devices/start"),
            json!({}),
            opened["auth_result"]["auth_token"].as_str().unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{start}");
}
