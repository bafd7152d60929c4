//! The real binary on a real socket: `--dev` startup output, CORS preflight and JSON over TCP, the printed dev
//! API key on the management API, `rotate-key` and `generate-api-key`, and a clear error without apps.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_auth-server");

struct Server {
    child: Child,
    addr: String,
    /// The management API's listener (`--management-bind`; a free port here, as `--bind` has port 0).
    management: String,
    printed: String,
    /// The rest of stdout (kept open: the dev mailbox prints codes and links there).
    stdout: std::io::Lines<BufReader<std::process::ChildStdout>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Start `auth-server --dev` on a free port and wait for its "listening" line.
fn start_dev(db_url: &str, extra: &[&str]) -> Server {
    let mut child = Command::new(BIN)
        .args(["--dev", "--bind", "127.0.0.1:0", "--database-url", db_url])
        .args(extra)
        .env_remove("AUTH_CONFIG")
        .env_remove("DEV_API_KEY")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn auth-server");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = String::new();
    let (mut addr, mut management) = (None, None);
    while addr.is_none() || management.is_none() {
        let line = lines.next().expect("auth-server exited before listening").expect("stdout");
        printed.push_str(&line);
        printed.push('\n');
        let first_word = |rest: &str| rest.split_whitespace().next().unwrap().to_owned();
        if let Some(rest) = line.strip_prefix("auth-server listening on http://") {
            addr = Some(first_word(rest));
        } else if let Some(rest) = line.strip_prefix("auth-server management API on http://") {
            management = Some(first_word(rest));
        }
    }
    Server { child, addr: addr.unwrap(), management: management.unwrap(), printed, stdout: lines }
}

fn post(addr: &str, method: &str, path: &str, body: &serde_json::Value) -> (u16, String, String) {
    let body = body.to_string();
    http(
        addr,
        &format!(
            "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://localhost:8080\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    )
}

/// One HTTP/1.1 request over a plain TCP socket; returns (status, headers lower-cased, body).
fn http(addr: &str, request: &str) -> (u16, String, String) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).expect("read response");
    let (head, body) = raw.split_once("\r\n\r\n").expect("http response");
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, head.to_lowercase(), body.to_owned())
}

fn get(addr: &str, path: &str, extra_headers: &str) -> (u16, String, String) {
    http(addr, &format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://localhost:8080\r\n{extra_headers}Connection: close\r\n\r\n"))
}

#[test]
fn dev_server_answers_over_tcp() {
    let dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite://{}", dir.path().join("nested/auth.sqlite3").display());
    let server = start_dev(&db_url, &["--dev-api-key", "dev-key-for-test"]);
    assert!(server.printed.contains("dev-app"), "{}", server.printed);
    assert!(server.printed.contains("RP ID localhost"), "{}", server.printed);
    assert!(server.printed.contains("dev-key-for-test"), "the dev API key is printed: {}", server.printed);

    // Preflight exactly as Chromium sends it for the element's GET.
    let (status, head, _) = http(
        &server.addr,
        &format!(
            "OPTIONS /v1/apps/dev-app HTTP/1.1\r\nHost: {}\r\nOrigin: http://localhost:8080\r\nAccess-Control-Request-Method: GET\r\n\
             Access-Control-Request-Headers: passage-element-version,passage-version\r\nConnection: close\r\n\r\n",
            server.addr
        ),
    );
    assert!((200..300).contains(&status), "{head}");
    assert!(head.contains("access-control-allow-origin: *"), "{head}");
    assert!(head.contains("passage-element-version"), "{head}");

    let (status, head, body) = get(&server.addr, "/v1/apps/dev-app", "");
    assert_eq!(status, 200, "{body}");
    assert!(head.contains("content-type: application/json"), "{head}");
    let app: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(app["app"]["auth_origin"], "http://localhost:8080");
    assert_eq!(app["app"]["redirect_url"], "/dashboard");
    assert_eq!(app["app"]["name"], "Leptos Passage (dev)");
    assert_eq!(app["app"]["auth_methods"]["otp"], serde_json::json!({ "ttl": 600, "ttl_display_unit": "s" }));
    assert!(app["app"]["auth_methods"]["passkeys"].is_object());

    // The printed key works on the management API (its own listener); a wrong one does not.
    let (status, _, body) =
        get(&server.management, "/v1/apps/dev-app/users/nobody", "Authorization: Bearer dev-key-for-test\r\n");
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("user_not_found"));
    let (status, _, _) = get(&server.management, "/v1/apps/dev-app/users/nobody", "Authorization: Bearer nope\r\n");
    assert_eq!(status, 401);

    let (status, _, body) = get(&server.addr, "/v1/apps/dev-app/.well-known/jwks.json", "");
    assert_eq!(status, 200);
    let kid_before = serde_json::from_str::<serde_json::Value>(&body).unwrap()["keys"][0]["kid"].clone();
    drop(server);

    // rotate-key on the same database: the restarted server lists the new key and the previous one.
    let output = Command::new(BIN).args(["rotate-key", "--database-url", &db_url]).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let server = start_dev(&db_url, &[]);
    let (_, _, body) = get(&server.addr, "/v1/apps/dev-app/.well-known/jwks.json", "");
    let keys = serde_json::from_str::<serde_json::Value>(&body).unwrap()["keys"].as_array().unwrap().clone();
    assert_eq!(keys.len(), 2, "{body}");
    assert_eq!(keys[1]["kid"], kid_before, "the previous key is still published");
    assert!(server.printed.contains("management API key: "), "a random dev key is printed: {}", server.printed);
}

#[test]
fn generate_api_key_prints_key_and_hash() {
    let output = Command::new(BIN).arg("generate-api-key").output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let key = text.lines().find_map(|l| l.strip_prefix("api key:")).unwrap().trim();
    let hash = text.lines().find_map(|l| l.strip_prefix("sha256:")).unwrap().trim();
    assert_eq!(auth_server::ids::sha256_hex(key), hash);
    assert!(key.len() >= 40);
}

#[test]
fn refuses_to_start_without_apps_or_with_a_bad_config() {
    let output = Command::new(BIN).args(["--bind", "127.0.0.1:0"]).env_remove("AUTH_CONFIG").output().unwrap();
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("--config"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("auth.toml");
    std::fs::write(&config, "[[apps]]\nid = \"a\"\nname = \"A\"\nauth_origin = \"https://a.example/path\"\nredirect_url = \"/\"\n[apps.auth_methods.passkeys]\n").unwrap();
    let output =
        Command::new(BIN).args(["--config", config.to_str().unwrap(), "--bind", "127.0.0.1:0"]).output().unwrap();
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("auth_origin"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `--dev-fallback magic-link` over a real socket: the app offers magic links (not OTP), the link is printed on its
/// own console line and listed at `GET /dev/mailbox?to=`, and opening it signs in.
#[test]
fn dev_mailbox_and_magic_link_fallback_over_tcp() {
    let dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite://{}", dir.path().join("auth.sqlite3").display());
    let mut server = start_dev(&db_url, &["--dev-fallback", "magic-link"]);
    let (_, _, body) = get(&server.addr, "/v1/apps/dev-app", "");
    let app: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(app["app"]["auth_methods"]["magic_link"].is_object(), "{body}");
    assert!(app["app"]["auth_methods"]["otp"].is_null(), "{body}");

    let email = "tcp-link@example.com";
    let (status, _, body) =
        post(&server.addr, "POST", "/v1/apps/dev-app/users", &serde_json::json!({ "identifier": email }));
    assert_eq!(status, 201, "{body}");
    let (status, _, body) = post(
        &server.addr,
        "POST",
        "/v1/apps/dev-app/register/magic-link",
        &serde_json::json!({ "identifier": email, "language": "en", "magic_link_path": "/register" }),
    );
    assert_eq!(status, 200, "{body}");

    // The console: the link on its own line.
    let link = loop {
        let line = server.stdout.next().expect("stdout open").expect("stdout");
        if line.contains("psg_magic_link=") {
            break line.trim().to_owned();
        }
    };
    assert!(link.starts_with("http://localhost:8080/register?psg_magic_link="), "{link}");

    // The mailbox: JSON, filtered by recipient.
    let (status, head, body) = get(&server.addr, &format!("/dev/mailbox?to={}", email.replace('@', "%40")), "");
    assert_eq!(status, 200, "{body}");
    assert!(head.contains("content-type: application/json"), "{head}");
    let mailbox: serde_json::Value = serde_json::from_str(&body).unwrap();
    let messages = mailbox["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 1, "{body}");
    assert_eq!(messages[0]["to"], email);
    assert_eq!(messages[0]["kind"], "magic_link");
    assert_eq!(messages[0]["link"], link.as_str());
    let (_, _, body) = get(&server.addr, "/dev/mailbox?to=someone-else%40example.com", "");
    assert_eq!(serde_json::from_str::<serde_json::Value>(&body).unwrap()["messages"], serde_json::json!([]));

    let token = link.split("psg_magic_link=").nth(1).unwrap();
    let (status, _, body) = post(
        &server.addr,
        "PATCH",
        "/v1/apps/dev-app/magic-link/activate",
        &serde_json::json!({ "magic_link": token }),
    );
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("auth_result"), "{body}");
}

/// Outside `--dev` there is no mailbox route: it would show every code and link.
#[test]
fn config_server_has_no_dev_mailbox() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("auth.toml");
    std::fs::write(
        &config,
        "[[apps]]\nid = \"a\"\nname = \"A\"\nauth_origin = \"http://localhost:8080\"\nredirect_url = \"/d\"\n\
         [apps.auth_methods.passkeys]\n[apps.auth_methods.otp]\nttl = 300\n",
    )
    .unwrap();
    let mut child = Command::new(BIN)
        .args(["--config", config.to_str().unwrap(), "--bind", "127.0.0.1:0", "--database-url"])
        .arg(format!("sqlite://{}", dir.path().join("auth.sqlite3").display()))
        // Outside --dev a key-encryption key is required (the signing keys are stored encrypted).
        .env("KEY_ENCRYPTION_KEY", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("listening line").unwrap();
        if let Some(rest) = line.strip_prefix("auth-server listening on http://") {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    let (status, _, body) = get(&addr, "/dev/mailbox", "");
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("not_found"));
    let _ = child.kill();
    let _ = child.wait();
    // No SMTP server configured for an app that sends codes: a warning at start.
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert!(stderr.contains("no SMTP server is configured"), "{stderr}");
}

/// Issue 12 item 5 on the real binary: `--log-format json` lines carry the load balancer's `X-Request-Id` (echoed
/// in the response), and `--metrics-bind` serves Prometheus text on its own listener: requests by route template,
/// a started OTP ceremony, the code sent, a 429 by its bucket, the pool gauges. Not on the public port.
#[test]
fn json_logs_carry_the_request_id_and_metrics_have_their_own_listener() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(BIN)
        .args(["--dev", "--bind", "127.0.0.1:0", "--database-url"])
        .arg(format!("sqlite://{}", dir.path().join("auth.sqlite3").display()))
        .args(["--log-format", "json", "--metrics-bind", "127.0.0.1:0", "--limit-lookups-per-ip", "1"])
        .env_remove("AUTH_CONFIG")
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn auth-server");
    let (lines_tx, lines) = std::sync::mpsc::channel::<String>();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = lines_tx.send(line);
        }
    });
    struct Kill(Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _server = Kill(child);
    let mut seen = Vec::new();
    let mut wait_for = |wanted: &dyn Fn(&str) -> bool| -> String {
        loop {
            let line =
                lines.recv_timeout(Duration::from_secs(30)).unwrap_or_else(|_| panic!("no such line: {seen:#?}"));
            seen.push(line.clone());
            if wanted(&line) {
                return line;
            }
        }
    };
    let address_after = |line: &str, prefix: &str| {
        let rest = &line[line.find(prefix).unwrap() + prefix.len()..];
        rest.split(|c: char| c == '/' || c.is_whitespace()).next().unwrap().to_owned()
    };
    let addr = address_after(&wait_for(&|l| l.starts_with("auth-server listening on")), "http://");
    let metrics = address_after(&wait_for(&|l| l.starts_with("auth-server metrics on")), "http://");

    // A refused token is logged inside the request's span, with the load balancer's id.
    let (status, head, _) =
        get(&addr, "/v1/apps/dev-app/currentuser", "X-Request-Id: nginx-5c1a:7\r\nAuthorization: Bearer a.b.c\r\n");
    assert_eq!(status, 401);
    assert!(head.contains("\r\nx-request-id: nginx-5c1a:7\r\n"), "echoed: {head}");
    let refused = wait_for(&|l| l.contains("auth token refused"));
    let event: serde_json::Value = serde_json::from_str(&refused).unwrap_or_else(|_| panic!("not JSON: {refused}"));
    assert_eq!(event["span"]["request_id"], "nginx-5c1a:7", "{refused}");
    assert_eq!(event["span"]["route"], "/v1/apps/{app_id}/currentuser", "{refused}");

    // An OTP registration (code sent to the dev mailbox) and a lookup over its budget of 1.
    let email = "ops-metrics@example.com";
    let (status, _, body) = post(&addr, "POST", "/v1/apps/dev-app/users", &serde_json::json!({ "identifier": email }));
    assert!(status < 300, "{status} {body}");
    let send = serde_json::json!({ "identifier": email, "language": "en" });
    let (status, _, body) = post(&addr, "POST", "/v1/apps/dev-app/register/otp", &send);
    assert_eq!(status, 200, "{body}");
    let otp_id = serde_json::from_str::<serde_json::Value>(&body).unwrap()["otp_id"].as_str().unwrap().to_owned();
    let (_, _, mailbox) = get(&addr, "/dev/mailbox?to=ops-metrics%40example.com", "");
    let mailbox: serde_json::Value = serde_json::from_str(&mailbox).unwrap();
    let code = mailbox["messages"][0]["code"].as_str().unwrap_or_else(|| panic!("{mailbox}")).to_owned();
    let activate = serde_json::json!({ "otp": code, "otp_id": otp_id });
    let (status, _, body) = post(&addr, "POST", "/v1/apps/dev-app/otp/activate", &activate);
    assert_eq!(status, 200, "{body}");
    assert_eq!(get(&addr, "/v1/apps/dev-app/users?identifier=a%40example.com", "").0, 200);
    assert_eq!(get(&addr, "/v1/apps/dev-app/users?identifier=b%40example.com", "").0, 429);
    assert_eq!(get(&addr, "/metrics", "").0, 404, "no metrics on the public port");

    let (status, _, scrape) = get(&metrics, "/metrics", "");
    assert_eq!(status, 200);
    let value = |name: &str, labels: &str| {
        scrape
            .lines()
            .find(|line| line.starts_with(&format!("{name}{{")) && line.contains(labels))
            .and_then(|line| line.rsplit(' ').next())
            .and_then(|value| value.parse::<f64>().ok())
    };
    let route = r#"listener="api",route="/v1/apps/{app_id}/register/otp",method="POST",status="200""#;
    assert_eq!(value("http_requests_total", route), Some(1.0), "{scrape}");
    assert_eq!(value("http_requests_total", r#"route="/v1/apps/{app_id}/users",method="GET",status="429""#), Some(1.0));
    assert!(!scrape.contains("ops-metrics") && !scrape.contains("dev-app"), "raw paths never label:\n{scrape}");
    assert_eq!(value("ceremonies_started_total", r#"kind="otp""#), Some(1.0), "{scrape}");
    assert_eq!(value("ceremonies_finished_total", r#"kind="otp""#), Some(1.0), "{scrape}");
    assert_eq!(value("codes_sent_total", r#"channel="email""#), Some(1.0), "{scrape}");
    assert_eq!(value("rate_limited_total", r#"bucket="lookup""#), Some(1.0), "{scrape}");
    assert!(scrape.lines().any(|line| line.starts_with("db_pool_connections ")), "{scrape}");
    assert!(scrape.contains("http_request_duration_seconds_bucket{"), "{scrape}");
    for line in &seen {
        if line.starts_with('{') {
            serde_json::from_str::<serde_json::Value>(line).unwrap_or_else(|_| panic!("not a JSON line: {line}"));
        }
    }
}
