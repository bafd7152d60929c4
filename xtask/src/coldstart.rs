//! `cargo xtask bench --only coldstart`: how long a newcomer's first `cargo xtask dev` takes to serve `/register`
//! (issue 13, goal 7), measured as the newcomer has it: a fresh clone of this checkout's `HEAD`, an empty
//! `CARGO_HOME` (no registry, no installed tools), an empty npm prefix and cache, no target dir. Only the Rust
//! toolchain itself is shared (rustup's proxies are linked into the fresh `CARGO_HOME/bin`); a wasm32 target that
//! rustup already has is not downloaded again.
//!
//! Not in the default bench set: it takes minutes of both cores, downloads every crate, and needs ports 8080–8083
//! (`cargo xtask dev`'s) free. The fresh folders live under `target/bench-coldstart/` and are removed afterwards.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::process::run as run_cmd;

/// Gives up after this long (a broken first run must not hang the bench).
const LIMIT: Duration = Duration::from_secs(40 * 60);

pub fn run(json_out: &Path) -> Result<()> {
    for port in [8080, 8081, 8082, 8083] {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            bail!("port {port} is in use; the cold start runs `cargo xtask dev`, which needs 8080–8083");
        }
    }
    let base = crate::target_dir().join("bench-coldstart");
    if base.exists() {
        std::fs::remove_dir_all(&base)?;
    }
    let (repo, cargo_home, npm_prefix) = (base.join("repo"), base.join("cargo-home"), base.join("npm-prefix"));
    std::fs::create_dir_all(cargo_home.join("bin"))?;
    std::fs::create_dir_all(&npm_prefix)?;
    run_cmd(Command::new("git").args(["clone", "--quiet"]).arg(crate::root()).arg(&repo))?;
    link_rustup_proxies(&cargo_home.join("bin"))?;

    let path = format!(
        "{}:{}:/usr/local/bin:/usr/bin:/bin",
        cargo_home.join("bin").display(),
        npm_prefix.join("bin").display()
    );
    let log = std::fs::File::create(base.join("dev.log"))?;
    let started = Instant::now();
    let mut dev = Command::new("cargo");
    // The rest of the environment stays (e.g. the machine's CA settings, which npm and cargo need to reach their
    // registries), but nothing of this cargo's: its CARGO_* variables would name this checkout's target dir.
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("CARGO") {
            dev.env_remove(name);
        }
    }
    dev.args(["xtask", "dev"])
        .current_dir(&repo)
        .env("PATH", path)
        .env("CARGO_HOME", &cargo_home)
        .env("npm_config_prefix", &npm_prefix)
        .env("npm_config_cache", base.join("npm-cache"))
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log);
    // Its own process group, so that stopping it stops cargo, the servers and trunk too.
    std::os::unix::process::CommandExt::process_group(&mut dev, 0);
    let mut dev = DevGroup(dev.spawn().context("starting cargo xtask dev")?);
    println!("\ncold start: `cargo xtask dev` in a fresh clone (log: {})", base.join("dev.log").display());
    let served = loop {
        if serves_the_app() {
            break started.elapsed();
        }
        if let Some(status) = dev.0.try_wait()? {
            bail!(
                "`cargo xtask dev` exited ({status}) before serving /register; see {}",
                base.join("dev.log").display()
            );
        }
        if started.elapsed() > LIMIT {
            bail!("no /register after {} min", LIMIT.as_secs() / 60);
        }
        std::thread::sleep(Duration::from_secs(1));
    };
    drop(dev);
    println!(
        "cold start: /register served after {:.0} s ({:.1} min)",
        served.as_secs_f64(),
        served.as_secs_f64() / 60.0
    );
    std::fs::write(
        json_out,
        serde_json::to_string_pretty(&serde_json::json!({ "served_after_s": served.as_secs_f64() }))?,
    )?;
    std::fs::remove_dir_all(&base)?;
    Ok(())
}

/// `cargo`, `rustc`, … are rustup's proxies (one binary that dispatches on its name) in the real `CARGO_HOME/bin`.
fn link_rustup_proxies(bin: &Path) -> Result<()> {
    let rustup = which("rustup").context("the cold start needs rustup's proxies (rustup is not on PATH)")?;
    for proxy in ["cargo", "rustc", "rustdoc", "rustup"] {
        std::os::unix::fs::symlink(&rustup, bin.join(proxy))?;
    }
    Ok(())
}

fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(program)).find(|p| p.is_file())
}

/// Whether `trunk serve` answers `/register` with the built page (it answers only once its first build is done).
fn serves_the_app() -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", 8080)) else { return false };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let request = "GET /register HTTP/1.1\r\nHost: localhost:8080\r\nConnection: close\r\n\r\n";
    let mut response = String::new();
    stream.write_all(request.as_bytes()).is_ok()
        && stream.read_to_string(&mut response).is_ok()
        && response.starts_with("HTTP/1.1 200")
        && response.contains("_bg.wasm")
}

/// `cargo xtask dev` and everything it started, stopped like Ctrl-C would (then killed) when dropped.
struct DevGroup(Child);

impl Drop for DevGroup {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill").args(["-INT", "--", &group]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline && matches!(self.0.try_wait(), Ok(None)) {
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.0.wait();
    }
}
