//! Mails in the user's language (issue 14): a code or link is written in the `language` its request names
//! (E8/E9/E11/E12), which is stored on the user once the code is used or the link opened, and the notices sent later without such a request (e-mail change,
//! a link the app's backend sends) use the stored one; an account page's `Accept-Language` comes first for an
//! e-mail change. Against the real router and dev mailbox, on SQLite and Postgres.

#[macro_use]
#[path = "common/mod.rs"]
#[allow(unused_macros)]
mod common;

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::Row;

use auth_server::mail::StoredMail;
use common::*;

on_both_databases!(
    a_french_code_request_gets_a_french_mail_and_later_notices_stay_french,
    an_unknown_language_gets_the_apps_default_and_keeps_the_stored_one,
    the_apps_backend_link_uses_its_language_else_the_stored_one,
);

fn uri(app: &str, path: &str) -> String {
    format!("/v1/apps/{app}{path}")
}

fn newest(ctx: &Ctx, to: &str) -> StoredMail {
    ctx.mailbox.messages(Some(to)).into_iter().next().unwrap_or_else(|| panic!("a message to {to}"))
}

async fn stored_language(ctx: &Ctx, email: &str) -> Option<String> {
    let row = sqlx::query("SELECT language FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(ctx.state.db())
        .await
        .expect("the user row");
    row.try_get("language").expect("language column")
}

async fn send_code(ctx: &Ctx, which: &str, email: &str, language: Value) -> Value {
    let (status, sent) =
        ctx.post(&uri(APP_ID, &format!("/{which}/otp")), json!({ "identifier": email, "language": language })).await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    sent
}

/// Uses the code `sent` answered (E10).
async fn use_code(ctx: &Ctx, sent: &Value, email: &str) -> Value {
    let (status, body) =
        ctx.post(&uri(APP_ID, "/otp/activate"), json!({ "otp": ctx.last_code(email), "otp_id": sent["otp_id"] })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn a_french_code_request_gets_a_french_mail_and_later_notices_stay_french(ctx: &Ctx) {
    let email = "marie@example.com";
    ctx.create_user(email).await;
    assert_eq!(stored_language(ctx, email).await, None, "nothing stored before a request");
    let sent = send_code(ctx, "register", email, json!("fr")).await;
    let mail = newest(ctx, email);
    assert_eq!(mail.mail.subject, "Votre code test-app name");
    let code = ctx.last_code(email);
    assert!(mail.mail.text.starts_with(&format!("Votre code à usage unique pour test-app name est :\n\n{code}\n\n")));
    assert!(mail.mail.text.contains("Il expire dans 10 minutes."), "{}", mail.mail.text);
    assert!(mail.mail.text.contains("Ce code a été demandé le "), "{}", mail.mail.text);
    assert_eq!(stored_language(ctx, email).await, None, "not stored before the code is used");

    let body = use_code(ctx, &sent, email).await;
    assert_eq!(stored_language(ctx, email).await.as_deref(), Some("fr"));
    let token = body["auth_result"]["auth_token"].as_str().unwrap().to_owned();

    // No Accept-Language: both e-mail change mails are in the stored language.
    ctx.change_email(APP_ID, &token, "marie.new@example.com", &[]).await;
    let link_mail = newest(ctx, "marie.new@example.com");
    assert_eq!(link_mail.mail.subject, "Confirmez votre nouvelle adresse e-mail pour test-app name");
    let notice = newest(ctx, email);
    assert_eq!(notice.mail.subject, "L'adresse e-mail de votre compte test-app name va changer");
    assert!(notice.mail.text.contains("Cette modification a été demandée le "), "{}", notice.mail.text);

    // The account page's browser prefers German: that comes first, and is not stored.
    ctx.change_email(APP_ID, &token, "marie.de@example.com", &[("accept-language", "sv, de-DE;q=0.9, fr;q=0.5")]).await;
    assert_eq!(
        newest(ctx, "marie.de@example.com").mail.subject,
        "Bestätigen Sie Ihre neue E-Mail-Adresse für test-app name"
    );
    assert_eq!(newest(ctx, email).mail.subject, "Die E-Mail-Adresse Ihres test-app name-Kontos wird gleich geändert");
    assert_eq!(stored_language(ctx, email).await.as_deref(), Some("fr"));

    // The link is opened: the old address hears of the change in the stored language.
    let link = match &newest(ctx, "marie.de@example.com").mail.kind {
        auth_server::mail::MailKind::EmailChange { link } => link.clone(),
        other => panic!("expected a change link, got {other:?}"),
    };
    let secret = link.split("psg_verify_link=").nth(1).expect("the token");
    let (status, body) = ctx.patch(&uri(APP_ID, "/magic-link/activate"), json!({ "magic_link": secret })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(newest(ctx, email).mail.subject, "L'adresse e-mail de votre compte test-app name a été modifiée");
}

async fn an_unknown_language_gets_the_apps_default_and_keeps_the_stored_one(ctx: &Ctx) {
    let email = "joao@example.com";
    ctx.create_user(email).await;
    let sent = send_code(ctx, "login", email, json!("pt")).await;
    assert_eq!(newest(ctx, email).mail.subject, "Seu código do test-app name");
    use_code(ctx, &sent, email).await;
    assert_eq!(stored_language(ctx, email).await.as_deref(), Some("pt-BR"), "pt is Brazilian Portuguese");
    for unknown in [json!("xx"), json!(null), json!("")] {
        let sent = send_code(ctx, "login", email, unknown.clone()).await;
        assert_eq!(newest(ctx, email).mail.subject, "Your test-app name code", "{unknown}: the app's default (en)");
        use_code(ctx, &sent, email).await;
        assert_eq!(stored_language(ctx, email).await.as_deref(), Some("pt-BR"), "{unknown} is not stored");
    }
    let sent = send_code(ctx, "login", email, json!("zh")).await;
    assert_eq!(newest(ctx, email).mail.subject, "你的 test-app name 验证码");
    assert_eq!(stored_language(ctx, email).await.as_deref(), Some("pt-BR"), "not before the code is used");
    use_code(ctx, &sent, email).await;
    assert_eq!(stored_language(ctx, email).await.as_deref(), Some("zh-CN"));
}

async fn the_apps_backend_link_uses_its_language_else_the_stored_one(ctx: &Ctx) {
    let email = "kenji@example.com";
    let (status, body) = ctx.post(&uri(LINK_APP_ID, "/users"), json!({ "identifier": email })).await;
    assert!(status.is_success(), "{status} {body}");
    let (status, body) =
        ctx.post(&uri(LINK_APP_ID, "/login/magic-link"), json!({ "identifier": email, "language": "ja" })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mail = newest(ctx, email);
    assert_eq!(mail.mail.subject, "link-app name のサインインリンク");
    let link = ctx.last_link(email);
    assert!(mail.mail.text.lines().any(|line| line == link), "the link is a line of its own: {}", mail.mail.text);
    assert!(mail.mail.text.contains("有効期間: 5分。"), "{}", mail.mail.text);
    assert_eq!(stored_language(ctx, email).await, None, "not stored before the link is opened");
    let secret = link.split("psg_magic_link=").nth(1).expect("the token");
    let (status, body) = ctx.patch(&uri(LINK_APP_ID, "/magic-link/activate"), json!({ "magic_link": secret })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(stored_language(ctx, email).await.as_deref(), Some("ja"));

    let send = |language: Option<&str>| {
        let mut body = json!({ "email": email, "send": true });
        if let Some(language) = language {
            body["language"] = json!(language);
        }
        body
    };
    let magic_links = uri(LINK_APP_ID, "/magic-links");
    let (status, body) =
        ctx.management_json(Method::POST, &magic_links, Some(send(None)), Some(LINK_APP_API_KEY)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let mail = newest(ctx, email);
    assert!(
        mail.mail.text.starts_with("link-app name からサインイン用のリンクが届きました:\n\n"),
        "{}",
        mail.mail.text
    );
    let (status, body) =
        ctx.management_json(Method::POST, &magic_links, Some(send(Some("de"))), Some(LINK_APP_API_KEY)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(newest(ctx, email).mail.text.starts_with("link-app name hat Ihnen diesen Link zum Anmelden geschickt:"));
    assert_eq!(stored_language(ctx, email).await.as_deref(), Some("ja"), "the app's choice is not the user's");
}
