//! Several instances of the auth server on one database, as a fleet behind a load balancer runs them: every
//! ceremony may finish on another instance than the one that started it, an abuse budget of N is N for the whole
//! fleet when the counters are in Redis (and 2N with per-process counters: the failure the shared store prevents),
//! and a key rotated on one instance is published and accepted by the others at once.
//!
//! Needs the PostgreSQL of `common::postgres_admin_url` and the Redis of [`redis_url`] (`TEST_REDIS_URL`, else
//! the project machines' local one). The tests sit in modules named `postgres` and `redis`, so `cargo test --
//! --skip postgres:: --skip redis::` leaves them out (what `cargo xtask test` does, counting them as skipped, when
//! either server is absent).

mod common;

use std::sync::Arc;

use auth_server::limits::{Bucket, LimitKey, LimitStore, Limits, RedisStore};
use auth_server::ServerOptions;
use axum::http::{Method, StatusCode};
use common::*;
use serde_json::json;

fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
        .unwrap_or_else(|| "redis://127.0.0.1:6379".to_owned())
}

/// A key prefix of this test alone: tests run in parallel on one Redis.
fn fresh_prefix() -> String {
    format!("test:{}", auth_server::ids::hex_lower(&auth_server::ids::random_bytes(8)))
}

fn redis_store(prefix: &str) -> Arc<dyn LimitStore> {
    Arc::new(RedisStore::connect(&redis_url(), prefix).expect("a Redis URL"))
}

fn options(limits: Limits, store: Option<Arc<dyn LimitStore>>) -> ServerOptions {
    ServerOptions { limits, limit_store: store, ..ServerOptions::dev() }
}

async fn lookup(instance: &Ctx) -> StatusCode {
    let path = format!("/v1/apps/{APP_ID}/users?identifier=someone%40example.com");
    instance.request_from("203.0.113.7", &[], Method::GET, &path, None, None).await.0
}

/// Two instances, requests alternating between them as a round-robin balancer sends them.
async fn alternating_lookups(a: &Ctx, b: &Ctx, n: usize) -> Vec<StatusCode> {
    let mut answers = Vec::new();
    for i in 0..n {
        answers.push(lookup(if i % 2 == 0 { a } else { b }).await);
    }
    answers
}

mod redis {
    use super::*;

    mod postgres {
        use super::*;

        /// The budget of 6 lookups per network is 6 for two instances together with Redis. The control: with
        /// each instance counting in its own memory, the same requests get 12 through.
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn a_budget_of_n_is_n_for_the_whole_fleet() {
            let limits = Limits { lookups_per_ip: 6, ..Limits::default() };
            let prefix = fresh_prefix();
            let a = ctx_with_options(Backend::Postgres, options(limits, Some(redis_store(&prefix)))).await.unwrap();
            let b = a.sibling(options(limits, Some(redis_store(&prefix)))).await;
            assert_eq!(a.get("/readyz").await.0, StatusCode::OK, "the database and Redis answer");
            let answers = alternating_lookups(&a, &b, 8).await;
            assert_eq!(&answers[..6], &[StatusCode::OK; 6], "{answers:?}");
            assert_eq!(&answers[6..], &[StatusCode::TOO_MANY_REQUESTS; 2], "{answers:?}");

            let c = a.sibling(options(limits, None)).await;
            let d = a.sibling(options(limits, None)).await;
            let per_process = alternating_lookups(&c, &d, 13).await;
            assert_eq!(per_process.iter().filter(|s| **s == StatusCode::OK).count(), 12, "{per_process:?}");
            for instance in [b, c, d] {
                instance.cleanup().await;
            }
            a.cleanup().await;
        }

        /// A Redis that does not answer refuses the requests that need a budget (503, fails closed) and leaves
        /// nothing half done; the instance's other routes keep working.
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn an_unreachable_limit_store_fails_closed_with_503() {
            let down: Arc<dyn LimitStore> = Arc::new(RedisStore::connect("redis://127.0.0.1:1", "x").unwrap());
            let ctx = ctx_with_options(Backend::Postgres, options(Limits::default(), Some(down))).await.unwrap();
            let (status, headers, body) = ctx
                .request(
                    Method::POST,
                    &format!("/v1/apps/{APP_ID}/users"),
                    Some(json!({"identifier": "a@example.com"})),
                    None,
                )
                .await;
            assert_error(status, &body, StatusCode::SERVICE_UNAVAILABLE, "limit_store_unavailable");
            assert!(headers.contains_key("retry-after"));
            assert!(
                auth_server::store::users::find_by_email(ctx.state.db(), APP_ID, "a@example.com")
                    .await
                    .unwrap()
                    .is_none(),
                "the user was created although the request was refused"
            );
            let (status, _) = ctx.get(&format!("/v1/apps/{APP_ID}/.well-known/jwks.json")).await;
            assert_eq!(status, StatusCode::OK, "routes without a budget keep working");
            // The balancer takes the instance out of rotation: not ready, and it says why.
            let (status, body) = ctx.get("/readyz").await;
            assert_error(status, &body, StatusCode::SERVICE_UNAVAILABLE, "not_ready");
            assert!(body.to_string().contains("limit store unreachable"), "{body}");
            assert_eq!(ctx.get("/healthz").await.0, StatusCode::OK, "alive, so not restarted");
            ctx.cleanup().await;
        }
    }

    /// 60 hits at once from two stores (two instances) on a budget of 25: exactly 25 are counted, the rest
    /// refused with the time left in the window.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn parallel_hits_from_two_instances_are_all_counted() {
        let prefix = fresh_prefix();
        let stores = [redis_store(&prefix), redis_store(&prefix)];
        let key = LimitKey::new(Bucket::Send, &["198.51.100.1"]);
        let hits: Vec<_> = (0..60)
            .map(|i| {
                let store = stores[i % 2].clone();
                tokio::spawn(async move { store.hit(key, 25, 600, 1_000_000).await.expect("Redis answers") })
            })
            .collect();
        let mut verdicts = Vec::new();
        for hit in hits {
            verdicts.push(hit.await.expect("the task ran"));
        }
        assert_eq!(verdicts.iter().filter(|v| v.is_ok()).count(), 25);
        assert!(verdicts.iter().filter_map(|v| v.err()).all(|wait| wait == 600));
        // The window starts with its first hit and ends `window` later, as in the memory store.
        assert_eq!(stores[0].hit(key, 25, 600, 1_000_599).await.unwrap(), Err(1));
        assert_eq!(stores[1].hit(key, 25, 600, 1_000_600).await.unwrap(), Ok(()));
        stores[0].ping().await.expect("ping");
    }
}

mod postgres {
    use super::*;

    /// A passkey registration and login, and a one-time code, each started on one instance and finished on the
    /// other: all ceremony state is in the database.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn ceremonies_finish_on_another_instance() {
        let a = ctx(Backend::Postgres).await.unwrap();
        let b = a.sibling(ServerOptions::dev()).await;
        let mut authenticator = authenticator();
        let email = "fleet@example.com";
        a.create_user(email).await;
        let start = b.register_start(email).await;
        let credential = create_credential(&mut authenticator, ORIGIN, &start["handshake"]["challenge"]);
        let (status, body) = a
            .post(
                &format!("/v1/apps/{APP_ID}/register/webauthn/finish"),
                json!({ "handshake_id": start["handshake"]["id"], "user_id": start["user"]["id"], "handshake_response": credential }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "register finished on the other instance: {body}");
        let start = a.login_start(email).await;
        let assertion = get_assertion(&mut authenticator, ORIGIN, &start["handshake"]["challenge"]);
        let (status, body) = b
            .post(
                &format!("/v1/apps/{APP_ID}/login/webauthn/finish"),
                json!({ "handshake_id": start["handshake"]["id"], "user_id": start["user"]["id"], "handshake_response": assertion }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "login finished on the other instance: {body}");

        let (status, body) =
            a.post(&format!("/v1/apps/{APP_ID}/login/otp"), json!({ "identifier": email, "language": "en" })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let code = a.last_code(email);
        let (status, body) =
            b.post(&format!("/v1/apps/{APP_ID}/otp/activate"), json!({ "otp": code, "otp_id": body["otp_id"] })).await;
        assert_eq!(status, StatusCode::OK, "code sent by one instance, accepted by the other: {body}");
        b.cleanup().await;
        a.cleanup().await;
    }

    /// `rotate-key` lands in the database; the instance that loads it first signs with the new key. The other
    /// instance, before its periodic check, accepts that token (it reloads on the unknown `kid`) and publishes
    /// the new key in its JWKS (it checks before answering), and old tokens keep working on both.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_rotated_key_is_published_and_accepted_by_every_instance_at_once() {
        let a = ctx(Backend::Postgres).await.unwrap();
        let b = a.sibling(ServerOptions::dev()).await;
        let mut authenticator = authenticator();
        let (_, before) = a.register_passkey("rotate@example.com", &mut authenticator).await;
        let old_kid = a.state.keys().current_kid().to_owned();

        let new_kid = auth_server::tokens::rotate(a.state.db(), a.state.key_encryption_key()).await.unwrap();
        assert!(a.state.refresh_keys_if_changed().await.unwrap(), "A noticed the rotation");
        assert!(!a.state.refresh_keys_if_changed().await.unwrap(), "nothing changed since");
        assert_eq!(b.state.keys().current_kid(), old_kid, "B has not looked yet");
        let start = a.login_start("rotate@example.com").await;
        let assertion = get_assertion(&mut authenticator, ORIGIN, &start["handshake"]["challenge"]);
        let (_, after) = a
            .post(
                &format!("/v1/apps/{APP_ID}/login/webauthn/finish"),
                json!({ "handshake_id": start["handshake"]["id"], "user_id": start["user"]["id"], "handshake_response": assertion }),
            )
            .await;
        let new_token = after["auth_result"]["auth_token"].as_str().expect("a token").to_owned();
        assert_eq!(jwt_part(&new_token, 0)["kid"], new_kid.as_str());

        let (status, body) = b.get_bearer(&format!("/v1/apps/{APP_ID}/currentuser"), &new_token).await;
        assert_eq!(status, StatusCode::OK, "B accepts the new key's token: {body}");
        let old_token = before["auth_token"].as_str().unwrap();
        for instance in [&a, &b] {
            let (status, body) = instance.get_bearer(&format!("/v1/apps/{APP_ID}/currentuser"), old_token).await;
            assert_eq!(status, StatusCode::OK, "the old key's token during the overlap: {body}");
            let (_, jwks) = instance.get(&format!("/v1/apps/{APP_ID}/.well-known/jwks.json")).await;
            let kids: Vec<&str> = jwks["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap()).collect();
            assert_eq!(kids, [new_kid.as_str(), old_kid.as_str()]);
        }
        assert_eq!(b.state.keys().current_kid(), new_kid, "B signs with the new key from now on");
        b.cleanup().await;
        a.cleanup().await;
    }
}
