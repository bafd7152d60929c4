//! Slow clients (Slowloris; OWASP ASVS 5.0 V2.4 resource exhaustion): the real binary closes a connection whose
//! headers never finish, and answers 408 in the error shape to a request whose body never finishes.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Server {
    child: Child,
    addr: String,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `auth-server --dev` on a free port with 1-second timeouts.
fn start() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite://{}", dir.path().join("auth.sqlite3").display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_auth-server"))
        .args(["--dev", "--bind", "127.0.0.1:0", "--database-url", &db_url])
        .args(["--header-read-timeout-secs", "1", "--request-timeout-secs", "1"])
        .env_remove("AUTH_CONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn auth-server");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("auth-server exited before listening").expect("stdout");
        if let Some(rest) = line.strip_prefix("auth-server listening on http://") {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Server { child, addr, _dir: dir }
}

/// Everything the server sends until it closes the connection; panics if it is still open after the generous
/// bound (far above the configured 1 s: no timing is asserted beyond "closed at all").
fn read_until_closed(stream: &mut TcpStream) -> String {
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut received = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => received.extend_from_slice(&buf[..n]),
            Err(err) if err.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(err) => panic!("the server kept the connection open: {err}"),
        }
    }
    String::from_utf8_lossy(&received).into_owned()
}

/// Old behaviour: `axum::serve` has no header read timeout; the connection stayed open for as long as the client
/// liked, and many such connections exhaust the server's sockets.
#[test]
fn client_that_never_finishes_its_headers_is_disconnected() {
    let server = start();
    let mut stream = TcpStream::connect(&server.addr).unwrap();
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ").unwrap();
    read_until_closed(&mut stream);
    // A client that sends nothing at all is cut off too.
    let mut silent = TcpStream::connect(&server.addr).unwrap();
    read_until_closed(&mut silent);
    // The server still serves others.
    let mut ok = TcpStream::connect(&server.addr).unwrap();
    ok.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
    assert!(read_until_closed(&mut ok).starts_with("HTTP/1.1 200"));
}

/// Old behaviour: no request timeout; a body that never arrives held the handler (and a database-free task) open.
#[test]
fn client_that_never_finishes_its_body_gets_408() {
    let server = start();
    let mut stream = TcpStream::connect(&server.addr).unwrap();
    stream
        .write_all(
            b"POST /v1/apps/dev-app/users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
              Content-Length: 100\r\n\r\n{\"identifier\":",
        )
        .unwrap();
    let response = read_until_closed(&mut stream);
    assert!(response.starts_with("HTTP/1.1 408"), "{response}");
    assert!(response.contains("\"code\":\"request_timeout\""), "{response}");
    // The page can read it (CORS as every other answer).
    assert!(response.to_lowercase().contains("access-control-allow-origin: *"), "{response}");
}
