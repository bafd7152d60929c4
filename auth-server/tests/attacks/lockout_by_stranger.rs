//! Locking the owner out (NIST SP 800-63B §5.2.2: rate limiting must keep the subscriber able to authenticate):
//! a stranger on another network who uses up the send budget of the owner's address, or who guesses codes for the
//! owner's account until their network is locked, must not stop the owner's own network from requesting and
//! using a code.

use auth_server::limits::Limits;
use axum::http::{Method, StatusCode};
use serde_json::json;

use super::code_guessing::{activate_from, patiently, request_code, uri, with_limits, wrong, ATTACKER_IP};
use crate::common::{assert_error, Ctx, CLIENT_IP};

const OWNER_IP: &str = CLIENT_IP;

/// Old behaviour: 5 sends per address per window from anywhere, so a stranger's 5 requests left the owner with
/// 429 for 10 minutes, again and again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stranger_exhausting_the_address_send_budget_does_not_stop_the_owner() {
    with_limits(Limits::default(), async |ctx: &Ctx| {
        let email = "owner@example.com";
        ctx.create_user(email).await;
        let mut sent = 0;
        loop {
            let (status, _, body) = ctx
                .request_from(
                    ATTACKER_IP,
                    &[],
                    Method::POST,
                    &uri("/login/otp"),
                    Some(json!({ "identifier": email })),
                    None,
                )
                .await;
            if status == StatusCode::TOO_MANY_REQUESTS {
                assert_error(status, &body, StatusCode::TOO_MANY_REQUESTS, "too_many_requests");
                break;
            }
            assert_eq!(status, StatusCode::OK, "{body}");
            sent += 1;
            assert!(sent <= 100, "the stranger's sends were never limited");
        }
        // The owner's network still gets a code, and can use it.
        let (status, _, body) = ctx
            .request_from(OWNER_IP, &[], Method::POST, &uri("/login/otp"), Some(json!({ "identifier": email })), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let otp_id = body["otp_id"].as_str().unwrap();
        let (status, _, body) = activate_from(ctx, OWNER_IP, otp_id, &ctx.last_code(email)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    })
    .await;
}

/// Old behaviour: 15 activation attempts per account per window from anywhere: a stranger's wrong guesses left
/// the owner with 429 even for the right code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stranger_guessing_until_locked_does_not_lock_the_owner_out() {
    with_limits(Limits::default(), async |ctx: &Ctx| {
        let email = "guarded@example.com";
        ctx.create_user(email).await;
        let mut locked = false;
        'codes: for _ in 0..200 {
            let otp_id = request_code(ctx, ATTACKER_IP, email).await;
            let code = ctx.last_code(email);
            for _ in 0..5 {
                let guess = json!({ "otp": wrong(&code), "otp_id": otp_id });
                let (status, body) = patiently(ctx, ATTACKER_IP, Method::POST, "/otp/activate", guess).await;
                match body["code"].as_str() {
                    Some("otp_failures_exceeded") => {
                        assert_eq!(status, StatusCode::UNAUTHORIZED);
                        locked = true;
                        break 'codes;
                    }
                    Some("otp_expired") => continue 'codes,
                    _ => assert_eq!(status, StatusCode::BAD_REQUEST, "{body}"),
                }
            }
        }
        assert!(locked, "the stranger's network was never locked");
        // Right after the stranger's last attempt, the owner asks for a code and signs in with it at once.
        let (status, _, body) = ctx
            .request_from(OWNER_IP, &[], Method::POST, &uri("/login/otp"), Some(json!({ "identifier": email })), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, _, body) =
            activate_from(ctx, OWNER_IP, body["otp_id"].as_str().unwrap(), &ctx.last_code(email)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        // The owner's sign-in ended the run of consecutive failures, the stranger's too.
        let left: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM otp_failures").fetch_one(ctx.state.db()).await.unwrap();
        assert_eq!(left, 0);
    })
    .await;
}

/// Many networks together: the account-wide cap bounds the total guesses (the residual risk: such an attacker can
/// lock codes for the account; the owner then signs in with a passkey). Small caps keep the test short.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn distributed_guessing_is_bounded_by_the_account_wide_cap() {
    let limits = Limits { otp_failures_per_network: 3, otp_failures_per_account: 6, ..Limits::default() };
    with_limits(limits, async |ctx: &Ctx| {
        let email = "popular@example.com";
        ctx.create_user(email).await;
        let mut failures = 0;
        for network in ["203.0.113.1", "203.0.113.2", "[2001:db8:7::1]"] {
            let otp_id = request_code(ctx, network, email).await;
            let code = ctx.last_code(email);
            for _ in 0..3 {
                let (status, _, body) = activate_from(ctx, network, &otp_id, &wrong(&code)).await;
                if body["code"] == "otp_failures_exceeded" {
                    assert_eq!(status, StatusCode::UNAUTHORIZED);
                    break;
                }
                assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_otp");
                failures += 1;
            }
        }
        assert_eq!(failures, 6, "two networks used up the account's 6; the third got no guess");
    })
    .await;
}
