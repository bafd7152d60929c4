//! Issue 9 ("secure by default"), backend part: each test plays one attack and is named after it. Some start the
//! real `backend` binary (its log and its socket are what is under attack); the others drive the router
//! in-process like `tests/auth.rs`.

mod process;
mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};

use process::BackendProcess;
use support::harness::*;
use support::*;

// ---------------------------------------------------------------------------------------------------------------
// The real binary

/// Reads from `stream` until the server closes it and returns what arrived; panics if it is still open after
/// `bound` (generous: the point is that it closes at all, not how fast).
fn read_until_closed(mut stream: TcpStream, bound: Duration) -> Vec<u8> {
    stream.set_read_timeout(Some(bound)).unwrap();
    let mut received = Vec::new();
    let mut buffer = [0u8; 1024];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => return received,
            Ok(n) => received.extend_from_slice(&buffer[..n]),
            Err(error) if error.kind() == std::io::ErrorKind::ConnectionReset => return received,
            Err(error) => panic!("the server kept the connection open for {bound:?} ({error})"),
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Item 8: slow clients are cut off

/// Slow loris: connections that trickle (or never start) their headers, each holding a socket and a task. OWASP
/// ASVS 5.0 V15.2.2 (defend against loss of availability); issue 9 item 8: dropped within ≤ 30 s.
#[test]
fn slow_loris_connections_are_cut_off_after_the_header_read_timeout() {
    let backend = BackendProcess::start(&[("HEADER_READ_TIMEOUT_SECS", "1")]);
    let mut partial = TcpStream::connect(backend.addr).unwrap();
    partial.write_all(b"GET /user HTTP/1.1\r\nHost: backend\r\nAuthorization: Bearer abc").unwrap();
    let silent = TcpStream::connect(backend.addr).unwrap();

    let received = read_until_closed(partial, Duration::from_secs(20));
    assert!(!String::from_utf8_lossy(&received).contains("200 OK"), "{:?}", String::from_utf8_lossy(&received));
    read_until_closed(silent, Duration::from_secs(20));
    // The server itself is fine and still answers complete requests.
    assert!(backend.request("/healthz", &[]).starts_with("HTTP/1.1 200"), "{}", backend.output());
}

/// A client that sends its headers but trickles the body: the whole request is bounded by `--request-timeout`
/// and answered with the API's JSON error (503 `timeout`: the SPA retries 5xx; see backend/README.md).
#[tokio::test]
async fn slow_body_client_gets_a_json_timeout() {
    let h = Harness::start_with(TestDb::sqlite(), |config| {
        config.request_timeout = Duration::from_millis(300);
    })
    .await;
    let token = token_for("trickler");
    assert_eq!(h.post_name(&token, "Warm").await.status, StatusCode::CREATED); // loads the JWKS
    let first_byte =
        futures_util::stream::once(async { Ok::<_, std::io::Error>(axum::body::Bytes::from_static(b"{")) });
    let never_more = futures_util::stream::pending::<Result<axum::body::Bytes, std::io::Error>>();
    let request = Request::builder()
        .method(Method::POST)
        .uri("/user")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from_stream(futures_util::StreamExt::chain(first_byte, never_more)))
        .unwrap();
    let reply = h.send(request).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.error_code(), "timeout");
    h.finish().await;
}

// ---------------------------------------------------------------------------------------------------------------
// Item 9: logs cannot be forged

/// A token whose header `alg` holds a line break and a made-up log line (plus an ANSI "cursor up, erase line"
/// that would hide the real line on a terminal). jsonwebtoken's error quotes the unknown `alg`, and the backend
/// logs that reason. OWASP ASVS 5.0 V16.4.1: log entries are encoded so that an attacker cannot inject lines.
#[test]
fn newline_in_token_alg_cannot_forge_a_log_line() {
    let mut backend = BackendProcess::start(&[]);
    let fake_line = "2026-12-01T00:00:00.000000Z  INFO backend: user admin signed in as root";
    let alg = format!("RS256\n{fake_line}\r\u{1b}[1A\u{1b}[2K");
    let forged =
        format!("{}.{}.{}", b64(json!({"alg": alg, "kid": "key-a"}).to_string().as_bytes()), b64(b"{}"), b64(b"x"));

    let status = backend.request("/user", &[("Authorization", &format!("Bearer {forged}"))]);
    assert!(status.starts_with("HTTP/1.1 401"), "{status}");
    let logged = backend.wait_for_line(|line| line.contains("rejected bearer token"));

    assert!(logged.contains("user admin signed in"), "the reason (with the attacker's text) is logged: {logged}");
    assert!(logged.contains("RS256\\n2026-12-01") && logged.contains("\\u{1b}[1A"), "escaped in place: {logged}");
    let output = backend.output();
    assert!(!output.lines().any(|line| line.starts_with("2026-12-01T00:00:00")), "a forged line appeared:\n{output}");
    assert!(!output.contains('\u{1b}'), "a raw escape sequence reached the log:\n{output}");
    assert!(!output.contains('\r'), "a raw carriage return reached the log:\n{output}");
}

/// The request path is the other text every client controls that reaches the log (tower-http's request span, at
/// `debug`). hyper refuses ASCII controls there but lets UTF-8 through, so NEL (U+0085, a line break for some
/// log viewers) and U+2028 must be escaped too.
#[test]
fn line_breaks_in_the_request_path_cannot_forge_a_trace_log_line() {
    let mut backend = BackendProcess::start(&[("RUST_LOG", "info,tower_http=debug")]);
    let status =
        backend.request("/a\u{85}2026-12-01T00:00:00Z_INFO_fake\u{2028}x", &[("User-Agent", "evil\u{85}agent")]);
    assert!(status.starts_with("HTTP/1.1 404"), "{status}");
    let logged = backend.wait_for_line(|line| line.contains("finished processing request"));
    assert!(logged.contains("uri=/a\\u{85}2026-12-01T00:00:00Z_INFO_fake\\u{2028}x"), "{logged}");
    let output = backend.output();
    assert!(!output.contains('\u{85}') && !output.contains('\u{2028}'), "a raw line break reached the log:\n{output}");
}

// ---------------------------------------------------------------------------------------------------------------
// Item 10: tokens are checked for their issuer, and plain-http auth URLs are called out

/// A token that is valid in every other way but names another issuer, against a backend whose operator never
/// set `TOKEN_ISSUER`: the default is the app id (what the auth server puts in `iss`). RFC 8725 §3.8 (validate
/// the issuer); the explicit opt-out `--skip-issuer-check` still exists for issuers that do not set it.
#[tokio::test]
async fn token_from_another_issuer_is_refused_without_token_issuer_configured() {
    let h = Harness::start_with(TestDb::sqlite(), |config| {
        config.token_issuer = None;
    })
    .await;
    let key = TestKey::a();
    let mut other_issuer = claims_for("victim");
    other_issuer["iss"] = json!("https://other-issuer.example.com");
    let mut no_issuer: Value = claims_for("victim");
    no_issuer.as_object_mut().unwrap().remove("iss");
    for (what, claims) in [("another iss", &other_issuer), ("no iss", &no_issuer)] {
        let reply = h.get_user(&sign(&key, claims)).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{what}");
        assert_eq!(reply.error_code(), "invalid_token", "{what}");
    }
    assert_eq!(h.get_user(&token_for("victim")).await.status, StatusCode::OK, "iss = app id passes");
    h.finish().await;

    let lax = Harness::start_with(TestDb::sqlite(), |config| config.skip_issuer_check = true).await;
    assert_eq!(lax.get_user(&sign(&key, &other_issuer)).await.status, StatusCode::OK, "the opt-out turns it off");
    lax.finish().await;
}

/// Operators who point `AUTH_URL` at a remote host over plain http (anyone on the path could serve their own
/// JWKS) see a warning when the backend starts; loopback and https do not warn. OWASP ASVS 5.0 V12.3.
#[test]
fn plain_http_auth_url_to_a_remote_host_is_warned_about_at_start() {
    let warning = |line: &str| line.contains("WARN") && line.contains("plain http");
    let mut remote = BackendProcess::start(&[("AUTH_URL", "http://auth.example.com")]);
    let line = remote.wait_for_line(warning);
    assert!(line.contains("http://auth.example.com") && line.contains("https://"), "{line}");

    for quiet in ["http://127.0.0.1:8081", "https://auth.example.com"] {
        let backend = BackendProcess::start(&[("AUTH_URL", quiet)]);
        // The listening line comes after the warnings, so by now any warning would have been printed.
        assert!(!backend.output().lines().any(warning), "{quiet}:\n{}", backend.output());
    }
}

// ---------------------------------------------------------------------------------------------------------------
// A spoofed or broken auth server (what plain http, a hijacked DNS name or a compromised proxy would give)

/// Serves `router` on an ephemeral 127.0.0.1 port for the rest of the test; returns its base URL.
async fn serve_on_loopback(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    url
}

const JWKS_ROUTE: &str = "/v1/apps/{app}/.well-known/jwks.json";

/// The JWKS URL answers with a redirect to a server holding keys of the attacker's choosing (here key A, so a
/// followed redirect would make the token pass). The backend does not follow it: the keys that decide what is
/// genuine come only from the configured URL (OWASP ASVS 5.0 V12.3, V15.3 "defend against SSRF").
#[tokio::test]
async fn jwks_redirect_to_another_host_is_not_followed() {
    let elsewhere = FakeAuthServer::start().await;
    let target = format!("{}/v1/apps/{APP_ID}/.well-known/jwks.json", elsewhere.url);
    let redirecting = serve_on_loopback(axum::Router::new().route(
        JWKS_ROUTE,
        axum::routing::get(move || {
            let target = target.clone();
            async move { axum::response::Redirect::temporary(&target) }
        }),
    ))
    .await;
    let h = Harness::start_with(TestDb::sqlite(), |config| config.auth_url = redirecting).await;
    let reply = h.get_user(&token_for("victim")).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(elsewhere.jwks_hits(), 0, "the redirect was not followed");
    h.finish().await;
}

/// A JWKS that never ends (or is merely huge) would be buffered whole; the backend stops reading at 256 KiB,
/// with or without a Content-Length, and keeps its old keys (none here, so the token is refused).
#[tokio::test]
async fn oversized_jwks_is_refused_instead_of_buffered() {
    let padded = json!({"keys": [TestKey::a().jwk], "padding": "x".repeat(1024 * 1024)}).to_string();
    let with_length = padded.clone();
    let router = axum::Router::new()
        .route(
            JWKS_ROUTE,
            axum::routing::get(move || async move { ([(header::CONTENT_TYPE, "application/json")], with_length) }),
        )
        .route(
            "/chunked/v1/apps/{app}/.well-known/jwks.json",
            axum::routing::get(move || {
                let chunks: Vec<Result<String, std::io::Error>> =
                    padded.as_bytes().chunks(8192).map(|c| Ok(String::from_utf8_lossy(c).into_owned())).collect();
                async move { Body::from_stream(futures_util::stream::iter(chunks)) }
            }),
        );
    let url = serve_on_loopback(router).await;
    for auth_url in [url.clone(), format!("{url}/chunked")] {
        let h = Harness::start_with(TestDb::sqlite(), |config| config.auth_url = auth_url.clone()).await;
        assert_eq!(h.get_user(&token_for("victim")).await.status, StatusCode::UNAUTHORIZED, "{auth_url}");
        h.finish().await;
    }
}
