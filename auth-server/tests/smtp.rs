//! SMTP delivery on a real socket: the binary with `--smtp-*` flags sends a one-time code to a minimal SMTP server
//! run by this test, which records the conversation.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_auth-server");

/// What one SMTP session carried.
#[derive(Debug, Default)]
struct Received {
    commands: Vec<String>,
    data: String,
}

/// Serve one SMTP session (no TLS, AUTH PLAIN accepted) and send what was received.
fn smtp_server() -> (u16, mpsc::Receiver<Received>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let mut writer = stream.try_clone().unwrap();
        let mut reader = BufReader::new(stream);
        let mut received = Received::default();
        let say = |w: &mut TcpStream, text: &str| w.write_all(text.as_bytes()).unwrap();
        say(&mut writer, "220 test.local ESMTP\r\n");
        let mut line = String::new();
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                break;
            }
            let command = line.trim_end().to_owned();
            received.commands.push(command.clone());
            let verb = command.split_whitespace().next().unwrap_or("").to_uppercase();
            match verb.as_str() {
                "EHLO" => say(&mut writer, "250-test.local\r\n250 AUTH PLAIN LOGIN\r\n"),
                "AUTH" => say(&mut writer, "235 2.7.0 Authentication successful\r\n"),
                "MAIL" | "RCPT" | "RSET" | "NOOP" => say(&mut writer, "250 OK\r\n"),
                "DATA" => {
                    say(&mut writer, "354 go ahead\r\n");
                    let mut data = String::new();
                    loop {
                        let mut l = String::new();
                        if reader.read_line(&mut l).unwrap_or(0) == 0 || l == ".\r\n" {
                            break;
                        }
                        data.push_str(&l);
                    }
                    received.data = data;
                    say(&mut writer, "250 queued\r\n");
                }
                "QUIT" => {
                    say(&mut writer, "221 bye\r\n");
                    break;
                }
                _ => say(&mut writer, "502 not implemented\r\n"),
            }
            if !received.data.is_empty() && verb == "DATA" {
                // Hand over as soon as the message is in; the client may keep the connection pooled.
                let done = std::mem::take(&mut received);
                tx.send(done).unwrap();
            }
        }
    });
    (port, rx)
}

fn http(addr: &str, method: &str, path: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    (head.split_whitespace().nth(1).unwrap().parse().unwrap(), body.to_owned())
}

#[test]
fn codes_are_sent_over_smtp_with_the_configured_sender_and_credentials() {
    let (smtp_port, received) = smtp_server();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("auth.toml");
    std::fs::write(
        &config,
        "[[apps]]\nid = \"a\"\nname = \"Mail Test\"\nauth_origin = \"http://localhost:8080\"\nredirect_url = \"/d\"\n\
         [apps.auth_methods.otp]\nttl = 300\n",
    )
    .unwrap();
    let mut child = Command::new(BIN)
        .args(["--config", config.to_str().unwrap(), "--bind", "127.0.0.1:0"])
        .arg("--database-url")
        .arg(format!("sqlite://{}", dir.path().join("auth.sqlite3").display()))
        .args(["--smtp-host", "127.0.0.1", "--smtp-port", &smtp_port.to_string(), "--smtp-tls", "none"])
        .args(["--smtp-username", "mailer", "--mail-from", "Mail Test <no-reply@example.com>"])
        .env("SMTP_PASSWORD", "s3cret")
        // Outside --dev a key-encryption key is required (the signing keys are stored encrypted).
        .env("KEY_ENCRYPTION_KEY", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("listening line").unwrap();
        if let Some(rest) = line.strip_prefix("auth-server listening on http://") {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    let (status, body) = http(&addr, "POST", "/v1/apps/a/users", r#"{"identifier":"reader@example.com"}"#);
    assert_eq!(status, 201, "{body}");
    let (status, body) =
        http(&addr, "POST", "/v1/apps/a/register/otp", r#"{"identifier":"reader@example.com","language":"en"}"#);
    assert_eq!(status, 200, "{body}");

    let session = received.recv_timeout(Duration::from_secs(30)).expect("an SMTP session");
    let _ = child.kill();
    let _ = child.wait();
    assert!(session.commands.iter().any(|c| c.starts_with("AUTH")), "{:?}", session.commands);
    assert!(
        session.commands.iter().any(|c| c.eq_ignore_ascii_case("MAIL FROM:<no-reply@example.com>")),
        "{:?}",
        session.commands
    );
    assert!(
        session.commands.iter().any(|c| c.eq_ignore_ascii_case("RCPT TO:<reader@example.com>")),
        "{:?}",
        session.commands
    );
    let data = session.data.replace("\r\n", "\n");
    assert!(data.contains("Subject: Your Mail Test code"), "{data}");
    // The six-digit code on its own line of the plain-text body.
    assert!(data.lines().any(|l| l.len() == 6 && l.chars().all(|c| c.is_ascii_digit())), "{data}");
}
