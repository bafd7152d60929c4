//! Everything that involves the auth server: token verification and forgeries, JWKS caching, rotation and its
//! rate limit, the e-mail lookup and its cache, the auth-server-down path, CORS, timeouts, and one test through
//! a real TCP socket. These do not depend on the database kind, so they run on SQLite.

mod support;

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};

use support::harness::*;
use support::*;

async fn harness() -> Harness {
    Harness::start(TestDb::sqlite()).await
}

/// Asserts the 401 `invalid_token` answer with its RFC 6750 challenge.
fn assert_invalid_token(reply: &Reply, what: &str) {
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{what}: {:?}", reply.body);
    assert_eq!(reply.error_code(), "invalid_token", "{what}");
    assert_eq!(reply.header("www-authenticate"), Some("Bearer error=\"invalid_token\""), "{what}");
}

fn with_claim(user: &str, name: &str, value: Value) -> Value {
    let mut claims = claims_for(user);
    claims[name] = value;
    claims
}

fn without_claim(user: &str, name: &str) -> Value {
    let mut claims = claims_for(user);
    claims.as_object_mut().unwrap().remove(name);
    claims
}

/// `header.payload.signature` from raw JSON parts, for forgeries a JWT library refuses to produce.
fn hand_made_token(header: &Value, claims: &Value, signature: &[u8]) -> String {
    format!("{}.{}.{}", b64(header.to_string().as_bytes()), b64(claims.to_string().as_bytes()), b64(signature))
}

// ---------------------------------------------------------------------------------------------------------------
// Tokens

#[tokio::test]
async fn valid_tokens_are_accepted_with_aud_as_array_or_string() {
    let h = harness().await;
    assert_eq!(h.get_user(&token_for("u-array")).await.status, StatusCode::OK);
    let string_aud = sign(&TestKey::a(), &with_claim("u-string", "aud", json!(APP_ID)));
    let reply = h.get_user(&string_aud).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["id"], "u-string");
    // Without `nbf` (optional claim) the token is still fine.
    assert_eq!(h.get_user(&sign(&TestKey::a(), &without_claim("u-nonbf", "nbf"))).await.status, StatusCode::OK);
    h.finish().await;
}

#[tokio::test]
async fn missing_or_non_bearer_authorization_is_401_with_bare_challenge() {
    let h = harness().await;
    let reply = h.send(get("/user", None)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.error_code(), "missing_token");
    assert_eq!(reply.header("www-authenticate"), Some("Bearer"));

    let basic = Request::builder()
        .uri("/user")
        .header(header::AUTHORIZATION, "Basic dXNlcjpwYXNz")
        .body(Body::empty())
        .unwrap();
    let reply = h.send(basic).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.header("www-authenticate"), Some("Bearer"));

    // POST without a token is refused before the body is looked at.
    let reply = h.send(post_json("/user", None, "this is not json")).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(h.state.db.count_profiles().await.unwrap(), 0);
    h.finish().await;
}

#[tokio::test]
async fn forged_and_invalid_tokens_are_each_rejected() {
    let h = Harness::start_with(TestDb::sqlite(), |config| {
        config.token_issuer = Some(APP_ID.to_owned());
    })
    .await;
    let key_a = TestKey::a();
    let now = unix_now();
    let valid = claims_for("victim");

    // alg "none": no signature at all.
    let alg_none = hand_made_token(&json!({"alg": "none", "typ": "JWT", "kid": "key-a"}), &valid, b"");
    // HS256 keyed with the RSA public key (the classic algorithm-confusion attack).
    let mut hs_header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    hs_header.kid = Some("key-a".into());
    let hs256_with_public_key = jsonwebtoken::encode(
        &hs_header,
        &valid,
        &jsonwebtoken::EncodingKey::from_secret(TestKey::a_public_pem()).unwrap(),
    )
    .unwrap();
    // Signed by a key the JWKS does not have, but claiming key A's kid.
    let impostor = TestKey::c().renamed("key-a");
    let bad_signature = sign(&impostor, &valid);
    // A valid token with its payload swapped for another user's.
    let genuine = token_for("victim");
    let parts: Vec<&str> = genuine.split('.').collect();
    let tampered = format!("{}.{}.{}", parts[0], b64(claims_for("attacker").to_string().as_bytes()), parts[2]);
    // RS512 with the right key is still not RS256.
    let mut rs512_header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS512);
    rs512_header.kid = Some("key-a".into());
    let rs512 = jsonwebtoken::encode(&rs512_header, &valid, &key_a.encoding).unwrap();
    let mut no_kid_header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    no_kid_header.kid = None;
    let no_kid = jsonwebtoken::encode(&no_kid_header, &valid, &key_a.encoding).unwrap();

    let cases: Vec<(&str, String)> = vec![
        ("alg none", alg_none),
        ("HS256 signed with the RSA public key", hs256_with_public_key),
        ("RS512", rs512),
        ("expired", sign(&key_a, &with_claim("victim", "exp", json!(now - 3600)))),
        ("expired beyond the leeway", sign(&key_a, &with_claim("victim", "exp", json!(now - 45)))),
        ("not yet valid", sign(&key_a, &with_claim("victim", "nbf", json!(now + 3600)))),
        ("wrong aud", sign(&key_a, &with_claim("victim", "aud", json!(["http://auth.test", "other-app"])))),
        ("wrong aud string", sign(&key_a, &with_claim("victim", "aud", json!("other-app")))),
        ("missing aud", sign(&key_a, &without_claim("victim", "aud"))),
        ("wrong iss", sign(&key_a, &with_claim("victim", "iss", json!("someone-else")))),
        ("missing iss while an issuer is configured", sign(&key_a, &without_claim("victim", "iss"))),
        ("unknown kid", sign(&TestKey::c(), &valid)),
        ("no kid", no_kid),
        ("bad signature", bad_signature),
        ("tampered payload", tampered),
        ("missing sub", sign(&key_a, &without_claim("victim", "sub"))),
        ("empty sub", sign(&key_a, &with_claim("victim", "sub", json!("")))),
        ("blank sub", sign(&key_a, &with_claim("victim", "sub", json!("   ")))),
        ("sub not a string", sign(&key_a, &with_claim("victim", "sub", json!(42)))),
        ("overlong sub", sign(&key_a, &with_claim("victim", "sub", json!("s".repeat(300))))),
        ("missing exp", sign(&key_a, &without_claim("victim", "exp"))),
        ("exp as text", sign(&key_a, &with_claim("victim", "exp", json!("tomorrow")))),
        ("garbage", "garbage".to_owned()),
        ("two parts", "aaa.bbb".to_owned()),
        ("header not JSON", format!("{}.{}.{}", b64(b"nope"), b64(b"{}"), b64(b"sig"))),
        ("huge token", "a".repeat(9000)),
    ];
    for (what, token) in &cases {
        assert_invalid_token(&h.get_user(token).await, what);
        assert_invalid_token(&h.post_name(token, "Mallory").await, what);
    }
    assert_eq!(h.state.db.count_profiles().await.unwrap(), 0, "no forged token saved anything");

    // Within the leeway (30 s) an expired token still passes: clocks differ a little.
    let slightly_expired = sign(&key_a, &with_claim("victim", "exp", json!(now - 5)));
    assert_eq!(h.get_user(&slightly_expired).await.status, StatusCode::OK);
    // And the correct issuer passes when one is configured.
    assert_eq!(h.get_user(&token_for("victim")).await.status, StatusCode::OK);
    h.finish().await;
}

#[tokio::test]
async fn a_remembered_token_is_still_refused_once_expired() {
    let h = Harness::start_with(TestDb::sqlite(), |config| config.token_leeway = Duration::ZERO).await;
    let short_lived = sign(&TestKey::a(), &with_claim("brief", "exp", json!(unix_now() + 2)));
    assert_eq!(h.get_user(&short_lived).await.status, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(3100)).await;
    assert_invalid_token(&h.get_user(&short_lived).await, "expired after first use");
    h.finish().await;
}

// ---------------------------------------------------------------------------------------------------------------
// JWKS cache, rotation, rate limit

#[tokio::test]
async fn jwks_is_cached_between_requests() {
    let h = harness().await;
    for i in 0..5 {
        assert_eq!(h.get_user(&token_for(&format!("cached-{i}"))).await.status, StatusCode::OK);
    }
    assert_eq!(h.auth.jwks_hits(), 1, "one download for five tokens");
    h.finish().await;
}

#[tokio::test]
async fn key_rotation_is_picked_up_on_an_unknown_kid() {
    let h = Harness::start_with(TestDb::sqlite(), |config| {
        config.jwks_min_refetch_interval = Duration::from_millis(200);
    })
    .await;
    assert_eq!(h.get_user(&token_for("rotating")).await.status, StatusCode::OK);
    assert_eq!(h.auth.jwks_hits(), 1);

    // The auth server rotates: key B signs from now on, key A is still listed for tokens already out.
    h.auth.set_keys(&[&TestKey::a(), &TestKey::b()]);
    tokio::time::sleep(Duration::from_millis(250)).await;
    let token_b = sign(&TestKey::b(), &claims_for("rotating"));
    assert_eq!(h.get_user(&token_b).await.status, StatusCode::OK, "new kid → one refetch → accepted");
    assert_eq!(h.auth.jwks_hits(), 2);
    assert_eq!(h.get_user(&token_for("rotating")).await.status, StatusCode::OK, "old key still listed");

    // Key A is withdrawn; after the next refetch, tokens signed with it are refused even if seen before.
    tokio::time::sleep(Duration::from_millis(250)).await;
    let key_d = TestKey::c().renamed("key-d");
    h.auth.set_keys(&[&TestKey::b(), &key_d]);
    assert_eq!(h.get_user(&sign(&key_d, &claims_for("rotating"))).await.status, StatusCode::OK);
    assert_invalid_token(&h.get_user(&token_for("rotating")).await, "withdrawn key A");
    h.finish().await;
}

#[tokio::test]
async fn an_old_key_set_is_refreshed_and_withdrawn_keys_stop_working() {
    let h = Harness::start_with(TestDb::sqlite(), |config| {
        config.jwks_max_age = Duration::from_millis(300);
        config.jwks_min_refetch_interval = Duration::ZERO;
    })
    .await;
    let token = token_for("aging");
    assert_eq!(h.get_user(&token).await.status, StatusCode::OK);
    assert_eq!(h.get_user(&token).await.status, StatusCode::OK);
    assert_eq!(h.auth.jwks_hits(), 1, "fresh key set: no download");

    // Key A is withdrawn at the auth server; once the cached set is older than the max age, it is refetched
    // and even the already-verified token is refused.
    h.auth.set_keys(&[&TestKey::b()]);
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_invalid_token(&h.get_user(&token).await, "withdrawn key after max age");
    assert_eq!(h.auth.jwks_hits(), 2);
    assert_eq!(h.get_user(&sign(&TestKey::b(), &claims_for("aging"))).await.status, StatusCode::OK);
    h.finish().await;
}

#[tokio::test]
async fn unknown_kids_refetch_at_most_once_per_interval() {
    let h = Harness::start_with(TestDb::sqlite(), |config| {
        config.jwks_min_refetch_interval = Duration::from_secs(3600);
    })
    .await;
    assert_eq!(h.get_user(&token_for("limited")).await.status, StatusCode::OK);
    assert_eq!(h.auth.jwks_hits(), 1);

    // A flood of tokens with made-up kids, sequential and concurrent: no further download.
    for i in 0..10 {
        let forged = TestKey::c().renamed(&format!("made-up-{i}"));
        assert_invalid_token(&h.get_user(&sign(&forged, &claims_for("limited"))).await, "made-up kid");
    }
    let concurrent = (0..20).map(|i| {
        let app = h.app();
        let forged = TestKey::c().renamed(&format!("parallel-{i}"));
        let request = get("/user", Some(&sign(&forged, &claims_for("limited"))));
        tokio::spawn(async move { send(app, request).await.status })
    });
    for status in futures_util::future::join_all(concurrent).await {
        assert_eq!(status.unwrap(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(h.auth.jwks_hits(), 1, "rate limit: no refetch within the interval");

    // Even a genuinely new key waits for the interval (the price of the limit).
    h.auth.set_keys(&[&TestKey::a(), &TestKey::b()]);
    assert_invalid_token(&h.get_user(&sign(&TestKey::b(), &claims_for("limited"))).await, "rate-limited rotation");
    assert_eq!(h.auth.jwks_hits(), 1);
    h.finish().await;
}

#[tokio::test]
async fn concurrent_first_requests_share_one_jwks_download() {
    let h = harness().await;
    let requests = (0..20).map(|i| {
        let app = h.app();
        let request = get("/user", Some(&token_for(&format!("first-{i}"))));
        tokio::spawn(async move { send(app, request).await.status })
    });
    for status in futures_util::future::join_all(requests).await {
        assert_eq!(status.unwrap(), StatusCode::OK);
    }
    assert_eq!(h.auth.jwks_hits(), 1);
    h.finish().await;
}

// ---------------------------------------------------------------------------------------------------------------
// E-mail lookup

#[tokio::test]
async fn email_is_cached_for_the_configured_time() {
    let h = Harness::start_with(TestDb::sqlite(), |config| {
        config.email_cache_ttl = Duration::from_millis(300);
    })
    .await;
    h.auth.add_user("mailer", "first@example.com");
    let token = token_for("mailer");
    assert_eq!(h.get_user(&token).await.body["email"], "first@example.com");
    h.auth.add_user("mailer", "second@example.com");
    assert_eq!(h.get_user(&token).await.body["email"], "first@example.com", "served from the cache");
    assert_eq!(h.auth.user_hits(), 1);

    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(h.get_user(&token).await.body["email"], "second@example.com", "refreshed after the TTL");
    assert_eq!(h.auth.user_hits(), 2);
    h.finish().await;
}

#[tokio::test]
async fn a_new_session_asks_for_the_email_again() {
    // An e-mail change is proven by signing in through the change link: a new `sid`. The address cached for the
    // old session must not be shown to the new one for the rest of the TTL.
    let h = harness().await;
    h.auth.add_user("mover", "old@example.com");
    let old_session = sign(&TestKey::a(), &with_claim("mover", "sid", json!("session-1")));
    assert_eq!(h.get_user(&old_session).await.body["email"], "old@example.com");
    h.auth.add_user("mover", "new@example.com");
    assert_eq!(h.get_user(&old_session).await.body["email"], "old@example.com", "same session: from the cache");
    assert_eq!(h.auth.user_hits(), 1);

    let new_session = sign(&TestKey::a(), &with_claim("mover", "sid", json!("session-2")));
    assert_eq!(h.get_user(&new_session).await.body["email"], "new@example.com", "new session: asked again");
    assert_eq!(h.auth.user_hits(), 2);
    assert_eq!(h.get_user(&new_session).await.body["email"], "new@example.com");
    assert_eq!(h.auth.user_hits(), 2, "and cached for the new session");
    h.finish().await;
}

#[tokio::test]
async fn unknown_user_at_the_auth_server_gives_null_email() {
    let h = harness().await;
    let reply = h.get_user(&token_for("ghost")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, json!({"id": "ghost", "name": null, "email": null}));
    h.finish().await;
}

#[tokio::test]
async fn auth_server_errors_give_null_email_not_5xx() {
    let h = Harness::start_with(TestDb::sqlite(), |config| {
        config.auth_request_timeout = Duration::from_millis(300);
    })
    .await;
    h.auth.add_user("unlucky", "u@example.com");
    let token = token_for("unlucky");
    assert_eq!(h.post_name(&token, "Unlucky").await.status, StatusCode::CREATED);

    h.auth.set_mode(ManagementMode::Fail(StatusCode::INTERNAL_SERVER_ERROR));
    let reply = h.get_user(&token).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, json!({"id": "unlucky", "name": "Unlucky", "email": null}));

    // Slower than the client's time limit counts as down too.
    h.auth.set_mode(ManagementMode::Slow(Duration::from_secs(2)));
    let reply = h.get_user(&token).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["email"], Value::Null);

    // Failures are not cached: once the server answers again, so does the address.
    h.auth.set_mode(ManagementMode::Normal);
    assert_eq!(h.get_user(&token).await.body["email"], "u@example.com");
    h.finish().await;
}

#[tokio::test]
async fn auth_server_gone_gives_null_email_and_known_tokens_still_work() {
    let mut h = harness().await;
    let token = token_for("stranded");
    assert_eq!(h.post_name(&token, "Stranded").await.status, StatusCode::CREATED); // JWKS now cached
    h.auth.stop().await;

    let reply = h.get_user(&token).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.body, json!({"id": "stranded", "name": "Stranded", "email": null}));
    // A different token signed by the cached key also works without the auth server.
    assert_eq!(h.get_user(&token_for("stranded-too")).await.status, StatusCode::OK);
    h.finish().await;
}

#[tokio::test]
async fn auth_server_down_from_the_start_gives_401_not_5xx() {
    let mut h = harness().await;
    h.auth.stop().await;
    assert_invalid_token(&h.get_user(&token_for("early")).await, "no JWKS reachable");
    h.finish().await;
}

// ---------------------------------------------------------------------------------------------------------------
// Timeouts

#[tokio::test]
async fn slow_requests_time_out_with_a_json_503() {
    let h = Harness::start_with(TestDb::sqlite(), |config| {
        config.request_timeout = Duration::from_millis(200);
        config.auth_request_timeout = Duration::from_secs(5);
    })
    .await;
    let token = token_for("patient");
    assert_eq!(h.post_name(&token, "Patient").await.status, StatusCode::CREATED); // warm the JWKS
    h.auth.set_mode(ManagementMode::Slow(Duration::from_secs(2)));
    let reply = h.get_user(&token).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.error_code(), "timeout");
    h.finish().await;
}

// ---------------------------------------------------------------------------------------------------------------
// CORS

fn preflight(origin: &str, method: &str) -> Request<Body> {
    Request::builder()
        .method(Method::OPTIONS)
        .uri("/user")
        .header(header::ORIGIN, origin)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, method)
        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "authorization,content-type")
        .body(Body::empty())
        .unwrap()
}

#[tokio::test]
async fn cors_allows_only_the_configured_origins() {
    let h = harness().await;
    // POST /user saves the name, DELETE /user deletes the account: both are preflighted.
    for requested in ["POST", "DELETE"] {
        let allowed = h.send(preflight("http://localhost:8080", requested)).await;
        assert!(allowed.status.is_success(), "{requested}: {}", allowed.status);
        assert_eq!(allowed.header("access-control-allow-origin"), Some("http://localhost:8080"));
    }
    let allowed = h.send(preflight("http://localhost:8080", "DELETE")).await;
    let methods = allowed.header("access-control-allow-methods").unwrap_or_default().to_ascii_uppercase();
    for method in ["GET", "POST", "DELETE", "OPTIONS"] {
        assert!(methods.contains(method), "{methods}");
    }
    for method in ["PUT", "PATCH"] {
        assert!(!methods.contains(method), "only the methods the API has: {methods}");
    }
    let headers = allowed.header("access-control-allow-headers").unwrap_or_default().to_ascii_lowercase();
    assert!(headers.contains("authorization") && headers.contains("content-type"), "{headers}");

    for origin in ["http://evil.test", "http://localhost:8081", "http://localhost:8080.evil.test", "null"] {
        let denied = h.send(preflight(origin, "DELETE")).await;
        assert_eq!(denied.header("access-control-allow-origin"), None, "{origin}");
    }

    // Actual requests: the allowed origin sees the answer, also an error answer; others get no CORS header.
    let mut request = get("/user", Some(&token_for("cors")));
    request.headers_mut().insert(header::ORIGIN, "http://localhost:8080".parse().unwrap());
    let reply = h.send(request).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("access-control-allow-origin"), Some("http://localhost:8080"));
    let mut request = get("/user", None);
    request.headers_mut().insert(header::ORIGIN, "http://localhost:8080".parse().unwrap());
    let reply = h.send(request).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.header("access-control-allow-origin"), Some("http://localhost:8080"));
    let mut request = get("/user", Some(&token_for("cors")));
    request.headers_mut().insert(header::ORIGIN, "http://evil.test".parse().unwrap());
    assert_eq!(h.send(request).await.header("access-control-allow-origin"), None);
    h.finish().await;
}

// ---------------------------------------------------------------------------------------------------------------
// Hostile input never panics

#[tokio::test]
async fn hostile_requests_get_json_errors_and_the_server_keeps_working() {
    let h = harness().await;
    let token = token_for("sturdy");
    let non_utf8_auth = Request::builder()
        .uri("/user")
        .header(header::AUTHORIZATION, axum::http::HeaderValue::from_bytes(b"Bearer \xff\xfe").unwrap())
        .body(Body::empty())
        .unwrap();
    assert_invalid_token(&h.send(non_utf8_auth).await, "non-UTF-8 header");
    assert_invalid_token(&h.get_user("").await, "empty bearer");
    assert_invalid_token(&h.get_user("...").await, "dots");
    assert_invalid_token(&h.get_user(&format!("{}.{}.", b64(b"{\"alg\":\"RS256\"}"), b64(b"[1,2"))).await, "half JSON");

    let bodies: Vec<Vec<u8>> = vec![
        vec![0xff, 0xfe, 0x00],
        b"{\"name\": \"\\ud800\"}".to_vec(), // lone surrogate escape
        b"{\"name\": \"a\", \"name\": \"b\"}".to_vec(),
        format!("{}{}", "[".repeat(3000), "]".repeat(3000)).into_bytes(),
        b"{\"name\": \"\\u0000\"}".to_vec(),
    ];
    for body in bodies {
        let request = Request::builder()
            .method(Method::POST)
            .uri("/user")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::from(body.clone()))
            .unwrap();
        let reply = h.send(request).await;
        assert!(reply.status.is_client_error(), "{:?} → {}", String::from_utf8_lossy(&body), reply.status);
        reply.error_code();
    }
    assert_eq!(h.post_name(&token, "Still here").await.status, StatusCode::CREATED);
    h.finish().await;
}

// ---------------------------------------------------------------------------------------------------------------
// A real socket

#[tokio::test]
async fn real_socket_round_trip_and_graceful_shutdown() {
    let auth = FakeAuthServer::start().await;
    auth.add_user("socket-user", "socket@example.com");
    let dir = tempfile::tempdir().unwrap();
    let config = test_config(&auth.url, &format!("sqlite://{}/app.sqlite3", dir.path().display()));
    let state = backend::AppState::from_config(&config).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(backend::serve(listener, state, async {
        let _ = stopped.await;
    }));

    let client = reqwest::Client::new();
    let token = token_for("socket-user");
    let saved = client
        .post(format!("{base}/user"))
        .bearer_auth(&token)
        .header("origin", "http://localhost:8080")
        .json(&json!({"name": "Socket"}))
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 201);
    assert_eq!(saved.headers()["access-control-allow-origin"], "http://localhost:8080");
    let body: contract::SavedProfile = saved.json().await.unwrap();
    assert_eq!(body.name, "Socket");

    let current: contract::CurrentUser =
        client.get(format!("{base}/user")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(
        current,
        contract::CurrentUser {
            id: "socket-user".into(),
            name: Some("Socket".into()),
            email: Some("socket@example.com".into())
        }
    );
    let health = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    // A body over the limit through a real connection.
    let big = client
        .post(format!("{base}/user"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(vec![b' '; 10_000])
        .send()
        .await
        .unwrap();
    assert_eq!(big.status(), 413);
    let error: contract::ApiError = big.json().await.unwrap();
    assert_eq!(error.error.code, "payload_too_large");

    stop.send(()).unwrap();
    drop(client); // closes the idle keep-alive connection so the graceful shutdown can finish
    tokio::time::timeout(Duration::from_secs(10), server).await.expect("shuts down").unwrap().unwrap();
}
