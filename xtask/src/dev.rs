//! `cargo xtask dev`: the auth server, the backend and the SPA on this machine, with embedded defaults
//! (SQLite under `.data/`, the auth server's `dev-app`, OTP codes and magic links in its dev mailbox).

use std::io::Read;
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::process::run as run_cmd;

#[derive(clap::Args)]
pub struct DevArgs {
    /// What the dev app offers when a passkey is not possible: one-time codes or magic links.
    #[arg(long, default_value = "otp", value_parser = ["otp", "magic-link"])]
    fallback: String,
}

const SPA_ORIGIN: &str = "http://localhost:8080";
const AUTH_ADDR: &str = "127.0.0.1:8081";
const API_ADDR: &str = "127.0.0.1:8082";
/// The auth server's management API (the backend's get and delete user), as its default --management-bind.
const MANAGEMENT_ADDR: &str = "127.0.0.1:8083";

/// Child processes that are killed when this value is dropped (normal exit, error or panic).
struct Children(Vec<(&'static str, Child)>);

impl Children {
    /// Asks each server to shut down gracefully (SIGTERM), then kills what is still running after 5 s.
    fn stop(&mut self) {
        for (_, child) in &mut self.0 {
            let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        for (_, child) in &mut self.0 {
            while Instant::now() < deadline && matches!(child.try_wait(), Ok(None)) {
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        self.0.clear();
    }
}

impl Drop for Children {
    fn drop(&mut self) {
        self.stop();
    }
}

pub fn run(args: DevArgs) -> Result<()> {
    // Installed first: from here on Ctrl-C (or SIGTERM) stops the servers gracefully instead of killing xtask.
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst)).context("installing the Ctrl-C handler")?;
    crate::setup::run(&crate::setup::Needs { tests: false, bench: false })?;
    let root = crate::root();
    run_cmd(Command::new("cargo").args(["build", "-p", "auth-server", "-p", "backend"]).current_dir(&root))?;
    let data = root.join(".data");
    std::fs::create_dir_all(&data)?;
    let api_key = dev_api_key(&data.join("dev-api-key"))?;
    let bin = crate::target_dir().join("debug");

    let mut children = Children(Vec::new());
    children.0.push((
        "auth-server",
        Command::new(bin.join("auth-server"))
            .args(["--dev", "--bind", AUTH_ADDR, "--dev-origin", SPA_ORIGIN, "--dev-api-key", &api_key])
            .args(["--management-bind", MANAGEMENT_ADDR])
            .args(["--dev-fallback", &args.fallback])
            .args(["--database-url", "sqlite://.data/auth.sqlite3"])
            .current_dir(&root)
            .spawn()
            .context("starting auth-server")?,
    ));
    wait_for_port(AUTH_ADDR, "auth-server", &mut children)?;
    children.0.push((
        "backend",
        Command::new(bin.join("backend"))
            .args(["--bind", API_ADDR, "--database-url", "sqlite://.data/app.sqlite3"])
            .args(["--auth-url", &format!("http://{AUTH_ADDR}"), "--app-id", "dev-app", "--auth-api-key", &api_key])
            .args(["--auth-management-url", &format!("http://{MANAGEMENT_ADDR}")])
            .args(["--allowed-origins", SPA_ORIGIN])
            // The auth server's tokens carry `iss` = the app id; saying so here keeps dev like production.
            .args(["--token-issuer", "dev-app"])
            .current_dir(&root)
            .spawn()
            .context("starting backend")?,
    ));
    wait_for_port(API_ADDR, "backend", &mut children)?;
    children.0.push((
        "trunk serve",
        Command::new("trunk")
            .args(["serve", "--port", "8080"])
            .current_dir(&root)
            .spawn()
            .context("starting trunk serve")?,
    ));

    println!(
        "\n  leptos-passage dev is starting (the first SPA build takes a minute):\n\n    \
         app          {SPA_ORIGIN}/register\n    \
         auth server  http://{AUTH_ADDR}  (dev app `dev-app`)\n    \
         backend      http://{API_ADDR}\n    \
         OTP codes and magic links: printed by auth-server below, and at http://{AUTH_ADDR}/dev/mailbox\n    \
         data: .data/ (kept between runs)   stop: Ctrl-C\n"
    );
    while !stop.load(Ordering::SeqCst) {
        for (name, child) in &mut children.0 {
            if let Some(status) = child.try_wait()? {
                bail!("{name} exited ({status}); stopping the others");
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    println!("\nstopping auth-server, backend and trunk…");
    children.stop();
    Ok(())
}

/// One management API key per checkout, so the backend and the auth server agree across restarts.
fn dev_api_key(path: &Path) -> Result<String> {
    if let Ok(key) = std::fs::read_to_string(path) {
        if !key.trim().is_empty() {
            return Ok(key.trim().to_owned());
        }
    }
    let mut bytes = [0u8; 24];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    let key: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let key = format!("dev_{key}");
    std::fs::write(path, &key)?;
    Ok(key)
}

fn wait_for_port(addr: &str, name: &str, children: &mut Children) -> Result<()> {
    let addr: SocketAddr = addr.parse()?;
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        for (n, child) in &mut children.0 {
            if let Some(status) = child.try_wait()? {
                bail!("{n} exited ({status}) before {name} was listening");
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!("{name} did not listen on {addr} within 60 s")
}
