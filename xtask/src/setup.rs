//! Installs what is missing, idempotently, on a fresh machine whose only network is the package registries.
//!
//! Every tool comes from a registry by name (crates.io via `cargo install`, Debian via `apt-get`, npm), never
//! from a download that Trunk or a test tool would attempt by itself.

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::process::{output, run as run_cmd};

/// Trunk 0.22 needs a newer rustc than these machines have.
pub const TRUNK_VERSION: &str = "0.21.14";

/// Binaryen's `wasm-opt`, from npm's `binaryen` package: an exact version on every machine (Debian's package
/// follows the release, 108 on bookworm), so every machine ships the same bytes. Trunk runs it on release builds
/// (`data-wasm-opt="s"` in index.html) and, offline, accepts only the version pinned as `[tools] wasm_opt` in
/// Trunk.toml: the two must agree (tested below).
pub const BINARYEN_VERSION: &str = "132";

/// What the caller is about to do, so setup installs only what that needs.
pub struct Needs {
    pub tests: bool,
    pub bench: bool,
}

/// Debian's brotli modules for nginx (packages libnginx-mod-http-brotli-filter and -static).
pub const NGINX_BROTLI_MODULES: &[&str] = &[
    "/usr/share/nginx/modules/ngx_http_brotli_filter_module.so",
    "/usr/share/nginx/modules/ngx_http_brotli_static_module.so",
];

pub fn run(needs: &Needs) -> Result<()> {
    prepend_cargo_bin_to_path();
    ensure_wasm_target()?;
    // One after the other: each `cargo install` already keeps both cores busy, and side by side (measured, with the
    // workspace build beside them) a newcomer's first `cargo xtask dev` took longer, not shorter.
    ensure_wasm_bindgen_cli()?;
    ensure_trunk()?;
    ensure_wasm_opt()?;
    crate::vendor::ensure()?;
    if needs.tests {
        ensure_chromium()?;
        // The fleet stage's load balancer (Debian's package; its default site is never started here).
        ensure_apt_package("nginx", "nginx")?;
        // The end-to-end suite checks the backend's stored rows with Debian's sqlite3 shell.
        ensure_apt_package("sqlite3", "sqlite3")?;
    }
    if needs.bench {
        ensure_apt_package("wrk", "wrk")?;
        // The fleet benchmark's load balancer.
        ensure_apt_package("nginx", "nginx")?;
        // The first-paint bench serves the pages as the README's nginx recipe says: brotli as it serves, and the
        // build's precompressed copies.
        ensure_apt_files(NGINX_BROTLI_MODULES, "libnginx-mod-http-brotli-filter libnginx-mod-http-brotli-static")?;
    }
    Ok(())
}

/// `cargo install` puts binaries in `$CARGO_HOME/bin`, which a minimal CI environment may not have on PATH.
pub fn prepend_cargo_bin_to_path() {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")));
    if let Some(bin) = cargo_home.map(|h| h.join("bin")) {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut parts: Vec<_> = std::env::split_paths(&path).collect();
        if !parts.contains(&bin) {
            parts.insert(0, bin);
            std::env::set_var("PATH", std::env::join_paths(parts).expect("PATH entries are valid"));
        }
    }
}

fn ensure_wasm_target() -> Result<()> {
    let installed = output(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if installed.lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        return Ok(());
    }
    run_cmd(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

/// The wasm-bindgen version Cargo.lock resolved: the CLI must match it exactly or the glue is incompatible.
pub fn locked_wasm_bindgen_version() -> Result<String> {
    let lock = std::fs::read_to_string(crate::root().join("Cargo.lock")).context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines.next().and_then(|l| l.trim().strip_prefix("version = \"")) {
                return Ok(v.trim_end_matches('"').to_owned());
            }
        }
    }
    bail!("Cargo.lock has no wasm-bindgen package")
}

fn ensure_wasm_bindgen_cli() -> Result<()> {
    let want = locked_wasm_bindgen_version()?;
    let have = output(Command::new("wasm-bindgen").arg("--version")).unwrap_or_default();
    let runner = output(Command::new("wasm-bindgen-test-runner").arg("--version")).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(want.as_str()) && runner.contains(&want) {
        return Ok(());
    }
    eprintln!("xtask: installing wasm-bindgen-cli {want} (matches Cargo.lock; takes a few minutes once)");
    cargo_install("wasm-bindgen-cli", &want, Optimise::Some)
}

fn ensure_trunk() -> Result<()> {
    let have = output(Command::new("trunk").arg("--version")).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(TRUNK_VERSION) {
        return Ok(());
    }
    eprintln!("xtask: installing trunk {TRUNK_VERSION} (takes several minutes once)");
    cargo_install("trunk", TRUNK_VERSION, Optimise::None)
}

/// A global npm install puts `wasm-opt` on PATH (npm's prefix `bin/`), where Trunk looks for it: a plain
/// `trunk build --release` finds it as `cargo xtask build` does.
fn ensure_wasm_opt() -> Result<()> {
    let have = output(Command::new("wasm-opt").arg("--version")).unwrap_or_default();
    if have.split_whitespace().nth(2) == Some(BINARYEN_VERSION) {
        return Ok(());
    }
    eprintln!("xtask: installing wasm-opt (npm binaryen@{BINARYEN_VERSION}.0.0)");
    run_cmd(
        Command::new("npm")
            .args(["install", "--global", "--no-audit", "--no-fund"])
            .arg(format!("binaryen@{BINARYEN_VERSION}.0.0")),
    )
}

/// How much a tool's install optimises its code (issue 13, goal 7: a newcomer waits for these compiles once).
#[derive(Clone, Copy)]
enum Optimise {
    /// For a tool whose own work is on the build's path: wasm-bindgen's rewrite of the wasm takes 0.7 s per dev
    /// build at opt-level 1, 2.5 s at 0 (for 53 s saved once).
    Some,
    /// For a tool that mostly runs others: Trunk at opt-level 0 installs in 117 s instead of 250 s, and its
    /// release build of this app takes the same 7 s and writes the same bytes (measured).
    None,
}

/// Builds a tool from crates.io. The tools' own release profiles use fat LTO, which more than doubles the
/// install time on two cores for no benefit to us, so it is turned down for the install only. Without default
/// features: both tools' defaults are TLS stacks (rustls with ring; trunk's also a crates.io update check), for
/// downloads and HTTPS that these tools never make here: Trunk finds every tool installed (offline), serves and
/// proxies plain HTTP on localhost, and wasm-bindgen's test runner talks to chromedriver on localhost.
///
/// `--locked` first (the versions the tool's authors tested); it fails when the registry lacks a version the
/// tool's own lockfile names (wasm-bindgen-cli 0.2.130 does, here), and then the install is retried without it.
fn cargo_install(krate: &str, version: &str, optimise: Optimise) -> Result<()> {
    cargo_install_once(krate, version, optimise, true).or_else(|_| cargo_install_once(krate, version, optimise, false))
}

fn cargo_install_once(krate: &str, version: &str, optimise: Optimise, locked: bool) -> Result<()> {
    let mut cmd = Command::new("cargo");
    cmd.args(["install", krate, "--version", version, "--no-default-features"]);
    if locked {
        cmd.arg("--locked");
    }
    let opt_level = match optimise {
        Optimise::Some => "1",
        Optimise::None => "0",
    };
    cmd.env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", opt_level);
    run_cmd(&mut cmd)
}

fn is_root() -> bool {
    output(Command::new("id").arg("-u")).is_some_and(|s| s.trim() == "0")
}

/// Debian's Chromium and chromedriver (same version, from the same source package): the browser for the
/// wasm-bindgen tests and the end-to-end suite. Test tools must never download a browser of their own.
fn ensure_chromium() -> Result<()> {
    if Path::new("/usr/bin/chromium").exists() && Path::new("/usr/bin/chromedriver").exists() {
        return Ok(());
    }
    ensure_apt_package("chromium", "chromium chromium-driver")
}

fn ensure_apt_package(probe: &str, packages: &str) -> Result<()> {
    if crate::process::have(probe) {
        return Ok(());
    }
    apt_install(&format!("`{probe}`"), packages)
}

/// As [`ensure_apt_package`], for packages that install files rather than a command (nginx modules).
fn ensure_apt_files(files: &[&str], packages: &str) -> Result<()> {
    match files.iter().find(|file| !Path::new(file).exists()) {
        None => Ok(()),
        Some(missing) => apt_install(missing, packages),
    }
}

/// `apt-get install` of `packages` (root only; otherwise says what to run) because `missing` is.
fn apt_install(missing: &str, packages: &str) -> Result<()> {
    if !is_root() {
        bail!("{missing} is missing; install it with: sudo apt-get install -y {packages}");
    }
    run_cmd(Command::new("apt-get").args(["update", "-qq"]))?;
    run_cmd(
        Command::new("apt-get")
            .args(["install", "-y", "-qq"])
            .args(packages.split_whitespace())
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

/// `npm ci` in `dir` unless its node_modules is already in step with the lockfile.
pub fn ensure_npm_packages(dir: &Path) -> Result<()> {
    let lock = dir.join("package-lock.json");
    let stamp = dir.join("node_modules/.package-lock.json");
    // npm writes node_modules/.package-lock.json on every install; if it is newer than the lockfile, the tree
    // was installed from this lockfile (or a later edit of it was installed).
    let fresh = match (std::fs::metadata(&lock), std::fs::metadata(&stamp)) {
        (Ok(l), Ok(s)) => s.modified()? >= l.modified()?,
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    // Browser tooling must use Debian's Chromium, never download one (there is no internet here anyway).
    run_cmd(
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(dir)
            .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"),
    )
}

#[cfg(test)]
mod tests {
    /// Offline, Trunk refuses a `wasm-opt` whose version differs from `[tools] wasm_opt`: setup must install that one.
    #[test]
    fn trunk_toml_pins_the_wasm_opt_that_setup_installs() {
        let trunk_toml = std::fs::read_to_string(crate::root().join("Trunk.toml")).unwrap();
        let pinned = format!("wasm_opt = \"version_{}\"", super::BINARYEN_VERSION);
        assert!(trunk_toml.lines().any(|line| line.trim() == pinned), "Trunk.toml lacks `{pinned}`");
    }
}
