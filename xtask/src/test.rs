//! `cargo xtask test`: every test the project has, in the order a failure is cheapest to see, with one summary.
//!
//! Stages: `native` (cargo test --workspace), `sdk` (Passage's Python SDK against the auth-server), `browser` (wasm-bindgen-test in headless Chromium), `build`
//! (`trunk build --release` smoke checks), `e2e` (Playwright against the release build and real servers) and
//! `fleet` (the registrations and logins again, through nginx to 2 + 2 instances on PostgreSQL and Redis).
//! A stage that cannot run counts as failed: nothing is skipped silently. A test that did not run (left out
//! because its PostgreSQL is absent, or `#[ignore]`d) is counted as skipped, never as passed.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};

use crate::process::describe;

#[derive(clap::Args)]
pub struct TestArgs {
    /// Run only these stages (comma separated): native, sdk, browser, build, e2e, fleet.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
}

#[derive(Default, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tally {
    pub passed: u64,
    pub failed: u64,
    /// Tests that did not run: left out by a filter (`--skip postgres::`) or ignored.
    pub skipped: u64,
}

impl Tally {
    fn add(self, other: Tally) -> Tally {
        Tally {
            passed: self.passed + other.passed,
            failed: self.failed + other.failed,
            skipped: self.skipped + other.skipped,
        }
    }
}

struct StageResult {
    name: &'static str,
    tally: Tally,
    error: Option<String>,
}

const STAGES: &[&str] = &["native", "sdk", "browser", "build", "e2e", "fleet"];

pub fn run(args: TestArgs) -> Result<()> {
    for s in &args.only {
        if !STAGES.contains(&s.as_str()) {
            bail!("unknown stage `{s}`; stages are {}", STAGES.join(", "));
        }
    }
    let wanted = |name: &str| args.only.is_empty() || args.only.iter().any(|s| s == name);
    // Before setup and builds: a TEST_DATABASE_URL that refuses a connection fails the run at once.
    let postgres = if wanted("native") { Some(crate::test_postgres::find()?) } else { None };
    crate::setup::run(&crate::setup::Needs { tests: true, bench: false })?;

    let mut results = Vec::new();
    if let Some(postgres) = &postgres {
        results.push(stage("native", || native(postgres)));
    }
    if wanted("sdk") {
        results.push(stage("sdk", crate::sdk::run));
    }
    if wanted("browser") {
        results.push(stage("browser", browser));
    }
    let dist = crate::root().join("target/test-dist");
    if wanted("build") || wanted("e2e") || wanted("fleet") {
        results.push(stage("build", || release_build(&dist)));
    }
    if wanted("e2e") {
        results.push(stage("e2e", || crate::e2e::run(&dist, crate::e2e::Project::Single)));
    }
    if wanted("fleet") {
        results.push(stage("fleet", || crate::e2e::run(&dist, crate::e2e::Project::Fleet)));
    }

    let total = results.iter().fold(Tally::default(), |t, r| t.add(r.tally));
    println!("\nxtask test summary");
    for r in &results {
        let note = r.error.as_deref().map(|e| format!("  ERROR: {e}")).unwrap_or_default();
        println!("  {:<8} {}{note}", r.name, counts(r.tally));
    }
    if let Some(crate::test_postgres::TestPostgres::Absent { why }) = &postgres {
        println!("  (the Postgres variants were skipped: {why})");
    }
    let stage_errors = results.iter().filter(|r| r.error.is_some()).count();
    println!("tests: {}", counts(total));
    if total.failed > 0 || stage_errors > 0 {
        bail!("{} test(s) failed, {stage_errors} stage(s) could not complete", total.failed);
    }
    if total.passed == 0 {
        bail!("no test ran");
    }
    Ok(())
}

fn stage(name: &'static str, f: impl FnOnce() -> Result<Tally>) -> StageResult {
    println!("\n=== xtask test: {name} ===");
    match f() {
        Ok(tally) => StageResult { name, tally, error: None },
        Err(err) => {
            // Counts gathered before the error are still reported through the error text.
            eprintln!("xtask: stage {name} failed: {err:#}");
            StageResult { name, tally: Tally::default(), error: Some(format!("{err:#}")) }
        }
    }
}

/// "N passed, N failed, N skipped": the form of every summary line.
fn counts(tally: Tally) -> String {
    format!("{} passed, {} failed, {} skipped", tally.passed, tally.failed, tally.skipped)
}

/// Runs a test command, echoing its stdout while adding up libtest's `test result:` lines. Fails if the command
/// fails, even when no test failed (a compile error, a crashed runner).
fn run_counting(cmd: &mut Command) -> Result<Tally> {
    let shown = describe(cmd);
    eprintln!("xtask: $ {shown}");
    let mut child = cmd.stdout(Stdio::piped()).spawn().with_context(|| format!("could not start `{shown}`"))?;
    let mut tally = Tally::default();
    for line in BufReader::new(child.stdout.take().expect("piped")).lines() {
        let line = line?;
        println!("{line}");
        if let Some(counted) = test_result(&line) {
            tally = tally.add(counted);
        }
    }
    let status = child.wait()?;
    if !status.success() {
        if tally.failed == 0 {
            bail!("`{shown}` failed ({status}) before reporting a failed test");
        }
        // Failed tests are reported through the tally.
        eprintln!("xtask: `{shown}` reported {} failed test(s)", tally.failed);
    }
    Ok(tally)
}

/// The number written just before `word` in a libtest summary ("ok. 12 passed; 0 failed; ...").
fn count_before(summary: &str, word: &str) -> u64 {
    summary
        .split(';')
        .find_map(|part| part.trim().strip_suffix(word.trim_start()).map(str::trim))
        .and_then(|n| n.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// The counts of one libtest summary line ("test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured;
/// 3 filtered out; finished in 0.01s"). Ignored and filtered-out tests did not run: both are skipped. (libtest's
/// per-test JSON output is unstable; this line is its stable, parseable total, per test binary.)
fn test_result(line: &str) -> Option<Tally> {
    let rest = line.trim().strip_prefix("test result: ")?;
    Some(Tally {
        passed: count_before(rest, " passed"),
        failed: count_before(rest, " failed"),
        skipped: count_before(rest, " ignored") + count_before(rest, " filtered out"),
    })
}

/// `cargo test --workspace`, with `TEST_DATABASE_URL` set to the PostgreSQL found, or without the Postgres variants
/// (the tests whose name has `postgres::`, as `on_both_databases!` names them) when there is none: libtest then
/// counts them as "filtered out", which `test_result` reports as skipped.
fn native(postgres: &crate::test_postgres::TestPostgres) -> Result<Tally> {
    use crate::test_postgres::{TestPostgres, URL_VAR};
    let mut cmd = Command::new("cargo");
    cmd.args(["test", "--workspace", "--no-fail-fast", "--color", "never"]);
    match postgres {
        TestPostgres::Use { url, how } => {
            println!("PostgreSQL for the server tests: {how}");
            cmd.env(URL_VAR, url);
        }
        TestPostgres::Absent { why } => {
            println!("NOTE: the Postgres variants of the server tests are SKIPPED: {why}.");
            cmd.env_remove(URL_VAR).args(["--", "--skip", POSTGRES_VARIANTS]);
        }
    }
    if let Err(why) = redis_answers() {
        println!("NOTE: the Redis tests of the servers are SKIPPED: no Redis at {} ({why}).", crate::e2e::REDIS_ADDR);
        if !matches!(postgres, TestPostgres::Absent { .. }) {
            cmd.arg("--");
        }
        cmd.args(["--skip", REDIS_TESTS]);
    }
    run_counting(&mut cmd)
}

/// The name part shared by the tests that need Redis (auth-server/tests/fleet.rs puts them in a `redis` module).
const REDIS_TESTS: &str = "redis::";

fn redis_answers() -> Result<(), String> {
    let addr: std::net::SocketAddr = crate::e2e::REDIS_ADDR.parse().expect("a socket address");
    std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_secs(2)).map(drop).map_err(|e| e.to_string())
}

/// The name part shared by every Postgres variant (`on_both_databases!` puts them in a `postgres` module).
const POSTGRES_VARIANTS: &str = "postgres::";

/// The SPA's own tests (`tests/*.rs`) compiled to wasm and run in headless Chromium via chromedriver.
/// Chromium's flags come from `webdriver.json` at the repository root.
fn browser() -> Result<Tally> {
    run_counting(
        Command::new("cargo")
            .args(["test", "--target", "wasm32-unknown-unknown", "-p", "leptos-passage", "--test", "*"])
            .args(["--color", "never"])
            .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", "wasm-bindgen-test-runner")
            .env("CHROMEDRIVER", "/usr/bin/chromedriver")
            .env("WASM_BINDGEN_TEST_TIMEOUT", "120")
            .current_dir(crate::root()),
    )
}

/// `trunk build --release` into `dist`, then checks what a static host would serve.
pub fn release_build(dist: &Path) -> Result<Tally> {
    crate::build::release_for_tests(dist)?;
    let checks: Vec<(&str, Result<()>)> = vec![
        ("index.html loads the SPA's wasm and JS glue", check_index(dist)),
        ("config.json is present and names an app", check_config(dist)),
        ("every element module (register, login, profile) and the licence are shipped", check_elements(dist)),
        (
            "each shipped element with its chunks carries the base-URL and locale patches, no other Passage URL",
            check_patches(dist),
        ),
        ("index.html's CSP meta allows exactly the inline scripts it has, by hash", check_csp_meta(dist)),
        ("_headers and content-security-policy.txt carry the same policy plus frame-ancestors", check_csp_files(dist)),
        (
            "plain `trunk build --release` ships the same wasm, JS glue and CSS as `cargo xtask build`",
            check_plain_trunk_build_agrees(dist),
        ),
        (
            "the wasm, JS and CSS have .br and .gz copies with the same content; config.json and index.html have none",
            check_precompressed(dist),
        ),
    ];
    let mut tally = Tally::default();
    for (name, result) in checks {
        match result {
            Ok(()) => {
                println!("smoke: {name} ... ok");
                tally.passed += 1;
            }
            Err(err) => {
                println!("smoke: {name} ... FAILED: {err:#}");
                tally.failed += 1;
            }
        }
    }
    Ok(tally)
}

fn files_with_ext(dir: &Path, ext: &str) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == ext)).collect()
        })
        .unwrap_or_default()
}

fn check_index(dist: &Path) -> Result<()> {
    let html = std::fs::read_to_string(dist.join("index.html")).context("dist/index.html missing")?;
    let wasm = files_with_ext(dist, "wasm");
    let wasm = wasm.first().context("no .wasm in dist/")?;
    let wasm_name = wasm.file_name().unwrap().to_string_lossy();
    if !html.contains(wasm_name.as_ref()) {
        bail!("index.html does not reference {wasm_name}");
    }
    if files_with_ext(dist, "js").is_empty() {
        bail!("no JS glue in dist/");
    }
    Ok(())
}

/// A team that types Trunk's documented command must get the size-tuned build `cargo xtask build` ships (goal
/// 6 of issue 13): same file names (Trunk hashes the content into them) and same bytes. Only `--dist` is added, so
/// the repository's `dist/` is left alone.
fn check_plain_trunk_build_agrees(dist: &Path) -> Result<()> {
    let plain = crate::target_dir().join("plain-trunk-dist");
    crate::process::run(
        Command::new("trunk").args(["build", "--release", "--dist"]).arg(&plain).current_dir(crate::root()),
    )?;
    let shipped = |dir: &Path| -> Result<Vec<(String, Vec<u8>)>> {
        let mut files = Vec::new();
        for ext in ["wasm", "js", "css"] {
            for path in files_with_ext(dir, ext) {
                files.push((path.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&path)?));
            }
        }
        files.sort();
        Ok(files)
    };
    let (ours, theirs) = (shipped(dist)?, shipped(&plain)?);
    let names = |files: &[(String, Vec<u8>)]| files.iter().map(|(name, _)| name.clone()).collect::<Vec<_>>();
    if names(&ours) != names(&theirs) {
        bail!("`cargo xtask build` shipped {:?}, plain `trunk build --release` {:?}", names(&ours), names(&theirs));
    }
    let differing: Vec<_> = ours.iter().zip(&theirs).filter(|(a, b)| a.1 != b.1).map(|(a, _)| a.0.clone()).collect();
    if !differing.is_empty() {
        bail!("`cargo xtask build` and plain `trunk build --release` ship different bytes under the same names: {differing:?}");
    }
    Ok(())
}

/// What `brotli_static`/`gzip_static` would serve instead of a file must be that file: a stale copy (an older
/// build's, or of a file changed after compressing) would be served to every browser in its place.
fn check_precompressed(dist: &Path) -> Result<()> {
    let elements = dist.join("vendor/passage-elements");
    let shipped: Vec<PathBuf> = ["wasm", "js", "css"]
        .iter()
        .flat_map(|ext| files_with_ext(dist, ext))
        .chain(files_with_ext(&elements, "js"))
        .collect();
    if !shipped.iter().any(|p| p.extension().is_some_and(|e| e == "wasm")) {
        bail!("no wasm in {}", dist.display());
    }
    for path in &shipped {
        let bytes = std::fs::read(path)?;
        for suffix in ["br", "gz"] {
            let Ok(copy) = std::fs::read(crate::precompress::sibling(path, suffix)) else {
                // Left out only where compressing does not make it smaller (compressed again only to ask that).
                let (br, gz) = crate::precompress::compress(&bytes)?;
                if if suffix == "br" { br.len() } else { gz.len() } < bytes.len() {
                    bail!("{} has no .{suffix} copy", path.display());
                }
                continue;
            };
            let mut unpacked = Vec::new();
            if suffix == "br" {
                brotli::BrotliDecompress(&mut &copy[..], &mut unpacked)?;
            } else {
                std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&copy[..]), &mut unpacked)?;
            }
            if unpacked != bytes {
                bail!("{}.{suffix} does not hold the file's bytes (a stale copy)", path.display());
            }
        }
    }
    for name in ["config.json", "index.html"] {
        for suffix in ["br", "gz"] {
            let stale = crate::precompress::sibling(&dist.join(name), suffix);
            if stale.exists() {
                bail!("{} exists: the host would serve it in place of the operator's {name}", stale.display());
            }
        }
    }
    Ok(())
}

fn check_config(dist: &Path) -> Result<()> {
    let text = std::fs::read_to_string(dist.join("config.json")).context("dist/config.json missing")?;
    let json: serde_json::Value = serde_json::from_str(&text).context("dist/config.json is not JSON")?;
    for key in ["app_id", "auth_url", "api_url"] {
        if json.get(key).is_none_or(|v| v.as_str().is_none_or(str::is_empty)) {
            bail!("dist/config.json lacks `{key}`");
        }
    }
    Ok(())
}

fn check_elements(dist: &Path) -> Result<()> {
    let dir = dist.join("vendor/passage-elements");
    let modules = crate::vendor::ELEMENTS.iter().map(|tag| crate::vendor::module_file(tag));
    for file in modules.chain(["LICENSE.txt".to_owned()]) {
        let path = dir.join(file);
        if !path.is_file() {
            bail!("{} missing", path.display());
        }
    }
    Ok(())
}

fn check_patches(dist: &Path) -> Result<()> {
    crate::vendor::verify_output(&dist.join("vendor/passage-elements"))
}

/// The meta policy's script hashes are those of the inline scripts actually in dist/index.html (so Trunk's
/// bootstrap runs), and it allows no inline script or eval beyond them (ASVS 5.0 V3.4.3).
fn check_csp_meta(dist: &Path) -> Result<()> {
    let html = std::fs::read_to_string(dist.join("index.html")).context("dist/index.html missing")?;
    let policy = crate::csp::meta_policy(&html).context("dist/index.html has no CSP meta element")?;
    let scripts = crate::csp::inline_scripts(&html);
    // Trunk's bootstrap imports the wasm-bindgen glue and calls its init: the one inline script it writes.
    if !scripts.iter().any(|s| s.contains("import init") || s.contains("init(")) {
        bail!("no inline script looks like Trunk's bootstrap: {scripts:?}");
    }
    let mut inline: Vec<String> = scripts.iter().map(|s| crate::csp::sha256_source(s)).collect();
    let script_src = directive(&policy, "script-src").context("the meta policy has no script-src")?;
    let mut allowed: Vec<String> = script_src.iter().filter(|t| t.starts_with("'sha")).cloned().collect();
    inline.sort();
    allowed.sort();
    if inline != allowed {
        bail!("script-src allows {allowed:?}, the inline scripts hash to {inline:?}");
    }
    for forbidden in ["'unsafe-inline'", "'unsafe-eval'", "*", "data:", "blob:"] {
        if script_src.iter().any(|t| t == forbidden) {
            bail!("script-src contains {forbidden}");
        }
    }
    if !script_src.iter().any(|t| t == "'wasm-unsafe-eval'") {
        bail!("script-src lacks 'wasm-unsafe-eval': the wasm could not be compiled");
    }
    if directive(&policy, "frame-ancestors").is_some() {
        bail!("the meta policy carries frame-ancestors, which a meta policy ignores");
    }
    Ok(())
}

/// The header forms equal the meta policy plus the header-only `frame-ancestors 'none'`.
fn check_csp_files(dist: &Path) -> Result<()> {
    let html = std::fs::read_to_string(dist.join("index.html")).context("dist/index.html missing")?;
    let meta = crate::csp::meta_policy(&html).context("dist/index.html has no CSP meta element")?;
    let header = std::fs::read_to_string(dist.join(crate::csp::POLICY_FILE))
        .with_context(|| format!("dist/{} missing", crate::csp::POLICY_FILE))?;
    let header = header.trim_end();
    if header != format!("{meta}; frame-ancestors 'none'") {
        bail!("dist/{} is\n  {header}\nbut the meta policy is\n  {meta}", crate::csp::POLICY_FILE);
    }
    let headers = std::fs::read_to_string(dist.join(crate::csp::HEADERS_FILE))
        .with_context(|| format!("dist/{} missing", crate::csp::HEADERS_FILE))?;
    if !headers.contains(&format!("/*\n  Content-Security-Policy: {header}\n")) {
        bail!("dist/{} does not send the policy for /*", crate::csp::HEADERS_FILE);
    }
    Ok(())
}

/// The source list of `name` in a serialized policy.
fn directive(policy: &str, name: &str) -> Option<Vec<String>> {
    policy.split(';').find_map(|d| {
        let mut tokens = d.split_whitespace();
        (tokens.next()? == name).then(|| tokens.map(str::to_owned).collect())
    })
}

#[cfg(test)]
mod tests {
    use super::{count_before, test_result, Tally};

    /// A dist/ with Trunk-like output and the CSP files `cargo xtask build` writes.
    fn scratch_dist(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-csp-smoke-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let html = "<!doctype html><html lang=en><meta charset=utf-8><title>t</title><script type=module>\
                    import init, * as bindings from '/app.js';\nawait init({ module_or_path: '/app_bg.wasm' });\
                    </script><body></body></html>";
        std::fs::write(dir.join("index.html"), html).unwrap();
        let config = r#"{"app_id":"a","auth_url":"http://localhost:8081","api_url":"http://localhost:8082"}"#;
        crate::csp::write_into(&dir, config, "config.json", None).unwrap();
        dir
    }

    /// What `cargo xtask build` precompresses passes; a stale copy (the file changed after compressing) and a
    /// copy of `config.json` (which operators replace) fail.
    #[test]
    fn the_precompressed_check_refuses_stale_copies_and_a_config_copy() {
        let dist = scratch_dist("precompressed");
        let wasm: Vec<u8> = (0..20_000u32).flat_map(|n| (n % 251).to_le_bytes()).collect();
        std::fs::write(dist.join("app_bg.wasm"), &wasm).unwrap();
        std::fs::write(dist.join("app.js"), "export default function init() {}\n".repeat(50)).unwrap();
        std::fs::write(dist.join("config.json"), r#"{"app_id":"a"}"#).unwrap();
        crate::precompress::write_siblings(&dist).unwrap();
        super::check_precompressed(&dist).unwrap();
        assert!(!dist.join("config.json.br").exists());

        std::fs::write(dist.join("app.js"), "export default function init() { changed }\n".repeat(50)).unwrap();
        let err = super::check_precompressed(&dist).unwrap_err().to_string();
        assert!(err.contains("stale"), "{err}");
        crate::precompress::write_siblings(&dist).unwrap();
        super::check_precompressed(&dist).unwrap();

        std::fs::write(dist.join("config.json.br"), b"old").unwrap();
        let err = super::check_precompressed(&dist).unwrap_err().to_string();
        assert!(err.contains("config.json"), "{err}");
        let _ = std::fs::remove_dir_all(&dist);
    }

    #[test]
    fn the_csp_smoke_checks_pass_on_what_the_build_writes() {
        let dist = scratch_dist("ok");
        super::check_csp_meta(&dist).unwrap();
        super::check_csp_files(&dist).unwrap();
    }

    #[test]
    fn the_csp_smoke_check_fails_when_the_inline_script_is_not_the_hashed_one() {
        let dist = scratch_dist("tampered");
        let html = std::fs::read_to_string(dist.join("index.html")).unwrap();
        std::fs::write(dist.join("index.html"), html.replace("await init(", "await  init(")).unwrap();
        let err = super::check_csp_meta(&dist).unwrap_err().to_string();
        assert!(err.contains("the inline scripts hash to"), "{err}");
    }

    #[test]
    fn the_csp_smoke_check_fails_on_unsafe_inline_or_a_missing_meta() {
        let dist = scratch_dist("unsafe");
        let html = std::fs::read_to_string(dist.join("index.html")).unwrap();
        std::fs::write(dist.join("index.html"), html.replace("'wasm-unsafe-eval'", "'unsafe-inline'")).unwrap();
        assert!(super::check_csp_meta(&dist).is_err());
        std::fs::write(dist.join("index.html"), "<html><script>x()</script></html>").unwrap();
        assert!(super::check_csp_meta(&dist).unwrap_err().to_string().contains("no CSP meta"));
    }

    #[test]
    fn reads_libtest_summaries() {
        let ok = "ok. 12 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s";
        assert_eq!(count_before(ok, " passed"), 12);
        assert_eq!(count_before(ok, " failed"), 0);
        let bad = "FAILED. 3 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out";
        assert_eq!(count_before(bad, " passed"), 3);
        assert_eq!(count_before(bad, " failed"), 2);
    }

    #[test]
    fn ignored_and_filtered_out_tests_are_skipped_not_passed() {
        let line = "test result: ok. 40 passed; 0 failed; 1 ignored; 0 measured; 17 filtered out; finished in 2.31s";
        assert_eq!(test_result(line), Some(Tally { passed: 40, failed: 0, skipped: 18 }));
        // A binary whose every test was left out still reports them.
        let all_out = "test result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 12 filtered out; finished in 0.00s";
        assert_eq!(test_result(all_out), Some(Tally { passed: 0, failed: 0, skipped: 12 }));
        // wasm-bindgen-test-runner's line has no "measured" and is indented.
        let wasm = "  test result: FAILED. 9 passed; 2 failed; 0 ignored; 0 filtered out";
        assert_eq!(test_result(wasm), Some(Tally { passed: 9, failed: 2, skipped: 0 }));
        assert_eq!(test_result("test sqlite::result ... ok"), None);
        assert_eq!(test_result("running 3 tests"), None);
    }

    #[test]
    fn a_test_named_like_a_count_word_is_not_counted() {
        // Only the summary line counts: a test's own name or output that mentions "passed" does not.
        assert_eq!(test_result("test postgres::two_passed_one_failed ... ok"), None);
    }
}
