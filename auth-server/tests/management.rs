//! The management API (issue 11) on its own router (`management_app`, the `--management-bind` listener): users,
//! devices, tokens and magic links as Passage's server SDK calls them, against SQLite and Postgres.

#[macro_use]
#[path = "common/mod.rs"]
#[allow(unused_macros)]
mod common;

#[path = "attacks/account_flows.rs"]
#[allow(dead_code)]
mod account_flows;

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use account_flows::{code_sign_in, refresh};
use common::*;

/// A request to the management listener's router.
async fn mgmt(ctx: &Ctx, method: Method, path: &str, body: Option<Value>, key: Option<&str>) -> (StatusCode, Value) {
    ctx.management_json(method, path, body, key).await
}

fn path(rest: &str) -> String {
    format!("/v1/apps/{APP_ID}{rest}")
}

async fn create(ctx: &Ctx, body: Value) -> Value {
    let (status, body) = mgmt(ctx, Method::POST, &path("/users"), Some(body), Some(API_KEY)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["user"].clone()
}

async fn list(ctx: &Ctx, query: &str) -> (StatusCode, Value) {
    mgmt(ctx, Method::GET, &path(&format!("/users?{query}")), None, Some(API_KEY)).await
}

fn emails(page: &Value) -> Vec<&str> {
    page["users"].as_array().expect("users").iter().map(|u| u["email"].as_str().unwrap()).collect()
}

fn is_rfc3339(value: &Value) -> bool {
    value
        .as_str()
        .is_some_and(|text| time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).is_ok())
}

async fn users_are_created_read_updated_and_deleted(ctx: &Ctx) {
    let user = create(ctx, json!({ "email": " Ana@Example.com ", "user_metadata": { "plan": "pro" } })).await;
    assert_eq!(user["email"], "ana@example.com");
    assert_eq!(user["status"], "active");
    assert_eq!(user["email_verified"], false);
    assert_eq!(user["user_metadata"], json!({ "plan": "pro" }));
    assert_eq!((user["phone"].as_str(), user["external_id"].as_str()), (Some(""), Some("")));
    assert_eq!(user["webauthn_devices"], json!([]));
    assert_eq!(user["recent_events"], json!([]));
    assert_eq!(user["social_connections"], json!({}));
    assert_eq!(user["last_login_at"], "0001-01-01T00:00:00Z");
    assert!(is_rfc3339(&user["created_at"]) && is_rfc3339(&user["updated_at"]), "{user}");
    let id = user["id"].as_str().unwrap().to_owned();

    let (status, got) = mgmt(ctx, Method::GET, &path(&format!("/users/{id}")), None, Some(API_KEY)).await;
    assert_eq!(status, StatusCode::OK, "{got}");
    assert_eq!(got["user"], user);

    let (status, updated) = mgmt(
        ctx,
        Method::PATCH,
        &path(&format!("/users/{id}")),
        Some(json!({ "email": "ana.new@example.com", "user_metadata": { "plan": "team" } })),
        Some(API_KEY),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["user"]["email"], "ana.new@example.com");
    assert_eq!(updated["user"]["user_metadata"], json!({ "plan": "team" }));
    // An empty update changes nothing; null clears the metadata.
    let (status, same) = mgmt(ctx, Method::PATCH, &path(&format!("/users/{id}")), Some(json!({})), Some(API_KEY)).await;
    assert_eq!((status, &same["user"]["email"]), (StatusCode::OK, &json!("ana.new@example.com")));
    let (_, cleared) =
        mgmt(ctx, Method::PATCH, &path(&format!("/users/{id}")), Some(json!({ "user_metadata": null })), Some(API_KEY))
            .await;
    assert_eq!(cleared["user"]["user_metadata"], Value::Null);

    // The element API sees the same user (its lookup on the other listener).
    let (status, lookup) = ctx.get(&path("/users?identifier=ana.new@example.com")).await;
    assert_eq!((status, &lookup["user"]["id"]), (StatusCode::OK, &json!(id)));

    let (status, _) = mgmt(ctx, Method::DELETE, &path(&format!("/users/{id}")), None, Some(API_KEY)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = mgmt(ctx, Method::GET, &path(&format!("/users/{id}")), None, Some(API_KEY)).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "user_not_found");
}

async fn bad_user_input_is_a_400_naming_the_field_and_changes_nothing(ctx: &Ctx) {
    let taken = create(ctx, json!({ "email": "taken@example.com" })).await;
    let other = create(ctx, json!({ "email": "other@example.com" })).await;
    let cases = [
        (json!({}), "email: required"),
        (json!({ "email": "not an address" }), "email:"),
        (json!({ "email": "x<y@example.com" }), "email:"),
        (json!({ "email": "taken@example.com" }), "email: a user with this e-mail address already exists"),
        (json!({ "email": "p@example.com", "phone": "+15555550123" }), "phone:"),
        (json!({ "email": "m@example.com", "user_metadata": [1, 2] }), "user_metadata: must be a JSON object"),
        (json!({ "email": "m@example.com", "surname": "x" }), "surname"),
        (json!({ "email": 42 }), "email"),
    ];
    for (body, message) in cases {
        let (status, answer) = mgmt(ctx, Method::POST, &path("/users"), Some(body.clone()), Some(API_KEY)).await;
        assert_error(status, &answer, StatusCode::BAD_REQUEST, "invalid_request");
        assert!(answer["error"].as_str().unwrap().contains(message), "{body} → {answer}");
    }
    let other_id = other["id"].as_str().unwrap();
    let (status, answer) = mgmt(
        ctx,
        Method::PATCH,
        &path(&format!("/users/{other_id}")),
        Some(json!({ "email": "taken@example.com" })),
        Some(API_KEY),
    )
    .await;
    assert_error(status, &answer, StatusCode::BAD_REQUEST, "invalid_request");
    let (_, page) = list(ctx, "").await;
    assert_eq!(page["total_users"], 2, "{page}");
    let (_, still) = mgmt(ctx, Method::GET, &path(&format!("/users/{other_id}")), None, Some(API_KEY)).await;
    assert_eq!(still["user"]["email"], "other@example.com");
    assert_eq!(taken["email"], "taken@example.com");
}

async fn the_list_pages_filters_and_orders(ctx: &Ctx) {
    for name in ["carla", "ben", "dora", "anna", "emil"] {
        create(ctx, json!({ "email": format!("{name}@example.com") })).await;
    }
    let (status, first) = list(ctx, "limit=2&order_by=email:ASC").await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(emails(&first), ["anna@example.com", "ben@example.com"]);
    assert_eq!(
        (first["page"].as_i64(), first["limit"].as_i64(), first["total_users"].as_i64()),
        (Some(1), Some(2), Some(5))
    );
    assert!(first["created_before"].as_i64().is_some());
    assert_eq!(first["_links"]["previous"]["href"], "");
    let next = first["_links"]["next"]["href"].as_str().unwrap();
    assert!(next.contains("page=2") && next.contains("order_by=email%3AASC"), "{next}");
    assert!(first["_links"]["last"]["href"].as_str().unwrap().contains("page=3"));
    let (_, third) = list(ctx, "limit=2&page=3&order_by=email:ASC").await;
    assert_eq!(emails(&third), ["emil@example.com"]);
    assert_eq!(third["_links"]["next"]["href"], "");
    // Past the end: an empty page, not an error.
    let (status, past) = list(ctx, "limit=2&page=9").await;
    assert_eq!((status, emails(&past).len(), past["total_users"].as_i64()), (StatusCode::OK, 0, Some(5)));
    let (_, desc) = list(ctx, "order_by=email:DESC&limit=1").await;
    assert_eq!(emails(&desc), ["emil@example.com"]);

    // What the SDK's get_by_identifier sends.
    let (_, one) = list(ctx, "limit=1&identifier=dora@example.com").await;
    assert_eq!(emails(&one), ["dora@example.com"]);
    let (_, like) = list(ctx, "identifier=like:OR&order_by=email:ASC").await;
    assert_eq!(emails(&like), ["dora@example.com"]);
    let (_, not_like) = list(ctx, "identifier=not_like:a&order_by=email:ASC").await;
    assert_eq!(emails(&not_like), Vec::<&str>::new(), "every address has an a (example)");
    let (_, ne) = list(ctx, "identifier=ne:anna@example.com").await;
    assert_eq!(ne["total_users"], 4);
    let (_, literal) = list(ctx, "identifier=like:%25").await;
    assert_eq!(literal["total_users"], 0, "% is matched literally");
    ctx.sql("UPDATE users SET status = 'inactive', login_count = 3 WHERE email = 'ben@example.com'").await;
    let (_, inactive) = list(ctx, "status=inactive").await;
    assert_eq!(emails(&inactive), ["ben@example.com"]);
    let (_, counted) = list(ctx, "login_count=gt:2").await;
    assert_eq!(emails(&counted), ["ben@example.com"]);
    let (_, recent) = list(ctx, "created_at=gt:2000-01-01T00:00:00.000000Z").await;
    assert_eq!(recent["total_users"], 5);
    let (_, anchored) = list(ctx, "created_before=1000").await;
    assert_eq!(anchored["total_users"], 0, "all were created after 1970-01-01T00:16:40Z");
    // Another app's users are not listed.
    let (_, other) = mgmt(ctx, Method::GET, &format!("/v1/apps/{OTHER_APP_ID}/users"), None, Some(API_KEY)).await;
    assert_eq!(other["total_users"], 0);

    for (query, field) in [
        ("limit=0", "limit:"),
        ("limit=501", "limit:"),
        ("limit=ten", "limit:"),
        ("page=0", "page:"),
        ("order_by=identifier:ASC", "order_by: cannot order by identifier"),
        ("order_by=email:UP", "order_by:"),
        ("order_by=password", "order_by:"),
        ("status=gone", "status:"),
        ("login_count=like:3", "login_count:"),
        ("created_at=yesterday", "created_at:"),
        ("created_before=soon", "created_before:"),
        ("colour=red", "colour"),
    ] {
        let (status, body) = list(ctx, query).await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");
        assert!(body["error"].as_str().unwrap().contains(field), "{query} → {body}");
    }
}

async fn only_this_apps_key_opens_it_and_nothing_tells_whether_the_app_exists(ctx: &Ctx) {
    let user = create(ctx, json!({ "email": "guarded@example.com" })).await;
    let id = user["id"].as_str().unwrap();
    let session = code_sign_in(ctx, "signed-in@example.com").await;
    let auth_token = session["auth_token"].as_str().unwrap();
    let mut answers = Vec::new();
    for (app, key) in [
        (APP_ID, None),
        (APP_ID, Some("wrong-key")),
        (APP_ID, Some(LINK_APP_API_KEY)),
        (APP_ID, Some(auth_token)),
        ("no-such-app", Some(API_KEY)),
        ("no-such-app", None),
    ] {
        for (method, rest) in [
            (Method::GET, format!("/users/{id}")),
            (Method::GET, "/users".to_owned()),
            (Method::DELETE, format!("/users/{id}")),
            (Method::PATCH, format!("/users/{id}/deactivate")),
            (Method::DELETE, format!("/users/{id}/tokens")),
            (Method::GET, format!("/users/{id}/devices")),
        ] {
            let (status, body) = mgmt(ctx, method, &format!("/v1/apps/{app}{rest}"), None, key).await;
            assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_access_token");
            answers.push(body);
        }
    }
    assert!(answers.windows(2).all(|pair| pair[0] == pair[1]), "every refusal reads the same");
    let (status, still) = mgmt(ctx, Method::GET, &path(&format!("/users/{id}")), None, Some(API_KEY)).await;
    assert_eq!((status, &still["user"]["status"]), (StatusCode::OK, &json!("active")));
}

async fn a_deactivated_user_cannot_sign_in_or_refresh_until_activated(ctx: &Ctx) {
    let email = "paused@example.com";
    let session = code_sign_in(ctx, email).await;
    let id = jwt_part(session["auth_token"].as_str().unwrap(), 1)["sub"].as_str().unwrap().to_owned();
    let (status, body) = mgmt(ctx, Method::PATCH, &path(&format!("/users/{id}/deactivate")), None, Some(API_KEY)).await;
    assert_eq!((status, &body["user"]["status"]), (StatusCode::OK, &json!("inactive")), "{body}");
    let (status, body) = refresh(ctx, &session).await;
    assert!(status.is_client_error(), "refresh after deactivation: {status} {body}");
    let (status, body) = ctx.post(&path("/login/otp"), json!({ "identifier": email })).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "user_inactive");

    let (status, body) = mgmt(ctx, Method::PATCH, &path(&format!("/users/{id}/activate")), None, Some(API_KEY)).await;
    assert_eq!((status, &body["user"]["status"]), (StatusCode::OK, &json!("active")), "{body}");
    // The old session stays ended; a new sign-in works.
    let (status, _) = refresh(ctx, &session).await;
    assert!(status.is_client_error());
    let again = code_sign_in(ctx, email).await;
    assert!(again["auth_token"].is_string());
    let (status, body) = mgmt(ctx, Method::PATCH, "/v1/apps/test-app/users/nobody/activate", None, Some(API_KEY)).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "user_not_found");
}

async fn devices_are_listed_and_a_revoked_passkey_no_longer_signs_in(ctx: &Ctx) {
    let email = "keys@example.com";
    let mut authenticator = authenticator();
    let (id, session) = ctx.register_passkey(email, &mut authenticator).await;
    let (status, body) = mgmt(ctx, Method::GET, &path(&format!("/users/{id}/devices")), None, Some(API_KEY)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let devices = body["devices"].as_array().unwrap();
    assert_eq!(devices.len(), 1);
    let device = &devices[0];
    assert_eq!(device["type"], "passkey");
    assert!(is_rfc3339(&device["created_at"]) && is_rfc3339(&device["last_login_at"]), "{device}");
    assert_eq!(device["icons"], json!({ "light": null, "dark": null }));
    let (_, user) = mgmt(ctx, Method::GET, &path(&format!("/users/{id}")), None, Some(API_KEY)).await;
    assert_eq!(user["user"]["webauthn_devices"][0]["id"], device["id"]);
    assert_eq!(user["user"]["webauthn_types"], json!(["passkey"]));

    // A sign-in started before the revocation and finished after it.
    let start = ctx.login_start(email).await;
    let assertion = get_assertion(&mut authenticator, ORIGIN, &start["handshake"]["challenge"]);
    let device_path = path(&format!("/users/{id}/devices/{}", device["id"].as_str().unwrap()));
    let (status, _) = mgmt(ctx, Method::DELETE, &device_path, None, Some(API_KEY)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let finish = json!({ "handshake_id": start["handshake"]["id"], "user_id": id, "handshake_response": assertion });
    let (status, body) = ctx.post(&path("/login/webauthn/finish"), finish).await;
    assert!(status.is_client_error(), "login with a revoked passkey: {status} {body}");
    let (status, body) = ctx.post(&path("/login/webauthn/start"), json!({ "identifier": email })).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "no_passkeys");
    let (status, _) = refresh(ctx, &session).await;
    assert!(status.is_client_error(), "the session the passkey started ended");
    let (status, body) = mgmt(ctx, Method::DELETE, &device_path, None, Some(API_KEY)).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "device_not_found");
    let (status, body) = mgmt(ctx, Method::GET, &path("/users/nobody/devices"), None, Some(API_KEY)).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "user_not_found");
}

async fn revoking_refresh_tokens_ends_every_session(ctx: &Ctx) {
    let email = "everywhere@example.com";
    let first = code_sign_in(ctx, email).await;
    let second = code_sign_in(ctx, email).await;
    let id = jwt_part(first["auth_token"].as_str().unwrap(), 1)["sub"].as_str().unwrap().to_owned();
    let (status, _) = mgmt(ctx, Method::DELETE, &path(&format!("/users/{id}/tokens")), None, Some(API_KEY)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    for session in [&first, &second] {
        let (status, body) = refresh(ctx, session).await;
        assert_error(status, &body, StatusCode::UNAUTHORIZED, "invalid_refresh_token");
    }
    assert!(code_sign_in(ctx, email).await["refresh_token"].is_string(), "signing in again works");
    let (status, body) = mgmt(ctx, Method::DELETE, &path("/users/nobody/tokens"), None, Some(API_KEY)).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "user_not_found");
}

async fn a_magic_link_from_the_backend_signs_in_once(ctx: &Ctx) {
    let links = format!("/v1/apps/{LINK_APP_ID}");
    let (status, created) = mgmt(
        ctx,
        Method::POST,
        &format!("{links}/users"),
        Some(json!({ "email": "linked@example.com" })),
        Some(LINK_APP_API_KEY),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let user_id = created["user"]["id"].as_str().unwrap().to_owned();
    let (status, body) = mgmt(
        ctx,
        Method::POST,
        &format!("{links}/magic-links"),
        Some(json!({ "email": "linked@example.com", "channel": "email", "type": "login", "send": false,
                     "magic_link_path": "/welcome", "ttl": 5, "language": "de" })),
        Some(LINK_APP_API_KEY),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let link = &body["magic_link"];
    let secret = link["secret"].as_str().unwrap();
    assert_eq!(link["url"], format!("{LINK_ORIGIN}/welcome?psg_magic_link={secret}"));
    assert_eq!((link["ttl"].as_i64(), link["activated"].as_bool()), (Some(5), Some(false)));
    assert_eq!(
        (link["user_id"].as_str(), link["identifier"].as_str()),
        (Some(user_id.as_str()), Some("linked@example.com"))
    );
    assert_eq!((link["type"].as_str(), link["redirect_url"].as_str()), (Some("login"), Some("/dashboard")));
    assert!(ctx.mailbox.messages(Some("linked@example.com")).is_empty(), "send: false mails nothing");

    let (status, body) = ctx.patch(&format!("{links}/magic-link/activate"), json!({ "magic_link": secret })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(jwt_part(body["auth_result"]["auth_token"].as_str().unwrap(), 1)["sub"], json!(user_id));
    let (status, _) = ctx.patch(&format!("{links}/magic-link/activate"), json!({ "magic_link": secret })).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "single use");
    let (_, user) = mgmt(ctx, Method::GET, &format!("{links}/users/{user_id}"), None, Some(LINK_APP_API_KEY)).await;
    assert_eq!((user["user"]["email_verified"].as_bool(), user["user"]["login_count"].as_i64()), (Some(true), Some(1)));

    // send: true mails the same kind of link, by user id.
    let (status, body) = mgmt(
        ctx,
        Method::POST,
        &format!("{links}/magic-links"),
        Some(json!({ "user_id": user_id, "channel": "email", "type": "verify_identifier", "send": true })),
        Some(LINK_APP_API_KEY),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(ctx.last_link("linked@example.com"), body["magic_link"]["url"].as_str().unwrap());
    assert!(body["magic_link"]["url"].as_str().unwrap().starts_with(&format!("{LINK_ORIGIN}/login?")));

    for (request, field) in [
        (json!({ "send": false }), "email:"),
        (json!({ "email": "linked@example.com", "user_id": user_id }), "email:"),
        (json!({ "email": "linked@example.com", "ttl": 0 }), "ttl:"),
        (json!({ "email": "linked@example.com", "ttl": 60 }), "ttl:"),
        (json!({ "email": "linked@example.com", "channel": "phone" }), "channel:"),
        (json!({ "email": "linked@example.com", "type": "signup" }), "type:"),
        (json!({ "email": "linked@example.com", "language": "fr" }), "language:"),
        (json!({ "email": "linked@example.com", "magic_link_path": "//evil.example/" }), "magic_link_path:"),
        (json!({ "email": "linked@example.com", "magic_link_path": "/?psg_magic_link=planted" }), "magic_link_path:"),
        (json!({ "email": "linked@example.com", "redirect_url": "https://evil.example/" }), "redirect_url:"),
    ] {
        let (status, body) =
            mgmt(ctx, Method::POST, &format!("{links}/magic-links"), Some(request.clone()), Some(LINK_APP_API_KEY))
                .await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");
        assert!(body["error"].as_str().unwrap().starts_with(field), "{request} → {body}");
    }
    let (status, body) = mgmt(
        ctx,
        Method::POST,
        &format!("{links}/magic-links"),
        Some(json!({ "email": "nobody@example.com" })),
        Some(LINK_APP_API_KEY),
    )
    .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "user_not_found");
    // An app without magic links (test-app offers codes) cannot make them: E14 would refuse them.
    create(ctx, json!({ "email": "coded@example.com" })).await;
    let (status, body) =
        mgmt(ctx, Method::POST, &path("/magic-links"), Some(json!({ "email": "coded@example.com" })), Some(API_KEY))
            .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_request");
}

async fn the_two_listeners_answer_the_same_path_differently(ctx: &Ctx) {
    create(ctx, json!({ "email": "both@example.com" })).await;
    // The element listener: the existence lookup.
    let (status, lookup) = ctx.get(&path("/users?identifier=both@example.com")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(lookup["user"]["email"], "both@example.com");
    assert!(lookup.get("users").is_none());
    // The management listener: the paginated list, and it has no element endpoints.
    let (status, page) = list(ctx, "identifier=both@example.com").await;
    assert_eq!((status, emails(&page)), (StatusCode::OK, vec!["both@example.com"]));
    let (status, body) = mgmt(ctx, Method::GET, &path(""), None, Some(API_KEY)).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
}

on_both_databases!(
    users_are_created_read_updated_and_deleted,
    bad_user_input_is_a_400_naming_the_field_and_changes_nothing,
    the_list_pages_filters_and_orders,
    only_this_apps_key_opens_it_and_nothing_tells_whether_the_app_exists,
    a_deactivated_user_cannot_sign_in_or_refresh_until_activated,
    devices_are_listed_and_a_revoked_passkey_no_longer_signs_in,
    revoking_refresh_tokens_ends_every_session,
    a_magic_link_from_the_backend_signs_in_once,
    the_two_listeners_answer_the_same_path_differently,
);
