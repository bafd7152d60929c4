//! The dev server hands out every one-time code and magic link at `GET /dev/mailbox`. An attacker who can make the
//! developer's browser fetch it (any web page, through CORS) or reach the port (a LAN, a café Wi-Fi) could sign in
//! as any test user. ASVS 5.0 V3.4.2 (CORS origin allow-list, never `*` for sensitive data) and V13.4.2 (debug
//! features not exposed).

use std::process::{Command, Stdio};

use axum::body::Body;
use axum::http::{Method, Request};
use tower::ServiceExt;

use crate::common::*;

const BIN: &str = env!("CARGO_BIN_EXE_auth-server");

async fn mailbox_request(ctx: &Ctx, method: Method, origin: &str) -> axum::http::HeaderMap {
    let mut request = Request::builder().method(method.clone()).uri("/dev/mailbox?to=victim@example.com");
    request = request.header("origin", origin);
    if method == Method::OPTIONS {
        request = request.header("access-control-request-method", "GET");
    }
    let response = ctx.router.clone().oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
    response.headers().clone()
}

#[tokio::test]
async fn evil_page_cannot_read_the_dev_mailbox_cross_origin() {
    let ctx = ctx(Backend::Sqlite).await.unwrap();
    // A page on another origin fetches the mailbox (and preflights first, as a script with custom headers would).
    for method in [Method::GET, Method::OPTIONS] {
        let headers = mailbox_request(&ctx, method.clone(), "https://evil.example").await;
        assert!(
            headers.get("access-control-allow-origin").is_none(),
            "{method}: the browser would hand the codes to https://evil.example: {headers:?}"
        );
    }
    // The dev app's own page still may (the SPA origin the server was started for).
    let headers = mailbox_request(&ctx, Method::GET, ORIGIN).await;
    assert_eq!(headers.get("access-control-allow-origin").map(|v| v.to_str().unwrap()), Some(ORIGIN));
    // The API itself keeps its `*` (the elements run on every configured app's origin, without credentials).
    let (_, headers, _) = ctx.request(Method::GET, &format!("/v1/apps/{APP_ID}"), None, None).await;
    assert_eq!(headers["access-control-allow-origin"], "*");
    ctx.cleanup().await;
}

#[test]
fn dev_server_refuses_to_listen_on_a_public_address() {
    use std::io::{BufRead, BufReader, Read};
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("auth.sqlite3").display());
    for bind in ["0.0.0.0:0", "[::]:0"] {
        let mut child = Command::new(BIN)
            .args(["--dev", "--bind", bind, "--database-url", &db])
            .env_remove("DEV_ALLOW_REMOTE")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Read stdout to its end: a server that starts listening is stopped and the test fails (rather than hang).
        let listening = BufReader::new(child.stdout.take().unwrap())
            .lines()
            .map_while(Result::ok)
            .find(|line| line.starts_with("auth-server listening"));
        if listening.is_some() {
            let _ = child.kill();
        }
        let status = child.wait().unwrap();
        let mut stderr = String::new();
        child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
        assert!(listening.is_none(), "--dev --bind {bind} started listening: {listening:?}");
        assert!(!status.success(), "--dev --bind {bind} exited successfully: {stderr}");
        assert!(stderr.contains("loopback") && stderr.contains("--dev-allow-remote"), "{stderr}");
    }
}

#[test]
fn dev_server_listens_remotely_only_when_forced() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("auth.sqlite3").display());
    let mut child = Command::new(BIN)
        .args(["--dev", "--dev-allow-remote", "--bind", "0.0.0.0:0", "--database-url", &db])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let listening = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map_while(Result::ok)
        .find(|line| line.starts_with("auth-server listening on http://0.0.0.0:"));
    let _ = child.kill();
    let _ = child.wait();
    assert!(listening.is_some(), "with --dev-allow-remote the dev server starts");
}
