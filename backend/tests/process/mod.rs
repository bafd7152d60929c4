//! The real `backend` binary as a child process, for the tests whose subject is its log, its socket or its flags
//! (`attacks.rs`, `operations.rs`).
#![allow(dead_code)] // each test file uses part of it

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::{API_KEY, APP_ID};

/// A `backend` process on an ephemeral port with a fresh SQLite database; its stdout and stderr are collected
/// line by line. Killed (by its own pid) when dropped.
pub struct BackendProcess {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
    pub addr: SocketAddr,
    _dir: tempfile::TempDir,
}

impl BackendProcess {
    /// Starts the binary with only `vars` (plus a database and an ephemeral bind) in its environment, so the
    /// developer's variables cannot change the test, and waits until it is listening.
    pub fn start(vars: &[(&str, &str)]) -> BackendProcess {
        let dir = tempfile::tempdir().unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_backend"));
        command
            .env_clear()
            .env("RUST_LOG", "info")
            .env("BIND", "127.0.0.1:0")
            .env("DATABASE_URL", format!("sqlite://{}/app.sqlite3", dir.path().display()))
            .env("APP_ID", APP_ID)
            .env("AUTH_API_KEY", API_KEY)
            .env("AUTH_URL", "http://127.0.0.1:9")
            .envs(vars.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("start the backend binary");
        let lines = Arc::new(Mutex::new(Vec::new()));
        for output in
            [Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>, Box::new(child.stderr.take().unwrap())]
        {
            let lines = lines.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(output).lines().map_while(Result::ok) {
                    lines.lock().unwrap().push(line);
                }
            });
        }
        let mut process = BackendProcess { child, lines, addr: "127.0.0.1:0".parse().unwrap(), _dir: dir };
        let listening = process.wait_for_line(|line| line.contains("backend listening on http://"));
        let addr = listening.split("http://").nth(1).and_then(|rest| rest.split_whitespace().next()).unwrap();
        process.addr = addr.parse().unwrap_or_else(|_| panic!("address in {listening:?}"));
        process
    }

    /// The first output line matching `wanted`, waiting up to 30 s for it (a bound, not a timing assertion).
    pub fn wait_for_line(&mut self, wanted: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(line) = self.lines.lock().unwrap().iter().find(|line| wanted(line)) {
                return line.clone();
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("backend exited ({status}); output:\n{}", self.output());
            }
            assert!(Instant::now() < deadline, "no such line within 30 s; output:\n{}", self.output());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits (up to 30 s) for the process to exit on its own.
    pub fn wait_for_exit(&mut self) -> std::process::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "still running after 30 s; output:\n{}", self.output());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn output(&self) -> String {
        self.lines.lock().unwrap().join("\n")
    }

    /// Sends one HTTP/1.1 request with `headers` and returns the status line.
    pub fn request(&self, path: &str, headers: &[(&str, &str)]) -> String {
        get_raw(self.addr, path, headers).lines().next().unwrap_or_default().to_owned()
    }
}

impl Drop for BackendProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 GET with `headers` to `addr`; the whole response (head and body) as text.
pub fn get_raw(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response
}
