//! `cargo xtask bench`: sizes of what a static host serves, the register page's first paint
//! ([`crate::firstpaint`]), the servers' throughput, and a newcomer's first `cargo xtask dev`
//! ([`crate::coldstart`], only when asked for).
//!
//! Figures go to stdout as a table and to `target/bench/*.json`. Nothing here asserts a time: machines are
//! noisy, so goals are compared by a person reading medians, not by a test.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Result;

use crate::process::run as run_cmd;

#[derive(clap::Args)]
pub struct BenchArgs {
    /// Which parts to run (comma separated): sizes, firstpaint, backend, auth-server, import,
    /// fleet; and coldstart, only when named (minutes of a fresh clone's first `cargo xtask dev`). Default: all
    /// but coldstart.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
}

pub fn run(args: BenchArgs) -> Result<()> {
    let wanted = |name: &str| args.only.is_empty() || args.only.iter().any(|s| s == name);
    crate::setup::run(&crate::setup::Needs { tests: false, bench: true })?;
    let out = crate::root().join("target/bench");
    std::fs::create_dir_all(&out)?;
    if wanted("sizes") {
        let dist = crate::root().join("target/bench-dist");
        trunk_release_build(&dist)?;
        sizes(&dist, &out.join("sizes.json"))?;
    }
    if wanted("firstpaint") {
        crate::firstpaint::run(&out.join("firstpaint.json"))?;
    }
    for (part, package, example) in [
        ("backend", "backend", "loadtest"),
        ("auth-server", "auth-server", "bench"),
        ("import", "auth-server", "import_bench"),
    ] {
        if wanted(part) {
            run_cmd(
                Command::new("cargo")
                    .args(["run", "--release", "-p", package, "--example", example])
                    .current_dir(crate::root()),
            )?;
        }
    }
    // The ceremonies again on PostgreSQL (goal figures are asked for on both), on the server the tests would use.
    if wanted("auth-server") {
        match crate::test_postgres::find()? {
            crate::test_postgres::TestPostgres::Use { url, how } => {
                println!("xtask: the auth-server bench on PostgreSQL: {how}");
                run_cmd(
                    Command::new("cargo")
                        .args(["run", "--release", "-p", "auth-server", "--example", "bench"])
                        .env("BENCH_POSTGRES_URL", url)
                        .current_dir(crate::root()),
                )?;
            }
            crate::test_postgres::TestPostgres::Absent { why } => {
                println!("xtask: the auth-server bench on PostgreSQL is left out: {why}");
            }
        }
    }
    if wanted("fleet") {
        fleet()?;
    }
    if args.only.iter().any(|s| s == "coldstart") {
        crate::coldstart::run(&out.join("coldstart.json"))?;
    }
    Ok(())
}

/// 200 virtual users through nginx to one, then two, instances of each server (`auth-server/examples/
/// fleet_bench.rs`): the release binaries the example starts are built first. Needs the machine's PostgreSQL and
/// Redis, like the fleet test stage.
fn fleet() -> Result<()> {
    crate::e2e::check_fleet_prerequisites()?;
    run_cmd(
        Command::new("cargo")
            .args(["build", "--release", "-p", "auth-server", "-p", "backend", "--bins"])
            .current_dir(crate::root()),
    )?;
    let bin_dir = crate::target_dir().join("release");
    run_cmd(
        Command::new("cargo")
            .args(["run", "--release", "-p", "auth-server", "--example", "fleet_bench", "--", "--bin-dir"])
            .arg(bin_dir)
            .current_dir(crate::root()),
    )
}

/// The release build a static host would serve.
pub fn trunk_release_build(dist: &Path) -> Result<()> {
    trunk_release_build_at(dist, "/")
}

/// Plain `trunk build --release`, as Trunk's docs give it, plus where to write and the sub-path: the size tuning
/// (the `wasm-release` cargo profile, `wasm-opt -Os`) is in index.html's rust link and Trunk.toml, so a team
/// that types Trunk's command gets the same files. Add no build flag here: the `build` test stage compares this
/// build with one made by `trunk build --release --dist` alone.
pub fn trunk_release_build_at(dist: &Path, public_url: &str) -> Result<()> {
    run_cmd(
        Command::new("trunk")
            .args(["build", "--release", "--public-url", public_url, "--dist"])
            .arg(dist)
            .current_dir(crate::root()),
    )
}

struct FileSize {
    path: String,
    raw: usize,
    gzip: usize,
    brotli: usize,
}

/// Gzip and brotli sizes as `cargo xtask build` precompresses (the best levels).
fn compressed_sizes(bytes: &[u8]) -> Result<(usize, usize)> {
    let (br, gzip) = crate::precompress::compress(bytes)?;
    Ok((gzip.len(), br.len()))
}

/// Every file of `dist` with its sizes.
fn file_sizes(dist: &Path) -> Result<Vec<FileSize>> {
    let mut out = Vec::new();
    for path in crate::precompress::files_under(dist)? {
        let bytes = std::fs::read(&path)?;
        let (gzip, brotli) = compressed_sizes(&bytes)?;
        let rel = path.strip_prefix(dist).unwrap().to_string_lossy().replace('\\', "/");
        out.push(FileSize { path: rel, raw: bytes.len(), gzip, brotli });
    }
    Ok(out)
}

/// Files a page loads for one element, as paths in `dist`: its module and the chunks it imports (as `follow`).
fn element_closure(dist: &Path, tag: &str, follow: crate::vendor::Imports) -> Result<BTreeSet<String>> {
    let vendored = dist.join("vendor/passage-elements");
    let files = crate::vendor::import_closure(&vendored, &crate::vendor::module_file(tag), follow)?;
    Ok(files.into_iter().map(|file| format!("vendor/passage-elements/{file}")).collect())
}

fn sizes(dist: &Path, json_out: &PathBuf) -> Result<()> {
    let mut files = file_sizes(dist)?;
    files.sort_by(|a, b| a.path.cmp(&b.path));

    let spa_owned = |f: &FileSize| {
        !f.path.starts_with("vendor/")
            && (f.path.ends_with(".wasm") || f.path.ends_with(".js") || f.path.ends_with(".css"))
    };
    let sum = |pred: &dyn Fn(&FileSize) -> bool| {
        files.iter().filter(|f| pred(f)).fold((0, 0, 0), |(r, g, b), f| (r + f.raw, g + f.gzip, b + f.brotli))
    };

    println!("\n{:<60} {:>10} {:>10} {:>10}", "dist/ file", "raw", "gzip", "brotli");
    for f in &files {
        println!("{:<60} {:>10} {:>10} {:>10}", f.path, f.raw, f.gzip, f.brotli);
    }
    let mut groups = vec![("SPA-owned assets (wasm + JS glue + CSS)".to_owned(), sum(&spa_owned), Some(60 * 1000))];
    for tag in crate::vendor::ELEMENTS {
        let closure = element_closure(dist, tag, crate::vendor::Imports::Static)?;
        // The register page is the first a new user loads: its element code has a budget.
        let goal = (*tag == "passage-register").then_some(150 * 1000);
        groups.push((format!("<{tag}> page element code"), sum(&|f: &FileSize| closure.contains(&f.path)), goal));
        let on_demand = element_closure(dist, tag, crate::vendor::Imports::All)?;
        let later = |f: &FileSize| on_demand.contains(&f.path) && !closure.contains(&f.path);
        groups.push(("  + loaded on demand (phone input)".to_owned(), sum(&later), None));
    }
    println!();
    let mut json_groups = Vec::new();
    for (name, (raw, gzip, brotli), goal) in groups {
        let verdict = goal
            .map(|g| format!(" (goal <= {} KB brotli: {})", g / 1000, if brotli <= g { "met" } else { "MISSED" }))
            .unwrap_or_default();
        println!("{name:<60} {raw:>10} {gzip:>10} {brotli:>10}{verdict}");
        json_groups
            .push(serde_json::json!({"name": name, "raw": raw, "gzip": gzip, "brotli": brotli, "goal_brotli": goal}));
    }
    let json = serde_json::json!({
        "files": files.iter().map(|f| serde_json::json!({"path": f.path, "raw": f.raw, "gzip": f.gzip, "brotli": f.brotli})).collect::<Vec<_>>(),
        "groups": json_groups,
    });
    std::fs::write(json_out, serde_json::to_string_pretty(&json)?)?;
    println!("\nwritten {}", json_out.display());
    Ok(())
}
