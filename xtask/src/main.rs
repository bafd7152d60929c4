//! `cargo xtask <command>`: everything a developer or CI runs, from a fresh machine with no internet but the
//! package registries. See `cargo xtask --help`.

mod bench;
mod build;
mod coldstart;
mod csp;
mod dev;
mod e2e;
mod firstpaint;
mod html;
mod precompress;
mod preload;
mod process;
mod sdk;
mod setup;
mod test;
mod test_postgres;
mod vendor;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "leptos-passage project automation")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Install what building and running needs (wasm target, trunk, wasm-bindgen-cli, vendored elements).
    Setup {
        /// Also install what the tests need (Chromium and chromedriver via apt, npm packages).
        #[arg(long)]
        for_tests: bool,
    },
    /// Fetch @passageidentity/passage-elements from npm, verify, patch and minify it into vendor/.
    Vendor,
    /// Run the auth server, the backend and the SPA locally (no account, no internet).
    Dev(dev::DevArgs),
    /// Build the SPA for a static host into dist/ (release, size-tuned), ready to upload.
    Build {
        /// The path the app is served under, e.g. `/my-app/` (default `/`).
        #[arg(long, default_value = "/")]
        public_url: String,
        /// Output folder.
        #[arg(long, default_value = "dist")]
        dist: PathBuf,
        /// The deployment's config.json: copied into dist/, and its auth/API origins go into the
        /// Content-Security-Policy (default: the repository's config.json, the dev origins).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Add `report-uri <URL>` to the header form of the Content-Security-Policy.
        #[arg(long, value_name = "URL")]
        csp_report_uri: Option<String>,
    },
    /// Run every test: native, in-browser (wasm-bindgen-test) and the release build smoke test.
    Test(test::TestArgs),
    /// Measure: asset sizes of dist/, backend and auth-server throughput.
    Bench(bench::BenchArgs),
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Setup { for_tests } => setup::run(&setup::Needs { tests: for_tests, bench: false }),
        Command::Vendor => vendor::run(),
        Command::Dev(args) => dev::run(args),
        Command::Build { public_url, dist, config, csp_report_uri } => {
            build::run(&build::BuildOptions { public_url, dist, config, csp_report_uri })
        }
        Command::Test(args) => test::run(args),
        Command::Bench(args) => bench::run(args),
    };
    if let Err(err) = result {
        eprintln!("xtask: error: {err:#}");
        std::process::exit(1);
    }
}

/// The workspace root (the parent of this crate's folder), whatever the current directory is.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}

/// Cargo's target directory: `CARGO_TARGET_DIR` when set (relative to the workspace root), else `target/`.
pub fn target_dir() -> PathBuf {
    let root = root();
    match std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from) {
        Some(dir) if dir.is_absolute() => dir,
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}
