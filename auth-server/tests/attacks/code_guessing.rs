//! Guessing one-time codes (NIST SP 800-63B §5.2.2): consecutive failures per account are capped (≤ 100) with a
//! growing back-off, persisted, and reset by a successful sign-in of the owner (code, magic link, confirmed
//! passkey), never by a provisional passkey's.

use auth_server::limits::Limits;
use auth_server::store::otp_failures;
use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use crate::account_flows::{answer_link, confirmation_links, register_from};
use crate::common::{assert_error, authenticator, ctx_with, Backend, Ctx, APP_ID, CLIENT_IP, LINK_APP_ID, ORIGIN};

pub const ATTACKER_IP: &str = "198.51.100.66";

pub fn uri(path: &str) -> String {
    format!("/v1/apps/{APP_ID}{path}")
}

/// A request from `ip`; a 429 is waited out on the server clock (`Retry-After`) and retried, as a patient
/// attacker would. Returns the first answer that is not 429.
pub async fn patiently(ctx: &Ctx, ip: &str, method: Method, path: &str, body: Value) -> (StatusCode, Value) {
    for _ in 0..1_000 {
        let (status, headers, answer) =
            ctx.request_from(ip, &[], method.clone(), &uri(path), Some(body.clone()), None).await;
        if status != StatusCode::TOO_MANY_REQUESTS {
            return (status, answer);
        }
        let retry: i64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
        ctx.state.clock().advance(retry);
    }
    panic!("still refused after 1,000 waits");
}

/// E9 from `ip` (waiting out send limits): the new code's id.
pub async fn request_code(ctx: &Ctx, ip: &str, email: &str) -> String {
    let (status, body) = patiently(ctx, ip, Method::POST, "/login/otp", json!({ "identifier": email })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["otp_id"].as_str().unwrap().to_owned()
}

/// E10 from `ip`, once (no waiting).
pub async fn activate_from(
    ctx: &Ctx,
    ip: &str,
    otp_id: &str,
    code: &str,
) -> (StatusCode, axum::http::HeaderMap, Value) {
    ctx.request_from(ip, &[], Method::POST, &uri("/otp/activate"), Some(json!({ "otp": code, "otp_id": otp_id })), None)
        .await
}

/// A 6-digit code that is not `code`.
pub fn wrong(code: &str) -> String {
    let n: u32 = code.parse().unwrap();
    format!("{:06}", (n + 1) % 1_000_000)
}

/// A distributed guesser: network after network (203.0.113.1, .2, ...) asks for a code for `email` and guesses it
/// wrong 5 times (the free guesses: no back-off), until an attempt is refused as over a cap. Returns how many wrong
/// codes were counted (tried) before that.
pub async fn guess_from_many_networks(ctx: &Ctx, email: &str, networks: u32) -> u32 {
    let mut failures = 0;
    for n in 1..=networks {
        let network = format!("203.0.113.{n}");
        let otp_id = request_code(ctx, &network, email).await;
        let code = ctx.last_code(email);
        for _ in 0..5 {
            let (status, _, body) = activate_from(ctx, &network, &otp_id, &wrong(&code)).await;
            if body["code"] == "otp_failures_exceeded" {
                assert_eq!(status, StatusCode::UNAUTHORIZED);
                return failures;
            }
            assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_otp");
            failures += 1;
        }
    }
    failures
}

/// E9 + E10 from `ip` with the right code: `(status, body)` of E10.
pub async fn sign_in_with_code_from(ctx: &Ctx, ip: &str, email: &str) -> (StatusCode, Value) {
    let otp_id = request_code(ctx, ip, email).await;
    let (status, _, body) = activate_from(ctx, ip, &otp_id, &ctx.last_code(email)).await;
    (status, body)
}

/// Each `(network, otp_id, guess)` as its own E10 on the multi-threaded runtime at once (as parallel connections
/// would): the statuses, in order.
pub async fn guess_in_parallel(ctx: &Ctx, guesses: Vec<(String, String, String)>) -> Vec<StatusCode> {
    let tasks: Vec<_> = guesses
        .into_iter()
        .map(|(network, otp_id, guess)| {
            let router = ctx.router.clone();
            tokio::spawn(async move {
                use tower::ServiceExt;
                let request = axum::http::Request::post(uri("/otp/activate"))
                    .extension(axum::extract::ConnectInfo(
                        format!("{network}:40000").parse::<std::net::SocketAddr>().unwrap(),
                    ))
                    .header("content-type", "application/json")
                    .body(axum::body::Body::from(json!({ "otp": guess, "otp_id": otp_id }).to_string()))
                    .unwrap();
                router.oneshot(request).await.unwrap().status()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    statuses
}

/// One number read from the `otp_failures` table by `sql` (what a restart would find there).
pub async fn stored_failures(ctx: &Ctx, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(ctx.state.db()).await.unwrap()
}

/// Runs `scenario` on `backend` with these limits. Each scenario is a test per database (`per_database!`), so
/// `--skip postgres::` leaves out exactly the Postgres half where there is no PostgreSQL.
pub async fn with_limits(backend: Backend, limits: Limits, scenario: impl AsyncFn(&Ctx)) {
    let ctx = ctx_with(backend, limits, false).await.expect("test context");
    scenario(&ctx).await;
    ctx.cleanup().await;
}

/// The attacker asks for code after code for the victim's address and guesses each one until it is locked; 429s
/// are waited out. NIST SP 800-63B §5.2.2: "limit consecutive failed authentication attempts on a single
/// subscriber account to no more than 100". Old behaviour: 15 per 10-minute window, reset forever.
async fn brute_force_across_many_codes_is_stopped_within_100_consecutive_failures(backend: Backend) {
    with_limits(backend, Limits::default(), async |ctx: &Ctx| {
        let email = "victim@example.com";
        ctx.create_user(email).await;
        // The owner signed in once (an active account: a pending one would expire during the day waited below).
        let (status, body) = sign_in_with_code_from(ctx, CLIENT_IP, email).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let mut failures = 0;
        'codes: for _ in 0..200 {
            let otp_id = request_code(ctx, ATTACKER_IP, email).await;
            let code = ctx.last_code(email);
            for _ in 0..5 {
                let guess = json!({ "otp": wrong(&code), "otp_id": otp_id });
                let (status, body) = patiently(ctx, ATTACKER_IP, Method::POST, "/otp/activate", guess).await;
                match body["code"].as_str() {
                    Some("otp_failures_exceeded") => {
                        assert_eq!(status, StatusCode::UNAUTHORIZED);
                        break 'codes;
                    }
                    // The back-off outlasted the code: ask for a new one (an expired code takes no guesses).
                    Some("otp_expired") => continue 'codes,
                    _ => assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_otp"),
                }
                failures += 1;
            }
        }
        assert_eq!(failures, 100, "the guesser is stopped after exactly 100 consecutive wrong codes");
        // From then on not even the right code is accepted from that network, however long it waits.
        ctx.state.clock().advance(86_400);
        let otp_id = request_code(ctx, ATTACKER_IP, email).await;
        let (status, _, body) = activate_from(ctx, ATTACKER_IP, &otp_id, &ctx.last_code(email)).await;
        assert_error(status, &body, StatusCode::UNAUTHORIZED, "otp_failures_exceeded");
        // The count is persisted (a restart does not hand out a fresh budget).
        let stored = stored_failures(ctx, "SELECT CAST(SUM(failures) AS BIGINT) FROM otp_failures").await;
        assert_eq!(stored, 100);
    })
    .await;
}

/// After 5 wrong codes the next attempt waits 1 s, then 2 s, 4 s, ... (NIST SP 800-63B §5.2.2 back-off).
async fn guessing_faster_meets_a_growing_back_off(backend: Backend) {
    with_limits(backend, Limits::default(), async |ctx: &Ctx| {
        let email = "slowed@example.com";
        ctx.create_user(email).await;
        let mut waits = Vec::new();
        let mut guesses = 0;
        while waits.len() < 4 {
            let otp_id = request_code(ctx, ATTACKER_IP, email).await;
            let code = ctx.last_code(email);
            for _ in 0..5 {
                let (status, headers, body) = activate_from(ctx, ATTACKER_IP, &otp_id, &wrong(&code)).await;
                if status == StatusCode::TOO_MANY_REQUESTS {
                    assert_error(status, &body, StatusCode::TOO_MANY_REQUESTS, "too_many_requests");
                    let retry: i64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
                    waits.push(retry);
                    ctx.state.clock().advance(retry);
                    let (status, _, body) = activate_from(ctx, ATTACKER_IP, &otp_id, &wrong(&code)).await;
                    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_otp");
                } else {
                    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_otp");
                }
                guesses += 1;
                if waits.len() == 4 {
                    break;
                }
            }
        }
        assert_eq!(waits, vec![1, 2, 4, 8], "the first 5 wrong codes are free, then the wait doubles");
        assert_eq!(guesses, 9);
    })
    .await;
}

/// The owner mistypes a few times, then types the right code: the count starts again (consecutive failures only).
async fn a_successful_sign_in_resets_the_failure_count(backend: Backend) {
    with_limits(backend, Limits::default(), async |ctx: &Ctx| {
        let email = "typo@example.com";
        ctx.create_user(email).await;
        let otp_id = request_code(ctx, ATTACKER_IP, email).await;
        let code = ctx.last_code(email);
        for _ in 0..4 {
            let (status, _, _) = activate_from(ctx, ATTACKER_IP, &otp_id, &wrong(&code)).await;
            assert_eq!(status, StatusCode::BAD_REQUEST);
        }
        let counted: i64 =
            sqlx::query_scalar("SELECT failures FROM otp_failures").fetch_one(ctx.state.db()).await.unwrap();
        assert_eq!(counted, 4, "each wrong code is counted for the account");
        let (status, _, body) = activate_from(ctx, ATTACKER_IP, &otp_id, &code).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let left = stored_failures(ctx, "SELECT COUNT(*) FROM otp_failures WHERE failures > 0").await;
        assert_eq!(left, 0, "a successful sign-in clears the consecutive failures");
        let known = stored_failures(ctx, "SELECT COUNT(*) FROM otp_failures WHERE known > 0").await;
        assert_eq!(known, 1, "the network the owner signed in from is known now");
        // Five free wrong attempts again, without any wait.
        let otp_id = request_code(ctx, ATTACKER_IP, email).await;
        let code = ctx.last_code(email);
        for _ in 0..5 {
            let (status, _, _) = activate_from(ctx, ATTACKER_IP, &otp_id, &wrong(&code)).await;
            assert_eq!(status, StatusCode::BAD_REQUEST);
        }
    })
    .await;
}

/// Guesses sent all at once must not slip past the back-off together (the check and the count are one
/// compare-and-count): once the back-off applies, of six parallel guesses exactly one is tried.
async fn parallel_guesses_cannot_slip_past_the_back_off(backend: Backend) {
    with_limits(backend, Limits::default(), async |ctx: &Ctx| {
        let email = "parallel@example.com";
        ctx.create_user(email).await;
        let first = request_code(ctx, ATTACKER_IP, email).await;
        let code = ctx.last_code(email);
        for _ in 0..5 {
            let (status, _, _) = activate_from(ctx, ATTACKER_IP, &first, &wrong(&code)).await;
            assert_eq!(status, StatusCode::BAD_REQUEST);
        }
        let mut codes = Vec::new();
        for _ in 0..3 {
            let otp_id = request_code(ctx, ATTACKER_IP, email).await;
            codes.push((otp_id, wrong(&ctx.last_code(email))));
        }
        ctx.state.clock().advance(1);
        // Six guesses at once, as six connections would send them.
        let guesses =
            (0..6).map(|n| (ATTACKER_IP.to_owned(), codes[n % 3].0.clone(), codes[n % 3].1.clone())).collect();
        let statuses = guess_in_parallel(ctx, guesses).await;
        let tried = statuses.iter().filter(|s| **s == StatusCode::BAD_REQUEST).count();
        let waited = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
        assert_eq!((tried, waited), (1, 5), "{statuses:?}");
    })
    .await;
}

/// Many networks, each with its 5 free guesses, against one account. NIST SP 800-63B §5.2.2: "limit consecutive
/// failed authentication attempts on a single subscriber account to no more than 100". Old behaviour: the
/// account-wide cap was 1000, so 10 networks together got 1000 guesses (10⁻³).
async fn distributed_guessing_from_many_networks_is_stopped_at_100_failures_per_account(backend: Backend) {
    with_limits(backend, Limits::default(), async |ctx: &Ctx| {
        let email = "popular@example.com";
        ctx.create_user(email).await;
        assert_eq!(guess_from_many_networks(ctx, email, 40).await, 100, "20 networks use up the account's 100");
        // Every further network the owner never signed in from is refused, even with the right code.
        let (status, body) = sign_in_with_code_from(ctx, "198.51.100.200", email).await;
        assert_error(status, &body, StatusCode::UNAUTHORIZED, "otp_failures_exceeded");
        let counted = stored_failures(ctx, "SELECT CAST(SUM(failures) AS BIGINT) FROM otp_failures").await;
        assert_eq!(counted, 100);
    })
    .await;
}

/// A botnet that fires its guesses all at once when the account is one failure below the account-wide cap must not
/// get one guess per network past it (NIST SP 800-63B §5.2.2: no more than the cap on a single account): the check
/// and the count of the account-wide sum happen under one lock of the account, so exactly one is tried.
async fn parallel_guesses_from_many_networks_cannot_slip_past_the_account_cap(backend: Backend) {
    with_limits(backend, Limits { otp_failures_per_account: 6, ..Limits::default() }, async |ctx: &Ctx| {
        let email = "botnet@example.com";
        ctx.create_user(email).await;
        assert_eq!(guess_from_many_networks(ctx, email, 1).await, 5);
        let mut guesses = Vec::new();
        for n in 1..=8 {
            let network = format!("198.51.100.{n}");
            let otp_id = request_code(ctx, &network, email).await;
            guesses.push((network, otp_id, wrong(&ctx.last_code(email))));
        }
        let statuses = guess_in_parallel(ctx, guesses).await;
        let tried = statuses.iter().filter(|s| **s == StatusCode::BAD_REQUEST).count();
        assert_eq!(tried, 1, "{statuses:?}");
        let counted = stored_failures(ctx, "SELECT CAST(SUM(failures) AS BIGINT) FROM otp_failures").await;
        assert_eq!(counted, 6);
    })
    .await;
}

const VICTIM: &str = "victim@example.com";

/// A stranger registers a passkey for the victim's address (pre-account hijacking: it stays provisional), guesses
/// codes from many networks until the account-wide cap, then signs in with that passkey hoping to reset the cap.
/// NIST SP 800-63B §5.2.2 counts failures until the *subscriber* authenticates; a provisional passkey does not prove
/// the subscriber (Sudhodanan & Paverd 2022), so the counts stand and its network does not become known.
async fn strangers_provisional_passkey_sign_in_does_not_reset_the_wrong_code_counts(backend: Backend) {
    with_limits(backend, Limits { otp_failures_per_account: 6, ..Limits::default() }, async |ctx: &Ctx| {
        let mut stranger = authenticator();
        ctx.register_passkey(VICTIM, &mut stranger).await;
        assert_eq!(guess_from_many_networks(ctx, VICTIM, 5).await, 6);
        let (status, body) = ctx.login_passkey(VICTIM, &mut stranger, ORIGIN).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        // Still over the cap for a guessing network and for the network the passkey signed in from (CLIENT_IP).
        for network in ["203.0.113.1", CLIENT_IP] {
            let (status, body) = sign_in_with_code_from(ctx, network, VICTIM).await;
            assert_error(status, &body, StatusCode::UNAUTHORIZED, "otp_failures_exceeded");
        }
    })
    .await;
}

/// The owner's own (confirmed) passkey sign-in is the subscriber authenticating: the run of failures ends (NIST SP
/// 800-63B §5.2.2, *consecutive* failures), and the network it came from is known from then on, so the next
/// distributed run that uses up the account-wide cap no longer refuses the owner's codes there.
async fn owners_confirmed_passkey_sign_in_resets_the_counts_and_keeps_codes_working_on_its_network(backend: Backend) {
    with_limits(backend, Limits { otp_failures_per_account: 6, ..Limits::default() }, async |ctx: &Ctx| {
        let mut mine = authenticator();
        let (status, body) = register_from(ctx, VICTIM, &mut mine, "Mozilla/5.0 (Owner's laptop)").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, html) = answer_link(ctx, &confirmation_links(ctx, VICTIM)[0], "keep").await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert_eq!(guess_from_many_networks(ctx, VICTIM, 5).await, 6);
        let (status, body) = ctx.login_passkey(VICTIM, &mut mine, ORIGIN).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        // The run ended: the stranger's networks count from zero again...
        assert_eq!(guess_from_many_networks(ctx, VICTIM, 5).await, 6);
        // ...and the owner's network (CLIENT_IP), known now, still gets and uses a code.
        let (status, body) = sign_in_with_code_from(ctx, CLIENT_IP, VICTIM).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    })
    .await;
}

/// A magic-link sign-in proves the mailbox, so it is the owner: it ends the run of wrong codes, and both the
/// network that opened the link (E14) and the requesting tab's (E13) become known. The magic-link test app has no
/// codes, so the failures are counted through the store, as E10 would.
async fn magic_link_sign_in_resets_the_wrong_code_counts(backend: Backend) {
    with_limits(backend, Limits::default(), async |ctx: &Ctx| {
        let app = |path: &str| format!("/v1/apps/{LINK_APP_ID}{path}");
        let (status, created) = ctx.post(&app("/users"), json!({ "identifier": VICTIM })).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let user_id = created["user"]["id"].as_str().unwrap().to_owned();
        let db = ctx.state.db();
        let guesser = "203.0.113.1";
        for seen in 0..3 {
            assert!(otp_failures::count(db, LINK_APP_ID, &user_id, guesser, seen, None, ctx.state.now())
                .await
                .unwrap());
        }
        assert_eq!(otp_failures::load(db, LINK_APP_ID, &user_id, guesser).await.unwrap().unknown_networks, 3);

        let (_, sent) =
            ctx.post(&app("/login/magic-link"), json!({ "identifier": VICTIM, "magic_link_path": "/" })).await;
        let link = ctx.last_link(VICTIM);
        let token =
            url::Url::parse(&link).unwrap().query_pairs().find(|(k, _)| k == "psg_magic_link").unwrap().1.into_owned();
        let opener = "198.51.100.7";
        let (status, _, opened) = ctx
            .request_from(
                opener,
                &[],
                Method::PATCH,
                &app("/magic-link/activate"),
                Some(json!({ "magic_link": token })),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{opened}");
        let after = otp_failures::load(db, LINK_APP_ID, &user_id, guesser).await.unwrap();
        assert_eq!(after, otp_failures::Failures::default(), "the run of failures ended");
        assert!(otp_failures::load(db, LINK_APP_ID, &user_id, opener).await.unwrap().known);
        // A known network's first failure is counted on its zeroed row, once: a second attempt that also saw 0
        // (a parallel one) is not (compare-and-count through the upsert's WHERE, on both databases).
        let now = ctx.state.now();
        assert!(otp_failures::count(db, LINK_APP_ID, &user_id, opener, 0, None, now).await.unwrap());
        assert!(!otp_failures::count(db, LINK_APP_ID, &user_id, opener, 0, None, now).await.unwrap());
        let counted = otp_failures::load(db, LINK_APP_ID, &user_id, opener).await.unwrap();
        assert_eq!((counted.network, counted.known, counted.unknown_networks), (1, true, 0));
        let (status, polled) = ctx.post(&app("/magic-link/status"), json!({ "id": sent["magic_link"]["id"] })).await;
        assert_eq!(status, StatusCode::OK, "{polled}");
        assert!(otp_failures::load(db, LINK_APP_ID, &user_id, CLIENT_IP).await.unwrap().known);
    })
    .await;
}

per_database!(
    brute_force_across_many_codes_is_stopped_within_100_consecutive_failures,
    guessing_faster_meets_a_growing_back_off,
    a_successful_sign_in_resets_the_failure_count,
    parallel_guesses_cannot_slip_past_the_back_off,
    distributed_guessing_from_many_networks_is_stopped_at_100_failures_per_account,
    parallel_guesses_from_many_networks_cannot_slip_past_the_account_cap,
    strangers_provisional_passkey_sign_in_does_not_reset_the_wrong_code_counts,
    owners_confirmed_passkey_sign_in_resets_the_counts_and_keeps_codes_working_on_its_network,
    magic_link_sign_in_resets_the_wrong_code_counts,
);
