//! Locking the owner out (NIST SP 800-63B §5.2.2: rate limiting must keep the subscriber able to authenticate):
//! a stranger on another network who uses up the send budget of the owner's address, or who guesses codes for the
//! owner's account until their network is locked, or from many networks until the account-wide cap, must not stop
//! the owner's own network (one they signed in from before) from requesting and using a code.

use auth_server::limits::Limits;
use axum::http::{Method, StatusCode};
use serde_json::json;

use super::code_guessing::{
    activate_from, guess_from_many_networks, patiently, request_code, sign_in_with_code_from, stored_failures, uri,
    with_limits, wrong, ATTACKER_IP,
};
use crate::common::{assert_error, Backend, Ctx, CLIENT_IP};

const OWNER_IP: &str = CLIENT_IP;

/// Old behaviour: 5 sends per address per window from anywhere, so a stranger's 5 requests left the owner with
/// 429 for 10 minutes, again and again.
async fn stranger_exhausting_the_address_send_budget_does_not_stop_the_owner(backend: Backend) {
    with_limits(backend, Limits::default(), async |ctx: &Ctx| {
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
/// the owner with 429 even for the right code. The owner signed in from their network before (so it is known:
/// the stranger's 100 failures also use up the account-wide cap, which binds only networks never signed in from).
async fn stranger_guessing_until_locked_does_not_lock_the_owner_out(backend: Backend) {
    with_limits(backend, Limits::default(), async |ctx: &Ctx| {
        let email = "guarded@example.com";
        ctx.create_user(email).await;
        let (status, body) = sign_in_with_code_from(ctx, OWNER_IP, email).await;
        assert_eq!(status, StatusCode::OK, "{body}");
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
        let left = stored_failures(ctx, "SELECT COUNT(*) FROM otp_failures WHERE failures > 0").await;
        assert_eq!(left, 0);
    })
    .await;
}

/// Many networks together use up the account-wide cap (NIST SP 800-63B §5.2.2: at most 100 consecutive failures
/// per account). That cap binds only networks the owner never signed in from: on a network they signed in from
/// before, the owner still requests and uses a code at once, and that sign-in ends the run for every network. The
/// residual case: the owner on a brand-new network is refused codes meanwhile (a passkey or a magic link works).
/// Old behaviour: the cap (1000) counted and bound every network alike, so at NIST's 100 it locked the owner out.
async fn distributed_guessing_up_to_the_account_cap_does_not_lock_the_owner_out_of_a_known_network(backend: Backend) {
    with_limits(backend, Limits::default(), async |ctx: &Ctx| {
        let email = "popular@example.com";
        ctx.create_user(email).await;
        let (status, body) = sign_in_with_code_from(ctx, OWNER_IP, email).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(guess_from_many_networks(ctx, email, 40).await, 100);
        let new_network = "192.0.2.99";
        let (status, body) = sign_in_with_code_from(ctx, new_network, email).await;
        assert_error(status, &body, StatusCode::UNAUTHORIZED, "otp_failures_exceeded");
        let (status, body) = sign_in_with_code_from(ctx, OWNER_IP, email).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = sign_in_with_code_from(ctx, new_network, email).await;
        assert_eq!(status, StatusCode::OK, "the owner's sign-in ended the run of failures: {body}");
    })
    .await;
}

per_database!(
    stranger_exhausting_the_address_send_budget_does_not_stop_the_owner,
    stranger_guessing_until_locked_does_not_lock_the_owner_out,
    distributed_guessing_up_to_the_account_cap_does_not_lock_the_owner_out_of_a_known_network,
);
