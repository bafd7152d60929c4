//! An attacker sends an auth token whose header `alg` holds a newline and a fake log line, hoping the server logs it
//! as is: the fake line ("admin signed in") would mislead whoever reads the log, and ANSI escapes could repaint the
//! terminal. ASVS 5.0 V16.4.1: "all logging components appropriately encode data to prevent log injection"; and
//! V16.3.1: failed authentication is logged (so the refusal must be there, on one line).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

const BIN: &str = env!("CARGO_BIN_EXE_auth-server");
const FAKE_LINE: &str = "1999-01-01T00:00:00.000000Z  INFO auth_server::session: admin@example.com signed in as root";
const END_MARKER: &str = "end-of-log-forging-test";

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn token_with_header(header: &serde_json::Value) -> String {
    format!("{}.{}.c2ln", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode("{}"))
}

fn get_current_user(addr: &str, token: &str) -> u16 {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let request = format!(
        "GET /v1/apps/dev-app/currentuser HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Connection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn forged_alg_with_a_newline_cannot_start_a_fake_log_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(BIN)
        .args(["--dev", "--bind", "127.0.0.1:0", "--database-url"])
        .arg(format!("sqlite://{}", dir.path().join("auth.sqlite3").display()))
        // The default filter, plus tower_http's request spans (which show the URI) at debug level.
        .env("RUST_LOG", "auth_server=info,tower_http=debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The log goes to stdout (tracing's fmt default) and start-up errors to stderr: read both, line by line.
    let (lines_tx, lines) = mpsc::channel::<String>();
    for pipe in [Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>, Box::new(child.stderr.take().unwrap())]
    {
        let tx = lines_tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
    }
    let _server = Server(child);
    let next_line = || lines.recv_timeout(Duration::from_secs(30)).expect("auth-server stopped writing its log");
    let addr = loop {
        let line = next_line();
        if let Some(rest) = line.strip_prefix("auth-server listening on http://") {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };

    let forged = token_with_header(&serde_json::json!({
        "alg": format!("RS256\n{FAKE_LINE}"),
        "typ": "JWT",
        "kid": "kid\u{1b}[2K\r",
    }));
    assert_eq!(get_current_user(&addr, &forged), 401);
    // A second, harmless refusal marks the end of what the forged request could have written.
    assert_eq!(
        get_current_user(&addr, &token_with_header(&serde_json::json!({ "alg": "RS256", "kid": END_MARKER }))),
        401
    );
    let mut logged = Vec::new();
    loop {
        let line = next_line();
        let done = line.contains(END_MARKER);
        logged.push(line);
        if done {
            break;
        }
    }

    let refusal = logged
        .iter()
        .find(|line| line.contains("auth token refused") && line.contains("signed in as root"))
        .unwrap_or_else(|| panic!("the refused token is logged, with its alg: {logged:#?}"));
    assert!(refusal.contains(r#"alg="RS256\n1999-01-01T00:00:00"#), "the newline is shown escaped: {refusal}");
    for line in &logged {
        assert!(!line.starts_with(FAKE_LINE.split(' ').next().unwrap()), "a forged line: {logged:#?}");
        assert!(!line.contains("signed in as root") || line.contains("auth token refused"), "{logged:#?}");
        assert!(!line.contains('\u{1b}') && !line.contains('\r'), "a raw control character: {line:?}");
    }
}
