//! Rolling upgrades (DEPLOYING.md, Upgrades): while instances of release N+1 roll out, an instance of release N
//! must still start on the database N+1 already migrated, and keep serving ceremonies on it.

#[macro_use]
mod common;

use auth_server::ServerOptions;
use axum::http::StatusCode;
use common::*;
use serde_json::json;

per_database!(an_older_release_starts_on_a_database_a_newer_release_migrated);

async fn an_older_release_starts_on_a_database_a_newer_release_migrated(backend: Backend) {
    let newer = ctx(backend).await.unwrap();
    let checksum = match backend {
        Backend::Sqlite => "X'00'",
        Backend::Postgres => "'\\x00'::bytea",
    };
    // What release N+1's migration leaves behind: a row this binary has no migration for.
    newer
        .sql(&format!(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES (29991231000001, 'a later release', TRUE, {checksum}, 0)"
        ))
        .await;

    // `sibling` connects and runs this binary's migrations, as an instance (re)starting would.
    let older = newer.sibling(ServerOptions::dev()).await;
    let mut authenticator = authenticator();
    older.create_user("rolling@example.com").await;
    let (status, body) = older
        .post(
            &format!("/v1/apps/{APP_ID}/register/otp"),
            json!({ "identifier": "rolling@example.com", "language": "en" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "the older instance serves a ceremony: {body}");
    let (_, auth_result) = older.register_passkey("rolling-passkey@example.com", &mut authenticator).await;
    assert!(auth_result["auth_token"].is_string(), "{auth_result}");
    older.cleanup().await;
    newer.cleanup().await;
}
