//! `cargo xtask bench --only firstpaint`: how soon the register page shows the element's e-mail input on a slow
//! phone (issue 13, goal 3), ours beside the seed-style page (jQuery, Bootstrap's CSS, the npm element unminified).
//!
//! This builds what the measurement needs (the SPA's release build with its CSP, the auth-server, the patched but
//! unbundled element package) and runs `tests/e2e/bench/firstpaint.bench.ts`, which serves the pages with nginx
//! and drives Chromium over CDP; see that file for the conditions. `FIRSTPAINT_BASELINE_DIST=DIR` adds another
//! build (e.g. main's) as `baseline`, for a before/after in one run; `FIRSTPAINT_RUNS` (default 5) the loads per page.

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Result};

use crate::process::run as run_cmd;

pub fn run(json_out: &Path) -> Result<()> {
    let root = crate::root();
    let nginx = Path::new("/usr/sbin/nginx");
    if !nginx.exists() {
        bail!("the first-paint bench serves the pages with nginx: apt-get install -y nginx");
    }
    let dist = root.join("target/bench-firstpaint-dist");
    crate::build::release_for_tests(&dist)?;
    let seed_elements = crate::vendor::patched_package_dir();
    if !seed_elements.join(crate::vendor::package_entry("passage-register")).is_file() {
        // `vendor::ensure` skipped the work because the output is current, but its work folder is gone.
        crate::vendor::run()?;
    }
    let suite = root.join("tests/e2e");
    crate::setup::ensure_npm_packages(&suite)?;
    run_cmd(Command::new("cargo").args(["build", "-p", "auth-server"]).current_dir(&root))?;

    let mut cmd = Command::new("npx");
    cmd.args(["--no-install", "playwright", "test", "--config", "bench.config.ts"])
        .current_dir(&suite)
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        .env("E2E_BIN_DIR", crate::target_dir().join("debug"))
        .env("FIRSTPAINT_DIST", &dist)
        .env("FIRSTPAINT_SEED_ELEMENTS", &seed_elements)
        .env("FIRSTPAINT_ELEMENT_STYLESHEETS", crate::vendor::out_dir().join("intl-tel-input"))
        .env("FIRSTPAINT_OUT", json_out)
        .env("FIRSTPAINT_NGINX_MODULES", crate::setup::NGINX_BROTLI_MODULES.join(":"));
    run_cmd(&mut cmd)
}
