//! The API through `app(state).oneshot(...)`: every status of DESIGN §4 / issue 3, on SQLite and (when
//! `TEST_DATABASE_URL` is set) on PostgreSQL. Tokens are signed with the fixture keys and verified against the
//! fake auth server's JWKS on a real socket.

#[macro_use]
mod support;

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use backend::{app, AppState};
use serde_json::json;

use support::harness::*;
use support::*;

on_both_databases!(
    post_creates_201_then_updates_200,
    get_user_before_and_after_saving,
    concurrent_posts_for_one_user_make_one_row,
    profiles_survive_a_restart,
    invalid_names_are_400_with_a_readable_message,
    bad_bodies_get_400_413_415,
    unknown_paths_and_methods_get_json_404_405,
    healthz_is_liveness_and_readyz_checks_the_database,
    users_are_kept_apart,
);

// ---------------------------------------------------------------------------------------------------------------
// Saving and reading profiles

async fn post_creates_201_then_updates_200(db: TestDb) {
    let h = Harness::start(db).await;
    let token = token_for("user-1");

    let first = h.post_name(&token, "  Ada Lovelace  ").await;
    assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.body);
    let saved: contract::SavedProfile = serde_json::from_value(first.body.clone()).unwrap();
    assert_eq!(saved.id, "user-1");
    assert_eq!(saved.name, "Ada Lovelace", "the name is stored trimmed");
    assert_eq!(saved.created_at, saved.updated_at);
    assert!(saved.created_at.ends_with('Z') && saved.created_at.contains('T'), "{}", saved.created_at);

    tokio::time::sleep(Duration::from_millis(5)).await;
    let second = h.post_name(&token, "Ada King").await;
    assert_eq!(second.status, StatusCode::OK, "{:?}", second.body);
    let updated: contract::SavedProfile = serde_json::from_value(second.body).unwrap();
    assert_eq!(updated.name, "Ada King");
    assert_eq!(updated.created_at, saved.created_at, "created_at never changes");
    assert!(updated.updated_at > saved.updated_at, "{} > {}", updated.updated_at, saved.updated_at);

    // Saving the same name again is still an update (idempotent, one row).
    assert_eq!(h.post_name(&token, "Ada King").await.status, StatusCode::OK);
    assert_eq!(h.state.db.count_profiles().await.unwrap(), 1);
    h.finish().await;
}

async fn get_user_before_and_after_saving(db: TestDb) {
    let h = Harness::start(db).await;
    h.auth.add_user("user-2", "ada@example.com");
    let token = token_for("user-2");

    let before = h.get_user(&token).await;
    assert_eq!(before.status, StatusCode::OK);
    assert_eq!(before.body, json!({"id": "user-2", "name": null, "email": "ada@example.com"}));

    assert_eq!(h.post_name(&token, "Ada").await.status, StatusCode::CREATED);
    let after = h.get_user(&token).await;
    assert_eq!(after.body, json!({"id": "user-2", "name": "Ada", "email": "ada@example.com"}));
    h.finish().await;
}

async fn users_are_kept_apart(db: TestDb) {
    let h = Harness::start(db).await;
    assert_eq!(h.post_name(&token_for("alice"), "Alice").await.status, StatusCode::CREATED);
    assert_eq!(h.post_name(&token_for("bob"), "Bob").await.status, StatusCode::CREATED);
    assert_eq!(h.get_user(&token_for("alice")).await.body["name"], "Alice");
    assert_eq!(h.get_user(&token_for("bob")).await.body["name"], "Bob");
    assert_eq!(h.state.db.count_profiles().await.unwrap(), 2);
    h.finish().await;
}

async fn concurrent_posts_for_one_user_make_one_row(db: TestDb) {
    let h = Harness::start(db).await;
    let token = token_for("racer");
    let requests = (0..50).map(|i| {
        let app = h.app();
        let request = post_json("/user", Some(&token), &json!({ "name": format!("Racer {i}") }).to_string());
        tokio::spawn(async move { send(app, request).await })
    });
    let replies: Vec<Reply> = futures_util::future::join_all(requests).await.into_iter().map(|r| r.unwrap()).collect();
    let created = replies.iter().filter(|r| r.status == StatusCode::CREATED).count();
    let updated = replies.iter().filter(|r| r.status == StatusCode::OK).count();
    assert_eq!((created, updated), (1, 49), "exactly one save creates the row");
    assert_eq!(h.state.db.count_profiles().await.unwrap(), 1);
    let name = h.get_user(&token).await.body["name"].as_str().unwrap().to_owned();
    assert!(name.starts_with("Racer "), "{name}");
    h.finish().await;
}

async fn profiles_survive_a_restart(db: TestDb) {
    let auth = FakeAuthServer::start().await;
    let config = test_config(&auth.url, db.url());
    let token = token_for("persistent");

    let first = AppState::from_config(&config).await.unwrap();
    assert_eq!(send(app(first.clone()), post_json("/user", Some(&token), r#"{"name":"Grace"}"#)).await.status, 201);
    // Stop: every connection closed (for SQLite the WAL is checkpointed into the file).
    first.db.close().await;
    drop(first);

    let second = AppState::from_config(&config).await.unwrap();
    let reply = send(app(second.clone()), get("/user", Some(&token))).await;
    assert_eq!(reply.body["name"], "Grace");
    assert_eq!(send(app(second.clone()), post_json("/user", Some(&token), r#"{"name":"Grace H"}"#)).await.status, 200);
    second.db.close().await;
    db.cleanup().await;
}

// ---------------------------------------------------------------------------------------------------------------
// Bad input

async fn invalid_names_are_400_with_a_readable_message(db: TestDb) {
    let h = Harness::start(db).await;
    let token = token_for("namer");
    for (name, expected) in [
        ("   ", contract::NameError::Empty),
        (&"x".repeat(101), contract::NameError::TooLong { chars: 101 }),
        ("Ada\u{0}Lovelace", contract::NameError::ControlCharacter { position: 4 }),
        ("Ada\nLovelace", contract::NameError::ControlCharacter { position: 4 }),
    ] {
        let reply = h.post_name(&token, name).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{name:?}");
        assert_eq!(reply.error_code(), "invalid_name");
        assert_eq!(reply.body["error"]["message"], expected.to_string(), "the contract's own sentence");
    }
    // Nothing was stored by the refused saves.
    assert_eq!(h.state.db.count_profiles().await.unwrap(), 0);
    // HTML and emoji are names like any other.
    assert_eq!(h.post_name(&token, "<b>Bob</b> 🎉").await.status, StatusCode::CREATED);
    h.finish().await;
}

async fn bad_bodies_get_400_413_415(db: TestDb) {
    let h = Harness::start(db).await;
    let token = token_for("sender");

    for body in ["{", "not json", "", "[]", r#"{"nam": "Ada"}"#, r#"{"name": 5}"#, r#"{"name": null}"#, "\u{0}"] {
        let reply = h.send(post_json("/user", Some(&token), body)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body:?}: {:?}", reply.body);
        assert_eq!(reply.error_code(), "invalid_json", "{body:?}");
    }

    // Wrong or missing content type.
    for content_type in [Some("text/plain"), Some("application/x-www-form-urlencoded"), None] {
        let mut builder = Request::builder()
            .method(Method::POST)
            .uri("/user")
            .header(header::AUTHORIZATION, format!("Bearer {token}"));
        if let Some(content_type) = content_type {
            builder = builder.header(header::CONTENT_TYPE, content_type);
        }
        let reply = h.send(builder.body(Body::from(r#"{"name":"Ada"}"#)).unwrap()).await;
        assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{content_type:?}");
        assert_eq!(reply.error_code(), "unsupported_media_type");
    }

    // Over 4 KiB, announced by Content-Length: refused before the body is read.
    let big = json!({ "name": "a".repeat(5000) }).to_string();
    let reply = h.send(post_json("/user", Some(&token), &big)).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.error_code(), "payload_too_large");

    // Over 4 KiB without Content-Length (chunked stream): refused while reading.
    let chunks: Vec<Result<String, std::io::Error>> = (0..10).map(|_| Ok("x".repeat(1000))).collect();
    let streamed = Request::builder()
        .method(Method::POST)
        .uri("/user")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from_stream(futures_util::stream::iter(chunks)))
        .unwrap();
    let reply = h.send(streamed).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.error_code(), "payload_too_large");

    // A body just under the limit with a valid name still works.
    let padded = format!(r#"{{"name":"Ada"{}}}"#, " ".repeat(4000));
    assert_eq!(h.send(post_json("/user", Some(&token), &padded)).await.status, StatusCode::CREATED);
    h.finish().await;
}

async fn unknown_paths_and_methods_get_json_404_405(db: TestDb) {
    let h = Harness::start(db).await;
    let reply = h.send(get("/nope", None)).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.error_code(), "not_found");

    let put = Request::builder().method(Method::PUT).uri("/user").body(Body::empty()).unwrap();
    let reply = h.send(put).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(reply.error_code(), "method_not_allowed");
    let allow = reply.header("allow").unwrap_or_default();
    assert!(
        allow.contains("GET") && allow.contains("POST") && allow.contains("DELETE"),
        "Allow header kept: {allow:?}"
    );
    h.finish().await;
}

async fn healthz_is_liveness_and_readyz_checks_the_database(db: TestDb) {
    let h = Harness::start(db).await;
    let reply = h.send(get("/healthz", None)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["status"], "ok");
    assert_eq!(reply.body["database"], h.state.db.kind());
    let reply = h.send(get("/readyz", None)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, serde_json::json!({ "status": "ready" }));

    // With the database gone readiness fails with 503, naming what is unreachable and no internals; liveness
    // still answers (restarting the process would not bring the database back).
    h.state.db.close().await;
    let reply = h.send(get("/readyz", None)).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.error_code(), "not_ready");
    assert_eq!(reply.body["error"]["message"], "database unreachable");
    assert!(!reply.body.to_string().to_lowercase().contains("pool"), "{}", reply.body);
    assert_eq!(h.send(get("/healthz", None)).await.status, StatusCode::OK);
    h.db.cleanup().await;
}

// ---------------------------------------------------------------------------------------------------------------
// SQLite specifics and startup errors

#[tokio::test]
async fn sqlite_file_and_folder_are_created_in_wal_mode() {
    let h = Harness::start(TestDb::sqlite()).await;
    let path = h.db.url().strip_prefix("sqlite://").unwrap().to_owned();
    assert!(std::path::Path::new(&path).is_file(), "{path} created, with its folder");
    let backend::db::Database::Sqlite { writer, .. } = &h.state.db else { panic!("expected SQLite") };
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(writer).await.unwrap();
    assert_eq!(mode, "wal");
    let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous").fetch_one(writer).await.unwrap();
    assert_eq!(synchronous, 1, "synchronous=NORMAL");
    h.finish().await;
}

#[tokio::test]
async fn bad_configuration_is_a_clear_startup_error() {
    let auth = FakeAuthServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite://{}/app.sqlite3", dir.path().display());

    let error = AppState::from_config(&test_config(&auth.url, "mysql://root@localhost/db")).await.err().unwrap();
    assert!(error.to_string().contains("unsupported DATABASE_URL"), "{error}");

    let mut config = test_config(&auth.url, &sqlite);
    config.allowed_origins = vec!["*".into()];
    let error = AppState::from_config(&config).await.err().unwrap();
    assert!(error.to_string().contains("--allowed-origins"), "{error}");

    let mut config = test_config("not a url", &sqlite);
    config.auth_url = "not a url".into();
    assert!(AppState::from_config(&config).await.is_err());

    let mut config = test_config(&auth.url, &sqlite);
    config.app_id = " ".into();
    assert!(AppState::from_config(&config).await.err().unwrap().to_string().contains("--app-id"));
}
