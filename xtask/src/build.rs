//! `cargo xtask build`: the SPA's release build for a static host, with its Content-Security-Policy.
//!
//! `trunk build --release` writes `dist/`; then the preloads ([`crate::preload`]) and the policy is computed from the built `index.html` (the hash of
//! Trunk's inline bootstrap) and the origins of the deployment's `config.json` (see [`crate::csp`]); last, the
//! precompressed copies ([`crate::precompress`]).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// What `cargo xtask build` was asked for.
pub struct BuildOptions {
    pub public_url: String,
    pub dist: PathBuf,
    /// The deployment's `config.json`: copied into `dist/` and its origins written into the policy. `None` keeps
    /// the repository's `config.json` (the dev origins) that Trunk copied.
    pub config: Option<PathBuf>,
    /// Where browsers report violations (`report-uri`, header form only).
    pub csp_report_uri: Option<String>,
}

pub fn run(options: &BuildOptions) -> Result<()> {
    crate::setup::run(&crate::setup::Needs { tests: false, bench: false })?;
    let dist = crate::root().join(&options.dist);
    // Read and check the deployment's file first: a typo in it should not cost a release build.
    let config = match &options.config {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            crate::csp::Origins::from_config(&text, &path.display().to_string())?;
            Some(text)
        }
        None => None,
    };
    crate::bench::trunk_release_build_at(&dist, &options.public_url)?;
    if let Some(text) = &config {
        std::fs::write(dist.join("config.json"), text)?;
    }
    let policy = write_policy(&dist, options.csp_report_uri.as_deref())?;
    println!("xtask: Content-Security-Policy (also in {}/{}):", dist.display(), crate::csp::POLICY_FILE);
    println!("  {}", policy.header());
    let siblings = crate::precompress::write_siblings(&dist)?;
    println!("xtask: {siblings} precompressed files (.br, .gz) for hosts that serve them (README, Deploying)");
    Ok(())
}

/// The release build the tests check: served at `/`, with the repository's `config.json`.
pub fn release_for_tests(dist: &Path) -> Result<()> {
    crate::bench::trunk_release_build(dist)?;
    write_policy(dist, None)?;
    crate::precompress::write_siblings(dist).map(drop)
}

/// Writes the element preloads (see [`crate::preload`]) and then the policy for `dist/config.json` into `dist/`
/// (meta, `_headers`, `content-security-policy.txt`), which hashes the preloads' inline script too.
fn write_policy(dist: &Path, report_uri: Option<&str>) -> Result<crate::csp::Policy> {
    let config_path = dist.join("config.json");
    let config = std::fs::read_to_string(&config_path).with_context(|| format!("reading {}", config_path.display()))?;
    crate::preload::write_into(dist, &config)?;
    crate::csp::write_into(dist, &config, &config_path.display().to_string(), report_uri)
}
