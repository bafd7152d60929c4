//! A cloned authenticator (or two logins racing) presents a signature counter that is not above the stored one.
//! WebAuthn L3 §7.2 step 21: that "is a signal that the authenticator may be cloned". The check is in the UPDATE
//! itself (`store::credentials::record_use`), so concurrent logins cannot lose the highest counter.

use auth_server::store::credentials::{self, UseOutcome};
use axum::http::StatusCode;
use serde_json::json;

use crate::common::*;

on_both_databases!(
    cloned_authenticator_replaying_a_lower_counter_is_refused,
    concurrent_logins_never_lose_the_highest_counter,
);

async fn cloned_authenticator_replaying_a_lower_counter_is_refused(ctx: &Ctx) {
    let email = "counter@example.com";
    let mut key = authenticator();
    let (user_id, _) = ctx.register_passkey(email, &mut key).await;
    // Two handshakes from the same stored state; the authenticator signs counter 1 for the first, 2 for the second.
    let first = ctx.login_start(email).await;
    let second = ctx.login_start(email).await;
    let low = get_assertion(&mut key, ORIGIN, &first["handshake"]["challenge"]);
    let high = get_assertion(&mut key, ORIGIN, &second["handshake"]["challenge"]);
    let finish = |start: &serde_json::Value, assertion: serde_json::Value| json!({ "handshake_id": start["handshake"]["id"], "user_id": start["user"]["id"], "handshake_response": assertion });
    let uri = format!("/v1/apps/{APP_ID}/login/webauthn/finish");
    let (status, body) = ctx.post(&uri, finish(&second, high)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Each handshake alone passes webauthn-rs (its state still holds counter 0); only the stored value catches it.
    let (status, body) = ctx.post(&uri, finish(&first, low)).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "passkey_counter_regression");
    let creds = credentials::for_user(ctx.state.db(), &user_id).await.unwrap();
    assert_eq!(credentials::sign_count(ctx.state.db(), &creds[0].id).await.unwrap(), Some(2), "no lost update");
    assert_eq!(creds[0].usage_count, 1);
}

async fn concurrent_logins_never_lose_the_highest_counter(ctx: &Ctx) {
    let mut key = authenticator();
    let (user_id, _) = ctx.register_passkey("race@example.com", &mut key).await;
    let credential = credentials::for_user(ctx.state.db(), &user_id).await.unwrap().remove(0);
    // 24 logins finishing at once with counters 1..=24 in a scrambled order.
    let mut counters = (1..=24u32).collect::<Vec<_>>();
    counters.sort_by_key(|c| (c * 7919) % 24);
    let tasks = counters
        .into_iter()
        .map(|counter| {
            let (db, credential) = (ctx.state.db().clone(), credential.clone());
            tokio::spawn(async move { credentials::record_use(&db, &credential, counter, 0).await.unwrap() })
        })
        .collect::<Vec<_>>();
    let mut recorded = 0;
    for task in tasks {
        match task.await.unwrap() {
            UseOutcome::Recorded => recorded += 1,
            UseOutcome::CounterRegression => {}
            UseOutcome::Missing => panic!("credential vanished"),
        }
    }
    assert_eq!(credentials::sign_count(ctx.state.db(), &credential.id).await.unwrap(), Some(24));
    let stored = credentials::for_user(ctx.state.db(), &user_id).await.unwrap().remove(0);
    assert_eq!(stored.usage_count, recorded, "every accepted use counted, no refused one");
    assert!(recorded >= 1);
    // Authenticators without a counter always send 0: accepted while the stored counter is 0, refused after 24.
    assert_eq!(
        credentials::record_use(ctx.state.db(), &credential, 0, 0).await.unwrap(),
        UseOutcome::CounterRegression
    );
    let mut zero_key = authenticator();
    let (zero_user, _) = ctx.register_passkey("zero@example.com", &mut zero_key).await;
    let zero = credentials::for_user(ctx.state.db(), &zero_user).await.unwrap().remove(0);
    for _ in 0..2 {
        assert_eq!(credentials::record_use(ctx.state.db(), &zero, 0, 0).await.unwrap(), UseOutcome::Recorded);
    }
}
