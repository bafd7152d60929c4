//! Every endpoint through `app().oneshot(...)`: success and error shapes, full passkey ceremonies with a software
//! authenticator, tokens against the served JWKS, and the management API. Each scenario runs on SQLite and Postgres.

#[macro_use]
mod common;

use axum::http::{Method, StatusCode};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::*;
use serde_json::{json, Value};

on_both_databases!(
    app_info_has_every_required_field,
    healthz_is_liveness_and_readyz_checks_the_database,
    unknown_app_and_route_are_json_404s,
    cors_preflight_is_answered_on_every_path,
    lookup_returns_null_for_unknown_users,
    create_user_is_idempotent_for_pending_users,
    create_user_refuses_bad_input,
    passkey_registration_then_login,
    register_start_refuses_active_and_unknown_users,
    replayed_register_finish_is_rejected,
    replayed_login_finish_is_rejected,
    register_from_wrong_origin_is_rejected,
    login_from_wrong_origin_is_rejected,
    expired_handshake_is_rejected,
    handshake_of_another_user_is_rejected,
    duplicate_credential_id_is_rejected,
    registration_that_cannot_start_a_session_keeps_nothing,
    login_start_errors,
    auth_token_verifies_against_served_jwks,
    current_user_needs_a_valid_token,
    add_passkey_to_current_user,
    management_get_user,
    key_rotation_keeps_previous_key,
    locales_serve_every_shipped_language,
    malformed_bodies_get_json_errors,
    refresh_rotates_and_revoke_signs_out,
);

/// `/healthz` answers without the database (a restart would not bring it back); `/readyz` asks it, and names it
/// once it is gone, with no driver detail.
async fn healthz_is_liveness_and_readyz_checks_the_database(ctx: &Ctx) {
    assert_eq!(ctx.get("/healthz").await, (StatusCode::OK, json!({ "status": "ok" })));
    assert_eq!(ctx.get("/readyz").await, (StatusCode::OK, json!({ "status": "ready" })));
    ctx.state.db().close().await;
    let (status, body) = ctx.get("/readyz").await;
    assert_error(status, &body, StatusCode::SERVICE_UNAVAILABLE, "not_ready");
    assert_eq!(body["error"], "Not ready: database unreachable.");
    assert!(!body.to_string().to_lowercase().contains("pool"), "{body}");
    assert_eq!(ctx.get("/healthz").await.0, StatusCode::OK);
}

async fn app_info_has_every_required_field(ctx: &Ctx) {
    let (status, body) = ctx.get(&format!("/v1/apps/{APP_ID}")).await;
    assert_eq!(status, StatusCode::OK);
    let app = &body["app"];
    assert_eq!(app["id"], APP_ID);
    assert_eq!(app["auth_origin"], ORIGIN);
    assert_eq!(app["redirect_url"], "/dashboard");
    assert_eq!(app["default_language"], "en");
    assert_eq!(app["allowed_identifier"], "email");
    assert_eq!(app["public_signup"], true);
    assert_eq!(app["auth_methods"], json!({ "passkeys": {}, "otp": { "ttl": 600, "ttl_display_unit": "s" } }));
    assert_eq!(app["layouts"], json!({ "registration": [], "profile": [] }));
    assert_eq!(app["user_metadata_schema"], json!([]));
    for object in ["social_connections", "element_customization", "element_customization_dark"] {
        assert!(app[object].is_object(), "{object} must be an object: {app}");
    }
    for field in ["name", "login_url", "required_identifier", "require_identifier_verification", "passage_branding"] {
        assert!(!app[field].is_null(), "{field} missing: {app}");
    }
}

async fn unknown_app_and_route_are_json_404s(ctx: &Ctx) {
    let (status, body) = ctx.get("/v1/apps/nope").await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "app_not_found");
    let (status, body) = ctx.get("/v1/apps/nope/users?identifier=a%40b.co").await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "app_not_found");
    let (status, body) = ctx.get("/v2/whatever").await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, _, body) = ctx.request(Method::PUT, &format!("/v1/apps/{APP_ID}"), None, None).await;
    assert_error(status, &body, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
}

async fn cors_preflight_is_answered_on_every_path(ctx: &Ctx) {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;
    for (path, method, headers) in [
        (format!("/v1/apps/{APP_ID}"), "GET", "passage-element-version,passage-version"),
        (format!("/v1/apps/{APP_ID}/users"), "POST", "content-type,passage-element-version,passage-version"),
        (format!("/v1/apps/{APP_ID}/currentuser"), "GET", "authorization,passage-element-version,passage-version"),
        (
            format!("/v1/apps/{APP_ID}/magic-link/activate"),
            "PATCH",
            "content-type,passage-element-version,passage-version",
        ),
        (format!("/v1/apps/{APP_ID}/tokens"), "DELETE", "passage-element-version,passage-version"),
    ] {
        let request = Request::builder()
            .method(Method::OPTIONS)
            .uri(&path)
            .header("origin", ORIGIN)
            .header("access-control-request-method", method)
            .header("access-control-request-headers", headers)
            .body(Body::empty())
            .unwrap();
        let response = ctx.router.clone().oneshot(request).await.unwrap();
        assert!(response.status().is_success(), "{path}: {}", response.status());
        let h = response.headers();
        assert_eq!(h["access-control-allow-origin"], "*", "{path}");
        let allowed_headers = h["access-control-allow-headers"].to_str().unwrap().to_lowercase();
        for needed in ["content-type", "passage-version", "passage-element-version", "authorization"] {
            assert!(allowed_headers.contains(needed), "{path}: {allowed_headers}");
        }
        let allowed_methods = h["access-control-allow-methods"].to_str().unwrap();
        for needed in ["GET", "POST", "PATCH", "DELETE", "OPTIONS"] {
            assert!(allowed_methods.contains(needed), "{path}: {allowed_methods}");
        }
    }
    // Actual (non-preflight) responses carry the header too, including errors.
    let (_, headers, _) = ctx.request(Method::GET, "/v1/apps/nope", None, None).await;
    assert_eq!(headers["access-control-allow-origin"], "*");
}

async fn lookup_returns_null_for_unknown_users(ctx: &Ctx) {
    let (status, body) = ctx.get(&format!("/v1/apps/{APP_ID}/users?identifier=nobody%40example.com")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({ "user": null }));
    let (status, body) = ctx.get(&format!("/v1/apps/{APP_ID}/users")).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");

    let created = ctx.create_user("Pending@Example.com").await;
    let (status, body) = ctx.get(&format!("/v1/apps/{APP_ID}/users?identifier=pending%40example.com")).await;
    assert_eq!(status, StatusCode::OK);
    let user = &body["user"];
    assert_eq!(user["id"], created["id"]);
    assert_eq!(user["status"], "pending");
    assert_eq!(user["email"], "pending@example.com");
    assert_eq!(user["email_verified"], false);
    assert_eq!(user["webauthn_types"], json!([]));
    // Users are per app: the same address is unknown to another app.
    let (_, body) = ctx.get(&format!("/v1/apps/{OTHER_APP_ID}/users?identifier=pending%40example.com")).await;
    assert_eq!(body, json!({ "user": null }));
}

async fn create_user_is_idempotent_for_pending_users(ctx: &Ctx) {
    let uri = format!("/v1/apps/{APP_ID}/users");
    let (status, first) = ctx.post(&uri, json!({ "identifier": "ana@example.com" })).await;
    assert_eq!(status, StatusCode::CREATED);
    let id = first["user"]["id"].as_str().unwrap();
    assert!(id.len() >= 20 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'), "{id}");
    assert_eq!(first["user"]["status"], "pending");
    let (status, again) = ctx.post(&uri, json!({ "identifier": "  ANA@example.com " })).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["user"]["id"], first["user"]["id"]);
}

async fn create_user_refuses_bad_input(ctx: &Ctx) {
    let uri = format!("/v1/apps/{APP_ID}/users");
    let (status, body) = ctx.post(&uri, json!({ "identifier": "not-an-email" })).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_identifier");
    let (status, body) = ctx.post(&uri, json!({})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
    let (status, body) =
        ctx.post(&format!("/v1/apps/{CLOSED_APP_ID}/users"), json!({ "identifier": "a@example.com" })).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "public_signup_disabled");
    assert!(body["error"].as_str().unwrap().starts_with("Public signup"), "the element shows it only with this prefix");
    // An active user cannot be "registered" again.
    ctx.register_passkey("active@example.com", &mut authenticator()).await;
    let (status, body) = ctx.post(&uri, json!({ "identifier": "active@example.com" })).await;
    assert_error(status, &body, StatusCode::CONFLICT, "user_already_exists");
}

async fn passkey_registration_then_login(ctx: &Ctx) {
    let mut passkey = authenticator();
    let created = ctx.create_user("pk@example.com").await;
    let start = ctx.register_start("pk@example.com").await;
    let options = &start["handshake"]["challenge"]["publicKey"];
    assert_eq!(options["rp"]["id"], "localhost");
    assert_eq!(options["rp"]["name"], "test-app name");
    assert_eq!(options["user"]["name"], "pk@example.com");
    let handle = URL_SAFE_NO_PAD.decode(options["user"]["id"].as_str().unwrap()).expect("user.id is base64url");
    assert_eq!(handle.len(), 16);
    URL_SAFE_NO_PAD.decode(options["challenge"].as_str().unwrap()).expect("challenge is base64url");
    assert_eq!(options["authenticatorSelection"]["authenticatorAttachment"], "platform");
    assert_eq!(options["authenticatorSelection"]["residentKey"], "preferred");
    assert_eq!(start["user"]["id"], created["id"], "top-level user is required");
    assert!(start["handshake"]["id"].as_str().is_some_and(|id| !id.is_empty()));

    let credential = create_credential(&mut passkey, ORIGIN, &start["handshake"]["challenge"]);
    let (status, body) = ctx
        .post(
            &format!("/v1/apps/{APP_ID}/register/webauthn/finish"),
            json!({ "handshake_id": start["handshake"]["id"], "user_id": created["id"], "handshake_response": as_element_sends(&credential) }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let result = &body["auth_result"];
    assert_eq!(result["redirect_url"], "/dashboard");
    assert!(result["auth_token"].as_str().is_some_and(|t| t.split('.').count() == 3));
    assert!(result["refresh_token"].as_str().is_some_and(|t| t.len() >= 40));
    assert!(result["refresh_token_expiration"].as_i64().is_some_and(|t| t > ids_now()));

    // The user is active now, and login will try passkeys.
    let (_, lookup) = ctx.get(&format!("/v1/apps/{APP_ID}/users?identifier=pk%40example.com")).await;
    assert_eq!(lookup["user"]["status"], "active");
    assert_eq!(lookup["user"]["webauthn"], true);
    assert_eq!(lookup["user"]["webauthn_types"], json!(["passkey"]));

    let login = ctx.login_start("pk@example.com").await;
    let request = &login["handshake"]["challenge"]["publicKey"];
    assert_eq!(request["rpId"], "localhost");
    assert_eq!(request["allowCredentials"][0]["id"], credential["id"]);
    assert_eq!(login["user"]["id"], created["id"]);
    let assertion = get_assertion(&mut passkey, ORIGIN, &login["handshake"]["challenge"]);
    let (status, body) = ctx
        .post(
            &format!("/v1/apps/{APP_ID}/login/webauthn/finish"),
            json!({ "handshake_id": login["handshake"]["id"], "user_id": created["id"], "handshake_response": as_element_sends(&assertion) }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["auth_result"]["redirect_url"], "/dashboard");
    assert_eq!(jwt_part(body["auth_result"]["auth_token"].as_str().unwrap(), 1)["sub"], created["id"]);

    // A second login works too (the signature counter moved on and was stored).
    let (status, body) = ctx.login_passkey("pk@example.com", &mut passkey, ORIGIN).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

fn ids_now() -> i64 {
    auth_server::ids::now()
}

async fn register_start_refuses_active_and_unknown_users(ctx: &Ctx) {
    let uri = format!("/v1/apps/{APP_ID}/register/webauthn/start");
    let (status, body) = ctx.post(&uri, json!({ "identifier": "ghost@example.com" })).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "user_not_found");
    ctx.create_user("x@example.com").await;
    let (status, body) =
        ctx.post(&uri, json!({ "identifier": "x@example.com", "authenticator_attachment": "usb" })).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");
    let (status, body) =
        ctx.post(&uri, json!({ "identifier": "x@example.com", "authenticator_attachment": "cross-platform" })).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["handshake"]["challenge"]["publicKey"]["authenticatorSelection"]["authenticatorAttachment"],
        "cross-platform"
    );
    // An app that requires verified identifiers refuses passkey registration for an unverified pending user.
    let (status, _) =
        ctx.post(&format!("/v1/apps/{VERIFY_APP_ID}/users"), json!({ "identifier": "v@example.com" })).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = ctx
        .post(&format!("/v1/apps/{VERIFY_APP_ID}/register/webauthn/start"), json!({ "identifier": "v@example.com" }))
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "identifier_verification_required");
    // Someone who knows an active user's e-mail must not be able to add their own passkey to that account.
    ctx.register_passkey("owner@example.com", &mut authenticator()).await;
    let (status, body) = ctx.post(&uri, json!({ "identifier": "owner@example.com" })).await;
    assert_error(status, &body, StatusCode::CONFLICT, "user_already_exists");
}

async fn replayed_register_finish_is_rejected(ctx: &Ctx) {
    ctx.create_user("replay@example.com").await;
    let start = ctx.register_start("replay@example.com").await;
    let credential = create_credential(&mut authenticator(), ORIGIN, &start["handshake"]["challenge"]);
    let finish = json!({ "handshake_id": start["handshake"]["id"], "user_id": start["user"]["id"], "handshake_response": credential });
    let uri = format!("/v1/apps/{APP_ID}/register/webauthn/finish");
    let (status, _) = ctx.post(&uri, finish.clone()).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = ctx.post(&uri, finish).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_handshake");
}

async fn replayed_login_finish_is_rejected(ctx: &Ctx) {
    let mut passkey = authenticator();
    ctx.register_passkey("again@example.com", &mut passkey).await;
    let login = ctx.login_start("again@example.com").await;
    let assertion = get_assertion(&mut passkey, ORIGIN, &login["handshake"]["challenge"]);
    let finish = json!({ "handshake_id": login["handshake"]["id"], "user_id": login["user"]["id"], "handshake_response": assertion });
    let uri = format!("/v1/apps/{APP_ID}/login/webauthn/finish");
    let (status, _) = ctx.post(&uri, finish.clone()).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = ctx.post(&uri, finish.clone()).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_handshake");
    // The same signed assertion under a fresh handshake fails too: it answers the old challenge.
    let fresh = ctx.login_start("again@example.com").await;
    let mut replay = finish;
    replay["handshake_id"] = fresh["handshake"]["id"].clone();
    let (status, body) = ctx.post(&uri, replay).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "webauthn_verification_failed");
}

async fn register_from_wrong_origin_is_rejected(ctx: &Ctx) {
    ctx.create_user("origin@example.com").await;
    let start = ctx.register_start("origin@example.com").await;
    // Same host, other port: a different origin, so a different site as far as the app is concerned.
    let credential = create_credential(&mut authenticator(), "http://localhost:9999", &start["handshake"]["challenge"]);
    let (status, body) = ctx
        .post(
            &format!("/v1/apps/{APP_ID}/register/webauthn/finish"),
            json!({ "handshake_id": start["handshake"]["id"], "user_id": start["user"]["id"], "handshake_response": credential }),
        )
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "webauthn_verification_failed");
    let (_, lookup) = ctx.get(&format!("/v1/apps/{APP_ID}/users?identifier=origin%40example.com")).await;
    assert_eq!(lookup["user"]["status"], "pending", "nothing was registered");
}

async fn login_from_wrong_origin_is_rejected(ctx: &Ctx) {
    let mut passkey = authenticator();
    ctx.register_passkey("lo@example.com", &mut passkey).await;
    let (status, body) = ctx.login_passkey("lo@example.com", &mut passkey, "http://localhost:9999").await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "webauthn_verification_failed");
}

async fn expired_handshake_is_rejected(ctx: &Ctx) {
    ctx.create_user("late@example.com").await;
    let start = ctx.register_start("late@example.com").await;
    let credential = create_credential(&mut authenticator(), ORIGIN, &start["handshake"]["challenge"]);
    ctx.sql("UPDATE webauthn_challenges SET expires_at = 1").await;
    let (status, body) = ctx
        .post(
            &format!("/v1/apps/{APP_ID}/register/webauthn/finish"),
            json!({ "handshake_id": start["handshake"]["id"], "user_id": start["user"]["id"], "handshake_response": credential }),
        )
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_handshake");
    assert_eq!(
        auth_server::store::challenges::sweep_expired(ctx.state.db()).await.unwrap(),
        0,
        "the failed finish consumed it"
    );
}

async fn handshake_of_another_user_is_rejected(ctx: &Ctx) {
    let other = ctx.create_user("other@example.com").await;
    ctx.create_user("mine@example.com").await;
    let start = ctx.register_start("mine@example.com").await;
    let credential = create_credential(&mut authenticator(), ORIGIN, &start["handshake"]["challenge"]);
    let (status, body) = ctx
        .post(
            &format!("/v1/apps/{APP_ID}/register/webauthn/finish"),
            json!({ "handshake_id": start["handshake"]["id"], "user_id": other["id"], "handshake_response": credential }),
        )
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_handshake");
    // A handshake id from one app is unknown to another.
    let start = ctx.register_start("mine@example.com").await;
    let credential = create_credential(&mut authenticator(), ORIGIN, &start["handshake"]["challenge"]);
    let (status, body) = ctx
        .post(
            &format!("/v1/apps/{OTHER_APP_ID}/register/webauthn/finish"),
            json!({ "handshake_id": start["handshake"]["id"], "handshake_response": credential }),
        )
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_handshake");
}

/// A client that re-sends a credential id already registered to someone else (here: forged by rewriting its own
/// attestation as `fmt: none` with the victim's credential id) is refused, and the victim keeps their passkey.
/// E5 writes the user's activation, the passkey and the session together: when the session cannot be stored (here
/// its table is gone), nothing of the registration stays, so the user is still pending and the element's retry
/// starts over. Written one after another, the first two would stay: an active account with a passkey whose
/// owner never got a session, and E4 answering "already exists" to the retry.
async fn registration_that_cannot_start_a_session_keeps_nothing(ctx: &Ctx) {
    let mut passkey = authenticator();
    ctx.create_user("atomic@example.com").await;
    let start = ctx.register_start("atomic@example.com").await;
    let credential = create_credential(&mut passkey, ORIGIN, &start["handshake"]["challenge"]);
    let finish = json!({ "handshake_id": start["handshake"]["id"], "user_id": start["user"]["id"], "handshake_response": credential });
    ctx.sql("ALTER TABLE refresh_tokens RENAME TO refresh_tokens_gone").await;
    let (status, body) = ctx.post(&format!("/v1/apps/{APP_ID}/register/webauthn/finish"), finish).await;
    ctx.sql("ALTER TABLE refresh_tokens_gone RENAME TO refresh_tokens").await;
    assert_error(status, &body, StatusCode::INTERNAL_SERVER_ERROR, "internal_server_error");
    let user_id = start["user"]["id"].as_str().unwrap();
    let user = auth_server::store::users::find_by_id(ctx.state.db(), APP_ID, user_id).await.unwrap().unwrap();
    assert_eq!(user.status, auth_server::store::users::UserStatus::Pending);
    assert!(auth_server::store::credentials::for_user(ctx.state.db(), user_id).await.unwrap().is_empty());
    // The retry: a new handshake, and the same authenticator registers.
    let (retried_user, auth_result) = ctx.register_passkey("atomic@example.com", &mut passkey).await;
    assert_eq!(retried_user, user_id);
    assert!(auth_result["refresh_token"].is_string(), "{auth_result}");
}

async fn duplicate_credential_id_is_rejected(ctx: &Ctx) {
    use serde_cbor_2::Value as Cbor;
    let mut victim_key = authenticator();
    let (_, _) = ctx.register_passkey("victim@example.com", &mut victim_key).await;
    let (_, lookup) = ctx.get(&format!("/v1/apps/{APP_ID}/users?identifier=victim%40example.com")).await;
    let victim_user = lookup["user"]["id"].as_str().unwrap().to_owned();
    let victim_cred =
        auth_server::store::credentials::for_user(ctx.state.db(), &victim_user).await.unwrap()[0].cred_id.clone();
    let victim_cred_bytes = URL_SAFE_NO_PAD.decode(&victim_cred).unwrap();

    ctx.create_user("attacker@example.com").await;
    let start = ctx.register_start("attacker@example.com").await;
    let mut credential = create_credential(&mut authenticator(), ORIGIN, &start["handshake"]["challenge"]);
    let own_id = URL_SAFE_NO_PAD.decode(credential["rawId"].as_str().unwrap()).unwrap();
    assert_eq!(own_id.len(), victim_cred_bytes.len(), "soft passkey ids have a fixed length");
    let attestation = URL_SAFE_NO_PAD.decode(credential["response"]["attestationObject"].as_str().unwrap()).unwrap();
    let Cbor::Map(mut map) = serde_cbor_2::from_slice::<Cbor>(&attestation).unwrap() else {
        panic!("attestation is a map")
    };
    let Some(Cbor::Bytes(auth_data)) = map.get(&Cbor::Text("authData".into())).cloned() else { panic!("authData") };
    let at =
        auth_data.windows(own_id.len()).position(|w| w == own_id.as_slice()).expect("credential id inside authData");
    let mut forged = auth_data.clone();
    forged[at..at + own_id.len()].copy_from_slice(&victim_cred_bytes);
    map.insert(Cbor::Text("authData".into()), Cbor::Bytes(forged));
    map.insert(Cbor::Text("fmt".into()), Cbor::Text("none".into()));
    map.insert(Cbor::Text("attStmt".into()), Cbor::Map(Default::default()));
    credential["response"]["attestationObject"] =
        json!(URL_SAFE_NO_PAD.encode(serde_cbor_2::to_vec(&Cbor::Map(map)).unwrap()));
    credential["id"] = json!(victim_cred);
    credential["rawId"] = json!(victim_cred);

    let (status, body) = ctx
        .post(
            &format!("/v1/apps/{APP_ID}/register/webauthn/finish"),
            json!({ "handshake_id": start["handshake"]["id"], "user_id": start["user"]["id"], "handshake_response": credential }),
        )
        .await;
    assert_error(status, &body, StatusCode::CONFLICT, "credential_already_registered");
    let (_, lookup) = ctx.get(&format!("/v1/apps/{APP_ID}/users?identifier=attacker%40example.com")).await;
    assert_eq!(lookup["user"]["status"], "pending", "the refused registration changed nothing");
    let (status, _) = ctx.login_passkey("victim@example.com", &mut victim_key, ORIGIN).await;
    assert_eq!(status, StatusCode::OK, "the victim still logs in");
}

async fn login_start_errors(ctx: &Ctx) {
    let uri = format!("/v1/apps/{APP_ID}/login/webauthn/start");
    let (status, body) = ctx.post(&uri, json!({})).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "identifier_required");
    let (status, body) = ctx.post(&uri, json!({ "identifier": "ghost@example.com" })).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "user_not_found");
    ctx.create_user("nokeys@example.com").await;
    let (status, body) = ctx.post(&uri, json!({ "identifier": "nokeys@example.com" })).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "no_passkeys");
    ctx.register_passkey("gone@example.com", &mut authenticator()).await;
    ctx.sql("UPDATE users SET status = 'inactive' WHERE email = 'gone@example.com'").await;
    let (status, body) = ctx.post(&uri, json!({ "identifier": "gone@example.com" })).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "user_inactive");
}

/// Verify a token the way the backend and Passage's SDKs do: JWKS by `kid`, RS256, aud contains app id, iss.
fn verify_with_jwks(jwks: &Value, token: &str, audience: &str) -> Result<Value, jsonwebtoken::errors::Error> {
    let header = jsonwebtoken::decode_header(token)?;
    let kid = header.kid.expect("kid");
    let jwk = jwks["keys"].as_array().unwrap().iter().find(|k| k["kid"] == kid.as_str()).expect("kid listed in JWKS");
    let key = jsonwebtoken::DecodingKey::from_rsa_components(jwk["n"].as_str().unwrap(), jwk["e"].as_str().unwrap())?;
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&[audience]);
    validation.set_issuer(&[APP_ID]);
    jsonwebtoken::decode::<Value>(token, &key, &validation).map(|data| data.claims)
}

async fn auth_token_verifies_against_served_jwks(ctx: &Ctx) {
    let (user_id, result) = ctx.register_passkey("jwt@example.com", &mut authenticator()).await;
    let token = result["auth_token"].as_str().unwrap();
    let (status, jwks) = ctx.get(&format!("/v1/apps/{APP_ID}/.well-known/jwks.json")).await;
    assert_eq!(status, StatusCode::OK);
    let jwk = &jwks["keys"][0];
    assert_eq!(
        (jwk["kty"].as_str(), jwk["alg"].as_str(), jwk["use"].as_str(), jwk["e"].as_str()),
        (Some("RSA"), Some("RS256"), Some("sig"), Some("AQAB"))
    );

    let header = jwt_part(token, 0);
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["typ"], "JWT");
    assert_eq!(header["kid"], jwk["kid"]);

    let claims = verify_with_jwks(&jwks, token, APP_ID).expect("token verifies against the served JWKS");
    assert_eq!(claims["sub"], user_id.as_str());
    assert_eq!(claims["aud"], json!([ORIGIN, APP_ID]));
    assert_eq!(claims["iss"], APP_ID);
    let (iat, nbf, exp) =
        (claims["iat"].as_i64().unwrap(), claims["nbf"].as_i64().unwrap(), claims["exp"].as_i64().unwrap());
    assert!(nbf <= iat && (iat - ids_now()).abs() < 60);
    assert_eq!(exp - iat, 900, "lifetime from the app config");
    // Old SDKs checked aud = auth origin; that audience is in the list too.
    verify_with_jwks(&jwks, token, ORIGIN).expect("aud also contains the auth origin");
    // Someone else's audience does not verify, and neither does a tampered token.
    assert!(verify_with_jwks(&jwks, token, OTHER_APP_ID).is_err());
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut forged_claims = claims.clone();
    forged_claims["sub"] = json!("someone-else");
    parts[1] = URL_SAFE_NO_PAD.encode(forged_claims.to_string());
    assert!(verify_with_jwks(&jwks, &parts.join("."), APP_ID).is_err(), "signature covers the claims");
    // The JWKS of an unknown app is a 404.
    let (status, body) = ctx.get("/v1/apps/nope/.well-known/jwks.json").await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "app_not_found");
}

async fn current_user_needs_a_valid_token(ctx: &Ctx) {
    let (user_id, result) = ctx.register_passkey("me@example.com", &mut authenticator()).await;
    let token = result["auth_token"].as_str().unwrap();
    let uri = format!("/v1/apps/{APP_ID}/currentuser");
    let (status, body) = ctx.get_bearer(&uri, token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let user = &body["user"];
    assert_eq!(user["id"], user_id.as_str());
    assert_eq!(user["email"], "me@example.com");
    assert_eq!(user["status"], "active");
    assert_eq!(user["webauthn_types"], json!(["passkey"]));
    let devices = user["webauthn_devices"].as_array().expect("webauthn_devices is an array");
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0]["user_id"], user_id.as_str());
    assert!(devices[0]["icons"].is_object());
    assert_eq!(user["login_count"], 1);
    assert!(user["social_connections"].is_object());

    let (status, body) = ctx.get(&uri).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_access_token");
    let (status, body) = ctx.get_bearer(&uri, "not.a.jwt").await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_access_token");
    // A token for this app does not open another app (aud and iss are checked).
    let (status, body) = ctx.get_bearer(&format!("/v1/apps/{OTHER_APP_ID}/currentuser"), token).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_access_token");
    // An unsigned ("alg": "none") token with the same claims is refused.
    let claims = URL_SAFE_NO_PAD.encode(jwt_part(token, 1).to_string());
    let unsigned = format!("{}.{claims}.", URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#));
    let (status, _) = ctx.get_bearer(&uri, &unsigned).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn add_passkey_to_current_user(ctx: &Ctx) {
    let (user_id, result) = ctx.register_passkey("two@example.com", &mut authenticator()).await;
    let token = result["auth_token"].as_str().unwrap();
    let start_uri = format!("/v1/apps/{APP_ID}/currentuser/devices/start");
    let (status, body) = ctx.post(&start_uri, json!({ "authenticator_attachment": "platform" })).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_access_token");

    let (status, start) = ctx.post_bearer(&start_uri, json!({ "authenticator_attachment": "platform" }), token).await;
    assert_eq!(status, StatusCode::OK, "{start}");
    assert_eq!(start["user"]["id"], user_id.as_str());
    let options = &start["handshake"]["challenge"]["publicKey"];
    assert_eq!(options["excludeCredentials"].as_array().map(Vec::len), Some(1), "existing passkey excluded: {options}");
    let mut second = authenticator();
    let credential = create_credential(&mut second, ORIGIN, &start["handshake"]["challenge"]);
    let finish =
        json!({ "handshake_id": start["handshake"]["id"], "user_id": user_id, "handshake_response": credential });
    let (status, body) =
        ctx.post_bearer(&format!("/v1/apps/{APP_ID}/currentuser/devices/finish"), finish.clone(), token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["device"]["id"].as_str().is_some_and(|id| !id.is_empty()));
    assert_eq!(body["device"]["cred_id"], credential["id"]);
    let (status, body) = ctx.post_bearer(&format!("/v1/apps/{APP_ID}/currentuser/devices/finish"), finish, token).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_handshake");

    let (_, me) = ctx.get_bearer(&format!("/v1/apps/{APP_ID}/currentuser"), token).await;
    assert_eq!(me["user"]["webauthn_devices"].as_array().unwrap().len(), 2);
    let (status, _) = ctx.login_passkey("two@example.com", &mut second, ORIGIN).await;
    assert_eq!(status, StatusCode::OK, "the added passkey logs in");
}

async fn management_get_user(ctx: &Ctx) {
    let (user_id, _) = ctx.register_passkey("managed@example.com", &mut authenticator()).await;
    let uri = format!("/v1/apps/{APP_ID}/users/{user_id}");
    let (status, body) = ctx.management(Method::GET, &uri, Some(API_KEY)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let user = &body["user"];
    for field in [
        "id",
        "email",
        "email_verified",
        "phone",
        "phone_verified",
        "status",
        "created_at",
        "updated_at",
        "last_login_at",
        "login_count",
        "external_id",
        "user_metadata",
        "webauthn",
        "webauthn_devices",
        "webauthn_types",
        "recent_events",
        "social_connections",
    ] {
        assert!(user.as_object().unwrap().contains_key(field), "{field} missing: {user}");
    }
    assert_eq!(user["email"], "managed@example.com");
    assert_eq!(user["status"], "active");
    assert_eq!(user["recent_events"], json!([]));
    let device = &user["webauthn_devices"][0];
    for field in
        ["id", "cred_id", "friendly_name", "type", "created_at", "updated_at", "last_login_at", "usage_count", "icons"]
    {
        assert!(device.as_object().unwrap().contains_key(field), "device {field} missing: {device}");
    }
    assert!(user["created_at"].as_str().unwrap().ends_with('Z'), "RFC 3339 UTC");

    let (status, body) = ctx.management(Method::GET, &uri, Some("wrong-key")).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_access_token");
    let (status, body) = ctx.management(Method::GET, &uri, None).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_access_token");
    // An auth token is not an API key.
    let auth_token = ctx.register_passkey("t@example.com", &mut authenticator()).await.1;
    let (status, _) = ctx.management(Method::GET, &uri, auth_token["auth_token"].as_str()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) =
        ctx.management(Method::GET, &format!("/v1/apps/{APP_ID}/users/no-such-user"), Some(API_KEY)).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "user_not_found");
    // Users of one app are invisible through another app's API, even with a valid key for that app.
    let (status, body) =
        ctx.management(Method::GET, &format!("/v1/apps/{OTHER_APP_ID}/users/{user_id}"), Some(API_KEY)).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "user_not_found");
    // The element listener serves the element API only: the management paths of a user are not there.
    let (status, _) = ctx.get_bearer(&uri, API_KEY).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = ctx.request(Method::DELETE, &uri, None, Some(API_KEY)).await;
    assert!(status == StatusCode::NOT_FOUND || status == StatusCode::METHOD_NOT_ALLOWED, "{status}");
}

async fn key_rotation_keeps_previous_key(ctx: &Ctx) {
    let (_, result) = ctx.register_passkey("rot@example.com", &mut authenticator()).await;
    let old_token = result["auth_token"].as_str().unwrap().to_owned();
    let (_, before) = ctx.get(&format!("/v1/apps/{APP_ID}/.well-known/jwks.json")).await;
    assert_eq!(before["keys"].as_array().unwrap().len(), 1);

    let new_kid = auth_server::tokens::rotate(ctx.state.db(), ctx.state.key_encryption_key()).await.unwrap();
    ctx.state.reload_keys().await.unwrap();
    let (_, after) = ctx.get(&format!("/v1/apps/{APP_ID}/.well-known/jwks.json")).await;
    let kids: Vec<&str> = after["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap()).collect();
    assert_eq!(
        kids,
        vec![new_kid.as_str(), before["keys"][0]["kid"].as_str().unwrap()],
        "current first, then previous"
    );

    // Tokens signed before the rotation still work; new ones use the new key.
    let (status, _) = ctx.get_bearer(&format!("/v1/apps/{APP_ID}/currentuser"), &old_token).await;
    assert_eq!(status, StatusCode::OK);
    let (_, fresh) = ctx.register_passkey("rot2@example.com", &mut authenticator()).await;
    assert_eq!(jwt_part(fresh["auth_token"].as_str().unwrap(), 0)["kid"], new_kid.as_str());
    verify_with_jwks(&after, &old_token, APP_ID).expect("old token verifies with the published previous key");

    // After a second rotation the oldest key is gone from the JWKS.
    auth_server::tokens::rotate(ctx.state.db(), ctx.state.key_encryption_key()).await.unwrap();
    ctx.state.reload_keys().await.unwrap();
    let (status, _) = ctx.get_bearer(&format!("/v1/apps/{APP_ID}/currentuser"), &old_token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn locales_serve_every_shipped_language(ctx: &Ctx) {
    // Mapping details are unit-tested in `auth_server::locales`; this checks the route is wired into the real app.
    let (status, headers, body) = ctx.request(Method::GET, "/locales/v2/en.json", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"].to_str().unwrap().starts_with("application/json"));
    assert!(body.is_object(), "a flat JSON object");
    let english = serde_json::from_str::<Value>(auth_server::locales_en_json()).unwrap();
    assert_eq!(body, english);
    for locale in auth_server::locales::SHIPPED {
        let (status, headers, body) =
            ctx.request(Method::GET, &format!("/locales/v2/{}.json", locale.file), None, None).await;
        assert_eq!(status, StatusCode::OK, "{}", locale.file);
        assert_eq!(headers["content-language"], locale.tag);
        assert_eq!(body, serde_json::from_str::<Value>(locale.json).unwrap(), "{}", locale.file);
    }
    // The element's second request, the browser's language-region: the language's file, not a console error.
    for (file, tag) in [
        ("en-us", "en"),
        ("en-gb", "en"),
        ("en-419", "en"),
        ("de-at", "de"),
        ("pt", "pt-BR"),
        ("zh", "zh-CN"),
        ("zh-hk", "zh-TW"),
    ] {
        let (status, headers, _) = ctx.request(Method::GET, &format!("/locales/v2/{file}.json"), None, None).await;
        assert_eq!(status, StatusCode::OK, "{file}");
        assert_eq!(headers["content-language"], tag, "{file}");
    }
    for missing in [
        "/locales/v2/sv.json",
        "/locales/v2/sv-se.json",
        "/locales/v2/en",
        "/locales/v2/en-.json",
        "/locales/v2/en-us-x.json",
        "/locales/v2/en-US.json",
        "/locales/v2/eng.json",
    ] {
        // Not JSON: the element parses any locale response as JSON without checking the status, and would install
        // a JSON error body as that locale's messages.
        let (status, headers, body) = ctx.request(Method::GET, missing, None, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
        assert!(headers["content-type"].to_str().unwrap().starts_with("text/plain"), "{missing}: {headers:?}");
        assert_eq!(body, json!("No such locale."), "{missing}: not a JSON body");
    }
}

async fn malformed_bodies_get_json_errors(ctx: &Ctx) {
    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    for (content_type, body, expected) in [
        ("application/json", "{not json", StatusCode::BAD_REQUEST),
        ("text/plain", "{}", StatusCode::UNSUPPORTED_MEDIA_TYPE),
        ("application/json", r#"{"handshake_id": 5}"#, StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let request = Request::builder()
            .method(Method::POST)
            .uri(format!("/v1/apps/{APP_ID}/register/webauthn/finish"))
            .header("content-type", content_type)
            .body(Body::from(body))
            .unwrap();
        let response = ctx.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let json: Value = serde_json::from_slice(&bytes).expect("error bodies are JSON");
        assert_eq!(status, expected, "{json}");
        assert!(json["code"].is_string() && json["error"].is_string(), "{json}");
    }
}

async fn refresh_rotates_and_revoke_signs_out(ctx: &Ctx) {
    let (user_id, result) = ctx.register_passkey("refresh@example.com", &mut authenticator()).await;
    let refresh = result["refresh_token"].as_str().unwrap().to_owned();
    let uri = format!("/v1/apps/{APP_ID}/tokens");
    let (status, body) = ctx.post(&uri, json!({ "refresh_token": refresh })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let rotated = body["auth_result"]["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(rotated, refresh);
    assert_eq!(body["auth_result"]["redirect_url"], "/dashboard");
    assert_eq!(jwt_part(body["auth_result"]["auth_token"].as_str().unwrap(), 1)["sub"], user_id.as_str());
    // The used token is spent (rotation), and tokens of one app do not work for another.
    let (status, body) = ctx.post(&uri, json!({ "refresh_token": refresh })).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_refresh_token");
    let (status, body) =
        ctx.post(&format!("/v1/apps/{OTHER_APP_ID}/tokens"), json!({ "refresh_token": rotated })).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_refresh_token");
    // Sign-out: 200 with a JSON body, then the token no longer refreshes.
    let (status, _, body) = ctx.request(Method::DELETE, &format!("{uri}?refresh_token={rotated}"), None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({}));
    let (status, body) = ctx.post(&uri, json!({ "refresh_token": rotated })).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_refresh_token");
    let (status, _, body) = ctx.request(Method::DELETE, &uri, None, None).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");
    // Expired tokens are refused.
    let (_, again) = ctx.register_passkey("refresh2@example.com", &mut authenticator()).await;
    ctx.sql("UPDATE refresh_tokens SET expires_at = 1").await;
    let (status, body) = ctx.post(&uri, json!({ "refresh_token": again["refresh_token"] })).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_refresh_token");
}

/// A passkey registration and a login count as started and finished ceremonies of their kind. The recorder is
/// the process's (other tests of this file count too, concurrently), so each counter must have grown by at least
/// what this test did; without the counting it would not have.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passkey_ceremonies_are_counted_in_the_metrics() {
    let metrics = ops::metrics::recorder();
    let value = |name: &str, kind: &str| {
        let text = metrics.render();
        let wanted = format!("{name}{{kind=\"{kind}\"}} ");
        text.lines().find_map(|line| line.strip_prefix(&wanted)).map_or(0.0, |value| value.parse::<f64>().unwrap())
    };
    let names = ["ceremonies_started_total", "ceremonies_finished_total"];
    let kinds = ["passkey_register", "passkey_login"];
    let before: Vec<f64> = kinds.iter().flat_map(|kind| names.map(|name| value(name, kind))).collect();

    let ctx = ctx(Backend::Sqlite).await.unwrap();
    let mut passkey = authenticator();
    ctx.register_passkey("counted@example.com", &mut passkey).await;
    let (status, body) = ctx.login_passkey("counted@example.com", &mut passkey, ORIGIN).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    ctx.cleanup().await;

    let after: Vec<f64> = kinds.iter().flat_map(|kind| names.map(|name| value(name, kind))).collect();
    for (i, (before, after)) in before.iter().zip(&after).enumerate() {
        assert!(after - before >= 1.0, "{} {{kind={}}}: {before} → {after}", names[i % 2], kinds[i / 2]);
    }
}

/// A Postgres restart or failover kills the pooled connections without the pool noticing. A connection that then
/// sat idle is pinged before use and replaced when it does not answer (`db::PING_WHEN_IDLE_FOR`), so the requests
/// after the outage succeed instead of failing once per dead connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_connections_that_died_while_idle_are_replaced() {
    let ctx = ctx(Backend::Postgres).await.unwrap();
    // Several connections in the pool, all idle afterwards.
    tokio::join!(
        ctx.create_user("a@idle.example"),
        ctx.create_user("b@idle.example"),
        ctx.create_user("c@idle.example"),
        ctx.create_user("d@idle.example"),
    );
    let database = ctx.database_name().expect("a Postgres context has a database name");
    use sqlx::Connection;
    let mut admin = sqlx::AnyConnection::connect(&postgres_admin_url()).await.unwrap();
    let killed: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}') k"
    ))
    .fetch_one(&mut admin)
    .await
    .unwrap();
    admin.close().await.ok();
    assert!(killed >= 1, "the pool had connections to kill");
    tokio::time::sleep(auth_server::db::PING_WHEN_IDLE_FOR + std::time::Duration::from_millis(200)).await;
    for n in 0..6 {
        ctx.create_user(&format!("after-{n}@idle.example")).await;
    }
    ctx.cleanup().await;
}
