//! Flows the account attack tests share: code sign-in, the passkey confirmation link, notices.

use auth_server::mail::MailKind;
use auth_server::store::notices::{self, Notice};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;

use crate::common::*;

/// E9 + E10: sign in with a one-time code read from the mailbox (proves the address), after E3 if the address is
/// unknown (code registration). Returns the AuthResult.
pub async fn code_sign_in(ctx: &Ctx, email: &str) -> Value {
    let (_, lookup) = ctx.get(&format!("/v1/apps/{APP_ID}/users?identifier={email}")).await;
    if lookup["user"].is_null() {
        ctx.create_user(email).await;
    }
    let (status, body) = ctx.post(&format!("/v1/apps/{APP_ID}/login/otp"), json!({ "identifier": email })).await;
    assert_eq!(status, StatusCode::OK, "login/otp: {body}");
    let code = ctx.last_code(email);
    let (status, body) =
        ctx.post(&format!("/v1/apps/{APP_ID}/otp/activate"), json!({ "otp": code, "otp_id": body["otp_id"] })).await;
    assert_eq!(status, StatusCode::OK, "otp/activate: {body}");
    body["auth_result"].clone()
}

/// E3 + E4 + authenticator + E5 with this User-Agent. Returns `(status, body)` of E5.
pub async fn register_from(
    ctx: &Ctx,
    email: &str,
    authenticator: &mut SoftPasskey,
    agent: &str,
) -> (StatusCode, Value) {
    ctx.create_user(email).await;
    let start = ctx.register_start(email).await;
    finish_register_from(ctx, &start, authenticator, agent).await
}

/// E5 for a handshake from `register_start`, as the browser `agent`.
pub async fn finish_register_from(
    ctx: &Ctx,
    start: &Value,
    authenticator: &mut SoftPasskey,
    agent: &str,
) -> (StatusCode, Value) {
    let credential = create_credential(authenticator, ORIGIN, &start["handshake"]["challenge"]);
    let (status, _, body) = ctx
        .request_from(
            CLIENT_IP,
            &[("user-agent", agent)],
            Method::POST,
            &format!("/v1/apps/{APP_ID}/register/webauthn/finish"),
            Some(json!({
                "handshake_id": start["handshake"]["id"],
                "user_id": start["user"]["id"],
                "handshake_response": credential,
            })),
            None,
        )
        .await;
    (status, body)
}

/// The passkey confirmation links mailed to `to`, newest first.
pub fn confirmation_links(ctx: &Ctx, to: &str) -> Vec<String> {
    ctx.mailbox
        .messages(Some(to))
        .into_iter()
        .filter_map(|m| match m.mail.kind {
            MailKind::PasskeyConfirmation { link } => Some(link),
            _ => None,
        })
        .collect()
}

/// The account notices mailed to `to` (removed or added passkeys), newest first: `(subject, text)`.
pub fn account_mails(ctx: &Ctx, to: &str) -> Vec<(String, String)> {
    ctx.mailbox
        .messages(Some(to))
        .into_iter()
        .filter(|m| m.mail.kind == MailKind::AccountNotice)
        .map(|m| (m.mail.subject, m.mail.text))
        .collect()
}

/// The secret of a confirmation link, and the link's path + query on this server.
pub fn link_parts(link: &str) -> (String, String) {
    let url = url::Url::parse(link).expect("confirmation link is a URL");
    let token = url.query_pairs().find(|(k, _)| k == "token").expect("token").1.into_owned();
    (token, format!("{}?{}", url.path(), url.query().unwrap_or_default()))
}

/// GET the confirmation link (what a person, or a mail scanner, does): `(status, html)`.
pub async fn open_link(ctx: &Ctx, link: &str) -> (StatusCode, String) {
    let (_, path) = link_parts(link);
    let (status, _, body) = ctx.request(Method::GET, &path, None, None).await;
    (status, body.as_str().map(str::to_owned).unwrap_or_else(|| body.to_string()))
}

/// Submit the confirmation page's form: `action` is `keep` or `remove`. `(status, html)`.
pub async fn answer_link(ctx: &Ctx, link: &str, action: &str) -> (StatusCode, String) {
    let (token, _) = link_parts(link);
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("token", &token)
        .append_pair("action", action)
        .finish();
    let request = Request::builder()
        .method(Method::POST)
        .uri(format!("/v1/apps/{APP_ID}/passkeys/confirm"))
        .header("content-type", "application/x-www-form-urlencoded")
        .extension(axum::extract::ConnectInfo::<std::net::SocketAddr>(format!("{CLIENT_IP}:50000").parse().unwrap()))
        .body(Body::from(body))
        .unwrap();
    let response = ctx.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

pub async fn notices_of(ctx: &Ctx, user_id: &str) -> Vec<Notice> {
    notices::for_user(ctx.state.db(), APP_ID, user_id).await.expect("notices")
}

/// E18 with this AuthResult's refresh token.
pub async fn refresh(ctx: &Ctx, auth_result: &Value) -> (StatusCode, Value) {
    ctx.post(&format!("/v1/apps/{APP_ID}/tokens"), json!({ "refresh_token": auth_result["refresh_token"] })).await
}

/// E16 + authenticator + E17 with this auth token: `(status of the failing step or E17, body)`.
pub async fn add_passkey(ctx: &Ctx, token: &str, authenticator: &mut SoftPasskey) -> (StatusCode, Value) {
    let (status, start) = ctx
        .post_bearer(
            &format!("/v1/apps/{APP_ID}/currentuser/devices/start"),
            json!({ "authenticator_attachment": "platform" }),
            token,
        )
        .await;
    if status != StatusCode::OK {
        return (status, start);
    }
    let credential = create_credential(authenticator, ORIGIN, &start["handshake"]["challenge"]);
    ctx.post_bearer(
        &format!("/v1/apps/{APP_ID}/currentuser/devices/finish"),
        json!({ "handshake_id": start["handshake"]["id"], "user_id": start["user"]["id"], "handshake_response": credential }),
        token,
    )
    .await
}

/// E15 with this token: the number of passkeys, or the error status.
pub async fn passkey_count(ctx: &Ctx, token: &str) -> Result<usize, StatusCode> {
    let (status, body) = ctx.get_bearer(&format!("/v1/apps/{APP_ID}/currentuser"), token).await;
    if status != StatusCode::OK {
        return Err(status);
    }
    Ok(body["user"]["webauthn_devices"].as_array().expect("devices").len())
}

/// The newest e-mail change link (P8) mailed to `to`, and its `psg_verify_link` token.
pub fn email_change_link(ctx: &Ctx, to: &str) -> (String, String) {
    let link = ctx
        .mailbox
        .messages(Some(to))
        .into_iter()
        .find_map(|m| match m.mail.kind {
            MailKind::EmailChange { link } => Some(link),
            _ => None,
        })
        .expect("an e-mail change link");
    let url = url::Url::parse(&link).expect("the link is a URL");
    let token = url.query_pairs().find(|(k, _)| k == "psg_verify_link").expect("psg_verify_link").1.into_owned();
    (link, token)
}
