//! `auth-server import` (issue 11 item 3): Passage's users come in with their ids, on SQLite and Postgres; a re-run
//! changes nothing; a dry run writes nothing; refused rows are named by line; a failing batch leaves no half of
//! itself; imported users sign in with a code and add a passkey; the binary's command line.

#[macro_use]
#[path = "common/mod.rs"]
#[allow(unused_macros)]
mod common;

#[path = "attacks/account_flows.rs"]
#[allow(dead_code)]
mod account_flows;

use auth_server::import::{import_text, Format, ImportError, ImportOptions, Policy, Refusal, Report};
use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use common::*;

const NOW: i64 = 1_790_000_000;

fn options(dry_run: bool) -> ImportOptions {
    ImportOptions { app_id: APP_ID.into(), dry_run, batch_size: 1000, policy: Policy::default() }
}

async fn import(ctx: &Ctx, text: &str, options: &ImportOptions) -> Report {
    import_text(ctx.state.db(), text, Format::detect(text), options, NOW).await.expect("import")
}

/// A management API call (the SDK's view of the imported users).
async fn mgmt(ctx: &Ctx, method: Method, path: &str) -> (StatusCode, Value) {
    ctx.management(method, &format!("/v1/apps/{APP_ID}{path}"), Some(API_KEY)).await
}

async fn user(ctx: &Ctx, id: &str) -> Value {
    let (status, body) = mgmt(ctx, Method::GET, &format!("/users/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["user"].clone()
}

async fn user_count(ctx: &Ctx) -> i64 {
    let (status, page) = mgmt(ctx, Method::GET, "/users?limit=1").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["total_users"].as_i64().unwrap()
}

/// As Passage's console exported it: its own ids, verified flags, statuses, times, metadata.
const EXPORT_CSV: &str = "\
ID,Email,Email Verified,Phone,Phone Verified,Status,Created At,Updated At,Last Login At,Login Count,user_metadata.full_name
9DeEXvYBStnzwQcHFd6f558L,ada@example.com,true,,false,active,2024-05-01T12:00:00Z,2024-06-01T08:30:00Z,2024-06-01T08:30:00Z,12,Ada Lovelace
Ab12Cd34Ef56Gh78Ij90Kl12,grace@example.com,false,,false,inactive,2024-05-02T09:00:00Z,2024-05-02T09:00:00Z,0001-01-01T00:00:00Z,0,Grace Hopper
ZyXwVuTsRqPoNmLkJiHgFeDc,Katherine@Example.com,true,,false,active,1714900000,,,3,
";

async fn csv_users_keep_their_ids_and_fields(ctx: &Ctx) {
    let report = import(ctx, EXPORT_CSV, &options(false)).await;
    assert_eq!((report.imported, report.unchanged, report.refused.len()), (3, 0, 0), "{report}");

    let ada = user(ctx, "9DeEXvYBStnzwQcHFd6f558L").await;
    assert_eq!(ada["email"], "ada@example.com");
    assert_eq!(ada["email_verified"], true);
    assert_eq!(ada["status"], "active");
    assert_eq!(ada["created_at"], "2024-05-01T12:00:00Z");
    assert_eq!(ada["updated_at"], "2024-06-01T08:30:00Z");
    assert_eq!(ada["last_login_at"], "2024-06-01T08:30:00Z");
    assert_eq!(ada["login_count"], 12);
    assert_eq!(ada["user_metadata"], json!({ "full_name": "Ada Lovelace" }));
    assert_eq!(ada["webauthn"], false, "no passkey comes along");
    assert_eq!(ada["webauthn_devices"], json!([]));

    let grace = user(ctx, "Ab12Cd34Ef56Gh78Ij90Kl12").await;
    assert_eq!((grace["status"].as_str(), grace["email_verified"].as_bool()), (Some("inactive"), Some(false)));
    assert_eq!(grace["last_login_at"], "0001-01-01T00:00:00Z", "never signed in stays never");

    let katherine = user(ctx, "ZyXwVuTsRqPoNmLkJiHgFeDc").await;
    assert_eq!(katherine["email"], "katherine@example.com", "addresses are normalised as at registration");
    assert_eq!(katherine["created_at"], "2024-05-05T09:06:40Z");
    assert_eq!(katherine["user_metadata"], Value::Null);

    // The element API finds them by address, with the same id.
    let (status, lookup) = ctx.get(&format!("/v1/apps/{APP_ID}/users?identifier=ada@example.com")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(lookup["user"]["id"], "9DeEXvYBStnzwQcHFd6f558L");
}

async fn a_second_run_changes_nothing(ctx: &Ctx) {
    import(ctx, EXPORT_CSV, &options(false)).await;
    // Between the runs Ada signs in (a code to her address): her login count and times move on.
    account_flows::code_sign_in(ctx, "ada@example.com").await;
    let before = user(ctx, "9DeEXvYBStnzwQcHFd6f558L").await;
    assert_eq!(before["login_count"], 13);

    let again = import(ctx, EXPORT_CSV, &options(false)).await;
    assert_eq!((again.imported, again.unchanged, again.refused.len()), (0, 3, 0), "{again}");
    assert_eq!(user(ctx, "9DeEXvYBStnzwQcHFd6f558L").await, before, "the re-run did not reset what happened since");
    assert_eq!(user_count(ctx).await, 3);
}

async fn a_dry_run_reports_exactly_and_writes_nothing(ctx: &Ctx) {
    ctx.create_user("grace@example.com").await; // a registration here already holds one address
    let dry = import(ctx, EXPORT_CSV, &options(true)).await;
    assert_eq!(user_count(ctx).await, 1, "nothing written");
    assert!(dry.to_string().contains("would be imported"), "{dry}");
    assert!(dry.to_string().ends_with("dry run: nothing was written"), "{dry}");
    let real = import(ctx, EXPORT_CSV, &options(false)).await;
    assert_eq!(Report { dry_run: false, ..dry }, real, "the dry run foretold the real one");
    assert_eq!((real.imported, real.refused.len()), (2, 1));
    assert_eq!(user_count(ctx).await, 3);
}

async fn refused_rows_are_named_by_line_and_the_rest_come_in(ctx: &Ctx) {
    ctx.create_user("taken@example.com").await;
    // A user of another app already has the id `other-apps-user`.
    ctx.sql(&format!(
        "INSERT INTO users (id, app_id, email, email_verified, status, webauthn_handle, created_at, updated_at, \
         login_count) VALUES ('other-apps-user', '{OTHER_APP_ID}', 'x@example.com', 0, 'active', 'h', 1, 1, 0)"
    ))
    .await;
    let csv = "\
id,email,status
good-1,one@example.com,active
bad-mail,not an address,active
good-2,two@example.com,
dup-mail,ONE@example.com,active
good-1,three@example.com,active
taken,taken@example.com,active
other-apps-user,four@example.com,active
bad-status,five@example.com,banned
good-3,six@example.com,pending
";
    let report = import(ctx, csv, &options(false)).await;
    let lines: Vec<u64> = report.refused.iter().map(|r| r.line).collect();
    assert_eq!(lines, [3, 5, 6, 7, 8, 9], "{report}");
    let reason = |line: u64| report.refused.iter().find(|r| r.line == line).unwrap().reasons.join("; ");
    assert!(reason(3).contains("not a valid e-mail address"), "{}", reason(3));
    assert!(reason(5).contains("duplicate identifier: \"one@example.com\" is also on line 2"), "{}", reason(5));
    assert!(reason(6).contains("id \"good-1\" is also on line 2"), "{}", reason(6));
    assert!(reason(7).contains("duplicate identifier: \"taken@example.com\" already belongs to user"), "{}", reason(7));
    assert!(reason(8).contains("belongs to a user of another app"), "{}", reason(8));
    assert!(reason(9).contains("status \"banned\""), "{}", reason(9));
    assert_eq!(report.imported, 3);
    assert_eq!(report.pending, 1, "the pending one is reported as such");
    for id in ["good-1", "good-2", "good-3"] {
        user(ctx, id).await;
    }
    assert_eq!(user(ctx, "good-1").await["email"], "one@example.com", "the first row for an id wins");
    assert_eq!(mgmt(ctx, Method::GET, "/users/bad-mail").await.0, StatusCode::NOT_FOUND, "nothing of a refused row");
    let shown = report.to_string();
    assert!(shown.starts_with("line 3: refused: email \"not an address\""), "{shown}");
    assert!(shown.contains("3 imported, 0 unchanged (already in the app), 6 refused"), "{shown}");
}

async fn an_unknown_column_refuses_the_whole_file(ctx: &Ctx) {
    let csv = "id,email,password_hash\nu1,a@example.com,$2b$10$abc\n";
    let err = import_text(ctx.state.db(), csv, Format::Csv, &options(false), NOW).await.unwrap_err();
    assert!(matches!(&err, ImportError::UnknownColumn { column } if column == "\"password_hash\""), "{err}");
    assert!(err.to_string().starts_with("line 1: unknown column \"password_hash\""), "{err}");
    assert_eq!(user_count(ctx).await, 0, "not half a row");
    // In JSON an unknown field refuses its user only.
    let json = r#"{"users": [{"id": "u1", "email": "a@example.com", "password_hash": "x"},
                              {"id": "u2", "email": "b@example.com"}]}"#;
    let report = import(ctx, json, &options(false)).await;
    assert_eq!(report.refused, [Refusal { line: 1, reasons: vec!["unknown field \"password_hash\"".into()] }]);
    assert_eq!(report.imported, 1);
}

/// The management list call's JSON, saved page by page from one server, imported into another: the same users.
async fn list_pages_of_one_server_import_into_another(ctx: &Ctx) {
    for i in 0..5 {
        let (status, body) =
            mgmt_post(ctx, json!({ "email": format!("u{i}@example.com"), "user_metadata": { "n": i } })).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let mut pages = String::new();
    for page in 1..=3 {
        let (status, body) = mgmt(ctx, Method::GET, &format!("/users?limit=2&page={page}")).await;
        assert_eq!(status, StatusCode::OK);
        pages.push_str(&body.to_string());
        pages.push('\n');
    }
    let (_, original) = mgmt(ctx, Method::GET, "/users?limit=10").await;

    let target = common::ctx(ctx.backend).await.expect("a second server's database");
    let report = import(&target, &pages, &options(false)).await;
    assert_eq!((report.imported, report.refused.len()), (5, 0), "{report}");
    let (_, copied) = mgmt(&target, Method::GET, "/users?limit=10").await;
    assert_eq!(copied["users"], original["users"], "ids, addresses, flags, times and metadata all came along");
    target.cleanup().await;
}

async fn mgmt_post(ctx: &Ctx, body: Value) -> (StatusCode, Value) {
    ctx.management_json(Method::POST, &format!("/v1/apps/{APP_ID}/users"), Some(body), Some(API_KEY)).await
}

/// A batch that fails in the database is rolled back whole; the batches before it stay; a re-run finishes.
async fn a_failing_batch_leaves_no_half_of_itself(ctx: &Ctx) {
    match ctx.backend {
        Backend::Sqlite => {
            ctx.sql(
                "CREATE TRIGGER refuse_boom BEFORE INSERT ON users WHEN NEW.email = 'boom@example.com' \
                 BEGIN SELECT RAISE(ABORT, 'boom'); END",
            )
            .await
        }
        Backend::Postgres => {
            ctx.sql(
                "CREATE FUNCTION refuse_boom() RETURNS trigger AS $$ BEGIN IF NEW.email = 'boom@example.com' THEN \
                 RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
            )
            .await;
            ctx.sql("CREATE TRIGGER refuse_boom BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION refuse_boom()")
                .await
        }
    }
    let mut csv = String::from("id,email\n");
    for i in 0..7 {
        let email = if i == 4 { "boom@example.com".to_owned() } else { format!("u{i}@example.com") };
        csv.push_str(&format!("u{i},{email}\n"));
    }
    let batches = ImportOptions { batch_size: 3, ..options(false) };
    let err = import_text(ctx.state.db(), &csv, Format::Csv, &batches, NOW).await.unwrap_err();
    assert!(
        matches!(err, ImportError::Database { first_line: 5, last_line: 7, done: 3, .. }),
        "the second batch (lines 5-7) failed after 3 users: {err}"
    );
    assert_eq!(user_count(ctx).await, 3, "the first batch is in, nothing of the second");
    assert_eq!(mgmt(ctx, Method::GET, "/users/u3").await.0, StatusCode::NOT_FOUND);

    ctx.sql(match ctx.backend {
        Backend::Sqlite => "DROP TRIGGER refuse_boom",
        Backend::Postgres => "DROP TRIGGER refuse_boom ON users",
    })
    .await;
    let report = import_text(ctx.state.db(), &csv, Format::Csv, &batches, NOW).await.unwrap();
    assert_eq!((report.imported, report.unchanged), (4, 3), "{report}");
}

/// Imported users have no passkey: a code to their address signs them in (with their old id as the token's
/// subject), they add a passkey (E16/E17), and it signs them in from then on. An inactive one cannot sign in.
async fn an_imported_user_signs_in_with_a_code_and_adds_a_passkey(ctx: &Ctx) {
    import(ctx, EXPORT_CSV, &options(false)).await;
    let auth = account_flows::code_sign_in(ctx, "ada@example.com").await;
    let token = auth["auth_token"].as_str().unwrap();
    assert_eq!(jwt_part(token, 1)["sub"], "9DeEXvYBStnzwQcHFd6f558L", "the backend's rows keyed by Passage id match");

    let mut authenticator = authenticator();
    let (status, body) = account_flows::add_passkey(ctx, token, &mut authenticator).await;
    assert_eq!(status, StatusCode::OK, "E16 + E17: {body}");
    let (status, body) = ctx.login_passkey("ada@example.com", &mut authenticator, ORIGIN).await;
    assert_eq!(status, StatusCode::OK, "passkey login: {body}");
    assert_eq!(jwt_part(body["auth_result"]["auth_token"].as_str().unwrap(), 1)["sub"], "9DeEXvYBStnzwQcHFd6f558L");

    let (status, body) =
        ctx.post(&format!("/v1/apps/{APP_ID}/login/otp"), json!({ "identifier": "grace@example.com" })).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "user_inactive");
}

on_both_databases!(
    csv_users_keep_their_ids_and_fields,
    a_second_run_changes_nothing,
    a_dry_run_reports_exactly_and_writes_nothing,
    refused_rows_are_named_by_line_and_the_rest_come_in,
    an_unknown_column_refuses_the_whole_file,
    list_pages_of_one_server_import_into_another,
    a_failing_batch_leaves_no_half_of_itself,
    an_imported_user_signs_in_with_a_code_and_adds_a_passkey,
);

/// The command line: the report on stdout, a failure exit when a row was refused, the app id checked.
#[test]
fn the_import_command_reports_and_fails_on_refused_rows() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("auth.sqlite3").display());
    let file = dir.path().join("export.csv");
    std::fs::write(&file, "id,email\nu1,a@example.com\nu2,not-an-address\n").unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_auth-server"))
            .args(["--dev", "--database-url", &db, "import"])
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["--app", "dev-app", "--dry-run", file.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(stdout.contains("line 3: refused: email \"not-an-address\""), "{stdout}");
    assert!(stdout.contains("1 would be imported, 0 unchanged (already in the app), 1 refused"), "{stdout}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 row(s) refused"));

    std::fs::write(&file, "id,email\nu1,a@example.com\n").unwrap();
    let out = run(&["--app", "dev-app", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("1 imported"));
    let out = run(&["--app", "dev-app", file.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("0 imported, 1 unchanged"));

    let out = run(&["--app", "no-such-app", file.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("--app \"no-such-app\": not an app of this server (its apps: dev-app)"));
}
