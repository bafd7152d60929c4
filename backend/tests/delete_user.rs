//! `DELETE /user` (issue 10, ACCOUNT-CONTRACT.md "Account deletion") on SQLite and (with `TEST_DATABASE_URL`)
//! PostgreSQL: the auth server's management delete first, then the profile row and the cached e-mail address;
//! any auth-server failure is 502 with nothing deleted here. The auth server is the fake of `support`, which
//! records every delete call and can fail, stall or go away.

#[macro_use]
mod support;

use std::time::Duration;

use axum::http::StatusCode;
use serde_json::{json, Value};

use support::harness::*;
use support::*;

on_both_databases!(
    deleting_removes_the_account_there_and_the_profile_here,
    user_already_gone_at_the_auth_server_still_deletes_the_profile,
    auth_server_errors_are_502_and_delete_nothing,
    unreachable_auth_server_is_502_and_the_retry_succeeds,
    no_or_bad_token_is_401_and_calls_nobody,
    a_token_deletes_only_its_own_account,
);

/// The profile row of `user_id` as the database has it.
async fn has_profile(h: &Harness, user_id: &str) -> bool {
    h.state.db.find_profile(user_id).await.unwrap().is_some()
}

fn assert_auth_server_unavailable(reply: &Reply) {
    assert_eq!(reply.status, StatusCode::BAD_GATEWAY, "{:?}", reply.body);
    assert_eq!(reply.error_code(), "auth_server_unavailable");
}

async fn deleting_removes_the_account_there_and_the_profile_here(db: TestDb) {
    let h = Harness::start(db).await;
    h.auth.add_user("leaver", "leaver@example.com");
    let token = token_for("leaver");
    assert_eq!(h.post_name(&token, "Lea Ver").await.status, StatusCode::CREATED);
    // Puts the address into the e-mail cache (60 s TTL): deletion must drop it.
    let before = h.get_user(&token).await;
    assert_eq!(before.body, json!({"id": "leaver", "name": "Lea Ver", "email": "leaver@example.com"}));

    let reply = h.delete_user(Some(&token)).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{:?}", reply.body);
    assert_eq!(reply.body, Value::Null, "204 has no body");
    assert_eq!(h.auth.delete_calls(), ["leaver"]);
    assert!(!h.auth.knows_user("leaver"), "deleted at the auth server");
    assert!(!has_profile(&h, "leaver").await);
    assert_eq!(h.state.db.count_profiles().await.unwrap(), 0);

    // The still-unexpired token gets the "no profile" answer; the address is not served from the cache.
    let after = h.get_user(&token).await;
    assert_eq!(after.status, StatusCode::OK);
    assert_eq!(after.body, json!({"id": "leaver", "name": null, "email": null}));

    // A repeat is 204 too (the auth server answers 404 user_not_found now).
    assert_eq!(h.delete_user(Some(&token)).await.status, StatusCode::NO_CONTENT);
    assert_eq!(h.auth.delete_calls(), ["leaver", "leaver"]);
    h.finish().await;
}

async fn user_already_gone_at_the_auth_server_still_deletes_the_profile(db: TestDb) {
    // The state a failure between the two steps would leave: gone there, an orphan row here.
    let h = Harness::start(db).await;
    let token = token_for("orphan");
    assert_eq!(h.post_name(&token, "Orphan").await.status, StatusCode::CREATED);
    assert!(!h.auth.knows_user("orphan"));

    let reply = h.delete_user(Some(&token)).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{:?}", reply.body);
    assert_eq!(h.auth.delete_calls(), ["orphan"]);
    assert!(!has_profile(&h, "orphan").await, "the orphan row is removed");
    h.finish().await;
}

async fn auth_server_errors_are_502_and_delete_nothing(db: TestDb) {
    let h = Harness::start_with(db, |config| config.auth_request_timeout = Duration::from_millis(300)).await;
    h.auth.add_user("unlucky", "unlucky@example.com");
    let token = token_for("unlucky");
    assert_eq!(h.post_name(&token, "Unlucky").await.status, StatusCode::CREATED);
    assert_eq!(h.get_user(&token).await.body["email"], "unlucky@example.com"); // cached now

    let failures = [
        ManagementMode::Fail(StatusCode::INTERNAL_SERVER_ERROR),
        ManagementMode::Fail(StatusCode::SERVICE_UNAVAILABLE),
        // Not 5xx, but not an answer the backend can act on either (e.g. a wrong API key).
        ManagementMode::Fail(StatusCode::UNAUTHORIZED),
        ManagementMode::Fail(StatusCode::FORBIDDEN),
        // A 404 that is not "no such user" (a wrong app id, a proxy) must not count as "already deleted".
        ManagementMode::NotFound("app_not_found"),
        ManagementMode::Slow(Duration::from_secs(2)),
    ];
    for (attempt, mode) in failures.iter().enumerate() {
        h.auth.set_delete_mode(mode.clone());
        let reply = h.delete_user(Some(&token)).await;
        assert_auth_server_unavailable(&reply);
        let message = reply.body["error"]["message"].as_str().unwrap();
        assert!(!message.contains("boom") && !message.contains("127.0.0.1"), "{mode:?}: no internals: {message}");
        assert_eq!(h.auth.delete_calls().len(), attempt + 1, "{mode:?}: the call was made");
        assert!(has_profile(&h, "unlucky").await, "{mode:?}: the profile is kept");
        assert!(h.auth.knows_user("unlucky"), "{mode:?}");
        let user = h.get_user(&token).await;
        assert_eq!(
            user.body,
            json!({"id": "unlucky", "name": "Unlucky", "email": "unlucky@example.com"}),
            "{mode:?}: profile and cached address untouched"
        );
    }

    // The retry once the auth server works again.
    h.auth.set_delete_mode(ManagementMode::Normal);
    assert_eq!(h.delete_user(Some(&token)).await.status, StatusCode::NO_CONTENT);
    assert!(!has_profile(&h, "unlucky").await);
    assert!(!h.auth.knows_user("unlucky"));
    h.finish().await;
}

async fn unreachable_auth_server_is_502_and_the_retry_succeeds(db: TestDb) {
    let mut h = Harness::start(db).await;
    h.auth.add_user("stranded", "s@example.com");
    let token = token_for("stranded");
    assert_eq!(h.post_name(&token, "Stranded").await.status, StatusCode::CREATED); // JWKS now cached

    h.auth.stop().await;
    let reply = h.delete_user(Some(&token)).await;
    assert_auth_server_unavailable(&reply);
    assert!(h.auth.delete_calls().is_empty(), "nothing reached the auth server");
    assert!(has_profile(&h, "stranded").await, "the profile is kept");

    h.auth.restart().await;
    assert_eq!(h.delete_user(Some(&token)).await.status, StatusCode::NO_CONTENT);
    assert_eq!(h.auth.delete_calls(), ["stranded"]);
    assert!(!has_profile(&h, "stranded").await);
    h.finish().await;
}

async fn no_or_bad_token_is_401_and_calls_nobody(db: TestDb) {
    let h = Harness::start(db).await;
    h.auth.add_user("victim", "v@example.com");
    assert_eq!(h.post_name(&token_for("victim"), "Victim").await.status, StatusCode::CREATED);

    let reply = h.delete_user(None).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.error_code(), "missing_token");

    let mut expired = claims_for("victim");
    expired["exp"] = json!(unix_now() - 3600);
    let forged = sign(&TestKey::c(), &claims_for("victim")); // a key the JWKS does not publish
    for token in ["not-a-jwt".to_owned(), sign(&TestKey::a(), &expired), forged] {
        let reply = h.delete_user(Some(&token)).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{token}");
        assert_eq!(reply.error_code(), "invalid_token");
    }

    assert!(h.auth.delete_calls().is_empty(), "the auth server was never asked to delete");
    assert!(has_profile(&h, "victim").await);
    assert!(h.auth.knows_user("victim"));
    h.finish().await;
}

async fn a_token_deletes_only_its_own_account(db: TestDb) {
    let h = Harness::start(db).await;
    for (user, name) in [("alice", "Alice"), ("bob", "Bob")] {
        h.auth.add_user(user, &format!("{user}@example.com"));
        assert_eq!(h.post_name(&token_for(user), name).await.status, StatusCode::CREATED);
    }

    assert_eq!(h.delete_user(Some(&token_for("alice"))).await.status, StatusCode::NO_CONTENT);
    assert_eq!(h.auth.delete_calls(), ["alice"], "the user id comes from the token only");
    assert!(!has_profile(&h, "alice").await);
    assert!(has_profile(&h, "bob").await);
    assert!(h.auth.knows_user("bob"));
    let bob = h.get_user(&token_for("bob")).await;
    assert_eq!(bob.body, json!({"id": "bob", "name": "Bob", "email": "bob@example.com"}));
    h.finish().await;
}
