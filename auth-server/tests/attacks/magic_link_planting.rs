//! Magic links (E11/E12). The attacker asks for a link to the victim's address with a `magic_link_path` that already
//! carries the attacker's own link token: the victim's e-mail would hold `?psg_magic_link=<attacker>&psg_magic_link=
//! <real>`, the element reads the first, and the victim's browser signs in to the attacker's account (login CSRF:
//! whatever the victim then types or adds, a passkey included, lands in the attacker's account). And since opening a
//! link signs in the tab that asked for it (E13 polling), the e-mail must say who asked (ASVS 5.0 V6.3.5).

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::*;

on_both_databases!(
    planted_link_token_is_refused_and_nothing_is_sent,
    link_mail_says_when_and_from_where_it_was_asked,
    code_mail_says_when_and_from_where_it_was_asked,
);

fn uri(path: &str) -> String {
    format!("/v1/apps/{LINK_APP_ID}{path}")
}

async fn ask_for_link(ctx: &Ctx, email: &str, path: &str) -> (StatusCode, Value) {
    ctx.post(&uri("/login/magic-link"), json!({ "identifier": email, "magic_link_path": path })).await
}

async fn planted_link_token_is_refused_and_nothing_is_sent(ctx: &Ctx) {
    for email in ["victim@example.com", "attacker@example.com"] {
        let (status, body) = ctx.post(&uri("/users"), json!({ "identifier": email })).await;
        assert!(status.is_success(), "{body}");
    }
    // The attacker's own, valid link token.
    assert_eq!(ask_for_link(ctx, "attacker@example.com", "/").await.0, StatusCode::OK);
    let attacker_link = ctx.last_link("attacker@example.com");
    let planted = attacker_link.split("psg_magic_link=").nth(1).unwrap().to_owned();

    for path in [
        format!("/?psg_magic_link={planted}"),
        format!("/login?next=%2F&PSG_MAGIC_LINK={planted}"),
        format!("/#/login?psg_magic_link={planted}"),
        format!("/?psg%5Fmagic%5Flink={planted}"),
        format!("/?psg%255Fmagic_link={planted}"),
        format!("/?psg_verify_link={planted}"),
    ] {
        let (status, body) = ask_for_link(ctx, "victim@example.com", &path).await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "magic_link_path_has_token");
    }
    assert!(ctx.mailbox.messages(Some("victim@example.com")).is_empty(), "the victim got a planted link");

    // An ordinary page path still works, and its link carries exactly one token: the victim's own.
    assert_eq!(ask_for_link(ctx, "victim@example.com", "/?el=login#top").await.0, StatusCode::OK);
    let link = ctx.last_link("victim@example.com");
    assert_eq!(link.matches("psg_magic_link").count(), 1, "{link}");
    assert!(!link.contains(&planted));
}

async fn link_mail_says_when_and_from_where_it_was_asked(ctx: &Ctx) {
    let (status, body) = ctx.post(&uri("/users"), json!({ "identifier": "owner@example.com" })).await;
    assert!(status.is_success(), "{body}");
    let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
    let forged = "Mozilla/5.0 Chrome/1 - security alert: reset at https://evil.example/reset <a href=x>";
    for (ip, agent, network) in [
        ("198.51.100.23", firefox, "198.51.100.0/24"),
        // `request_from` puts the address into a socket address, hence the brackets.
        ("[2001:db8:1234:5678::9]", forged, "2001:db8:1234::/48"),
    ] {
        let body = json!({ "identifier": "owner@example.com", "magic_link_path": "/" });
        let (status, _, response) = ctx
            .request_from(ip, &[("user-agent", agent)], Method::POST, &uri("/login/magic-link"), Some(body), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{response}");
        let text = ctx.mailbox.messages(Some("owner@example.com"))[0].mail.text.clone();
        let day = auth_server::ids::rfc3339(ctx.state.now())[..10].to_owned();
        assert!(text.contains(&format!("requested at {day}")), "when: {text}");
        assert!(text.contains(&format!("on the network {network}")), "approximate network: {text}");
        assert!(!text.contains(ip.trim_matches(['[', ']'])), "never the full address: {text}");
        assert!(text.contains("If that was not you: do not open the link"), "what to do: {text}");
        if agent == firefox {
            assert!(
                text.contains("Firefox on Linux (reported as \"Mozilla/5.0 (X11; Linux x86_64; rv:133.0)"),
                "{text}"
            );
        } else {
            // The header is the attacker's: no clickable URL, no markup, in the owner's mailbox.
            assert!(text.contains("Chrome on an unknown system"), "{text}");
            assert!(!text.contains("https://evil.example") && !text.contains('<'), "{text}");
        }
    }
}

/// The same notice in the one-time-code message: a stranger who asks for a code hopes the owner reads it out.
async fn code_mail_says_when_and_from_where_it_was_asked(ctx: &Ctx) {
    ctx.create_user("coded@example.com").await;
    let body = json!({ "identifier": "coded@example.com", "language": "en" });
    let agent = [("user-agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0.0.0 Safari/537.36 Edg/131.0")];
    let uri = format!("/v1/apps/{APP_ID}/login/otp");
    let (status, _, response) = ctx.request_from("203.0.113.200", &agent, Method::POST, &uri, Some(body), None).await;
    assert_eq!(status, StatusCode::OK, "{response}");
    let text = ctx.mailbox.messages(Some("coded@example.com"))[0].mail.text.clone();
    assert!(text.contains("from Edge on Windows (reported as"), "{text}");
    assert!(text.contains("on the network 203.0.113.0/24") && !text.contains("203.0.113.200"), "{text}");
    assert!(text.contains("If that was not you: do not give the code to anyone"), "{text}");
    assert!(text.contains(&format!("\n{}\n", ctx.last_code("coded@example.com"))), "the code on its own line");
}
