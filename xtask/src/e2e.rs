//! The end-to-end suite (`tests/e2e/`, Playwright): the SPA's release build in `dist`, served statically, with
//! the real auth-server and backend on ephemeral ports, in Debian's Chromium.
//!
//! This module only prepares and counts: it installs the suite's npm packages from the lockfile, builds the two
//! server binaries, runs `playwright test`, and reads the pass/fail numbers from Playwright's JSON report. Starting
//! and stopping the servers is the suite's own job (`tests/e2e/harness/`), so a run from `tests/e2e/` by hand
//! behaves the same.

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context, Result};

/// Which Playwright project of the suite to run (see tests/e2e/playwright.config.ts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Project {
    /// Every spec against one auth-server and one backend on SQLite.
    Single,
    /// The registrations, the login and the fleet spec through nginx to 2 + 2 instances on PostgreSQL and Redis.
    Fleet,
}

impl Project {
    fn name(self) -> &'static str {
        match self {
            Project::Single => "single",
            Project::Fleet => "fleet",
        }
    }

    /// The label of its summary lines (the stage's name in `cargo xtask test`).
    fn label(self) -> &'static str {
        match self {
            Project::Single => "e2e",
            Project::Fleet => "fleet",
        }
    }
}

/// Runs one project of the suite against `dist` and returns (passed, failed). Tests marked `fixme`/`skip` count as
/// neither; they are announced loudly. Fails when the suite could not run at all (no report, or errors outside
/// any test).
pub fn run(dist: &Path, project: Project) -> Result<crate::test::Tally> {
    let root = crate::root();
    let suite = root.join("tests/e2e");
    if !suite.join("package.json").is_file() {
        bail!("{} is missing", suite.join("package.json").display());
    }
    if !dist.join("index.html").is_file() {
        bail!("{} has no index.html: build the SPA first", dist.display());
    }
    // The suite reads the backend's SQLite file with Debian's `sqlite3` shell (see harness/backend-data.ts).
    if !crate::process::have("sqlite3") {
        bail!("the end-to-end suite needs the `sqlite3` command: apt-get install -y sqlite3");
    }
    crate::setup::ensure_npm_packages(&suite)?;

    // The suite starts these binaries itself; building here keeps a stale binary from being tested.
    crate::process::run(
        Command::new("cargo").args(["build", "-p", "auth-server", "-p", "backend"]).current_dir(&root),
    )?;
    let target_dir = crate::target_dir();

    if project == Project::Fleet {
        check_fleet_prerequisites()?;
    }
    let report = target_dir.join(format!("e2e/results-{}.json", project.name()));
    std::fs::create_dir_all(report.parent().expect("has a parent"))?;
    // A report left by an earlier run must never be counted as this run's.
    let _ = std::fs::remove_file(&report);

    let mut cmd = Command::new("npx");
    cmd.args(["--no-install", "playwright", "test", "--reporter=line,json", "--project", project.name()])
        .current_dir(&suite)
        .env("PLAYWRIGHT_JSON_OUTPUT_NAME", &report)
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        .env("E2E_DIST", std::path::absolute(dist)?)
        .env("E2E_BIN_DIR", target_dir.join("debug"))
        .env("E2E_DOCS_DIR", screenshots_dir(&root, &target_dir));
    if project == Project::Fleet {
        // The fleet's databases are made on the PostgreSQL the server tests use (TEST_DATABASE_URL, or the local
        // one); the harness falls back to the same default.
        if let Ok(crate::test_postgres::TestPostgres::Use { url, .. }) = crate::test_postgres::find() {
            cmd.env("E2E_POSTGRES_URL", url);
        }
    }
    let shown = crate::process::describe(&cmd);
    eprintln!("xtask: $ {shown}");
    // A non-zero exit is expected when a test fails; the report says how many.
    let status = cmd.status().with_context(|| format!("could not start `{shown}`"))?;

    let text = std::fs::read_to_string(&report)
        .with_context(|| format!("`{shown}` ({status}) wrote no report to {}", report.display()))?;
    let summary = Summary::parse(&text).with_context(|| format!("reading {}", report.display()))?;
    let label = project.label();
    println!(
        "{label}: {} passed, {} failed, {} flaky, {} skipped or fixme ({:.0} s)",
        summary.passed,
        summary.failed,
        summary.flaky,
        summary.skipped,
        summary.duration_ms / 1000.0
    );
    if summary.skipped > 0 {
        println!("{}: {} TEST(S) SKIPPED OR MARKED FIXME (they did not run):", label.to_uppercase(), summary.skipped);
        for line in &summary.not_run {
            println!("  {line}");
        }
    }
    for line in &summary.failures {
        println!("{label}: FAILED {line}");
    }
    if summary.failed > 0 || summary.flaky > 0 {
        println!(
            "{label}: screenshots, traces and server logs of failures are under {}",
            suite.join("test-results").display()
        );
    }
    if !summary.errors.is_empty() && summary.failed == 0 {
        bail!("the suite reported errors outside any test:\n{}", summary.errors.join("\n"));
    }
    if !status.success() && summary.failed == 0 && summary.flaky == 0 {
        bail!("`{shown}` failed ({status}) without a failed test in its report");
    }
    // Retries are off, so a flaky test failed once: count it as failed. Skipped and fixme tests did not run.
    Ok(crate::test::Tally { passed: summary.passed, failed: summary.failed + summary.flaky, skipped: summary.skipped })
}

/// The fleet runs on the machine's PostgreSQL (probed by `test_postgres`), its Redis and Debian's nginx. Each
/// missing one is named, so the stage (or `bench --only fleet`) fails with what to start or install rather than in the middle of a test.
pub fn check_fleet_prerequisites() -> Result<()> {
    use std::net::{SocketAddr, TcpStream};
    use std::time::Duration;
    let mut missing = Vec::new();
    if !crate::process::have("nginx") && !Path::new("/usr/sbin/nginx").exists() {
        missing.push("nginx (apt-get install -y nginx; `cargo xtask setup` does it as root)".to_owned());
    }
    if !crate::process::have("psql") {
        missing.push("psql (apt-get install -y postgresql-client)".to_owned());
    }
    let redis: SocketAddr = REDIS_ADDR.parse().expect("a socket address");
    if let Err(err) = TcpStream::connect_timeout(&redis, Duration::from_secs(2)) {
        missing.push(format!("Redis at {REDIS_ADDR} ({err}; `.ci/run` starts it, or `redis-server --daemonize yes`)"));
    }
    if let Ok(crate::test_postgres::TestPostgres::Absent { why }) = crate::test_postgres::find() {
        missing.push(format!("PostgreSQL: {why}"));
    }
    if !missing.is_empty() {
        bail!("the fleet stage needs: {}", missing.join("; "));
    }
    Ok(())
}

/// The project machines' Redis, which the fleet stage and the `redis::` server tests use.
pub const REDIS_ADDR: &str = "127.0.0.1:6379";

/// Where the suite writes the README's page screenshots: `target/e2e/screenshots/` by default, so a test run
/// leaves the work tree as it was; `E2E_DOCS_DIR=docs cargo xtask test --only e2e` refreshes the committed ones.
fn screenshots_dir(root: &Path, target_dir: &Path) -> std::path::PathBuf {
    match std::env::var_os("E2E_DOCS_DIR").map(std::path::PathBuf::from) {
        Some(dir) if dir.is_absolute() => dir,
        Some(dir) => root.join(dir),
        None => target_dir.join("e2e/screenshots"),
    }
}

/// The counts of Playwright's JSON report (`stats`), plus its top-level errors (global setup, config, a test file
/// that does not load).
#[derive(Debug, PartialEq)]
struct Summary {
    passed: u64,
    failed: u64,
    flaky: u64,
    skipped: u64,
    duration_ms: f64,
    errors: Vec<String>,
    /// "title: fixme: reason" for each test that was skipped.
    not_run: Vec<String>,
    /// Titles of the tests that failed.
    failures: Vec<String>,
}

impl Summary {
    fn parse(text: &str) -> Result<Self> {
        let json: serde_json::Value = serde_json::from_str(text).context("the report is not JSON")?;
        let stats = json.get("stats").context("the report has no `stats`")?;
        let count = |key: &str| -> Result<u64> {
            stats.get(key).and_then(serde_json::Value::as_u64).with_context(|| format!("`stats.{key}` is missing"))
        };
        let errors = json
            .get("errors")
            .and_then(serde_json::Value::as_array)
            .map(|errors| {
                errors
                    .iter()
                    .map(|e| e.get("message").and_then(|m| m.as_str()).map_or_else(|| e.to_string(), str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let mut tests = Vec::new();
        for suite in json.get("suites").and_then(serde_json::Value::as_array).into_iter().flatten() {
            collect_tests(suite, &mut tests);
        }
        Ok(Self {
            passed: count("expected")?,
            failed: count("unexpected")?,
            flaky: count("flaky")?,
            skipped: count("skipped")?,
            duration_ms: stats.get("duration").and_then(serde_json::Value::as_f64).unwrap_or(0.0),
            errors,
            not_run: tests.iter().filter(|t| t.status == "skipped").map(TestOutcome::skip_line).collect(),
            failures: tests
                .iter()
                .filter(|t| matches!(t.status.as_str(), "unexpected" | "flaky"))
                .map(|t| t.title.clone())
                .collect(),
        })
    }
}

/// One test of the report: its title, Playwright's verdict (`expected`, `unexpected`, `flaky`, `skipped`) and its
/// annotations (`fixme`/`skip` carry the reason).
struct TestOutcome {
    title: String,
    status: String,
    reasons: Vec<String>,
}

impl TestOutcome {
    fn skip_line(&self) -> String {
        if self.reasons.is_empty() {
            format!("{}: skipped", self.title)
        } else {
            format!("{}: {}", self.title, self.reasons.join("; "))
        }
    }
}

/// Every test in the report's nested suites (files, then `describe` blocks).
fn collect_tests(suite: &serde_json::Value, out: &mut Vec<TestOutcome>) {
    let list = |key: &str| suite.get(key).and_then(serde_json::Value::as_array).cloned().unwrap_or_default();
    for spec in list("specs") {
        let title = spec.get("title").and_then(|t| t.as_str()).unwrap_or("?").to_owned();
        for test in spec.get("tests").and_then(serde_json::Value::as_array).into_iter().flatten() {
            let reasons = test
                .get("annotations")
                .and_then(serde_json::Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|a| {
                    let kind = a.get("type")?.as_str()?;
                    matches!(kind, "fixme" | "skip").then(|| {
                        format!(
                            "{kind}: {}",
                            a.get("description").and_then(|d| d.as_str()).unwrap_or("(no reason given)")
                        )
                    })
                })
                .collect();
            let status = test.get("status").and_then(|s| s.as_str()).unwrap_or("?").to_owned();
            out.push(TestOutcome { title: title.clone(), status, reasons });
        }
    }
    for child in list("suites") {
        collect_tests(&child, out);
    }
}

#[cfg(test)]
mod tests {
    use super::Summary;

    #[test]
    fn reads_the_counts_of_a_report() {
        let text = r#"{"config":{},"suites":[],"errors":[],
            "stats":{"startTime":"2026-11-29T13:00:00.000Z","duration":51234.5,"expected":7,"skipped":3,"unexpected":1,"flaky":0}}"#;
        let summary = Summary::parse(text).unwrap();
        assert_eq!((summary.passed, summary.failed, summary.flaky, summary.skipped), (7, 1, 0, 3));
        assert!(summary.errors.is_empty());
        assert_eq!(summary.duration_ms, 51234.5);
    }

    #[test]
    fn lists_skipped_and_failed_tests_with_reasons() {
        let text = r#"{"errors":[],"stats":{"duration":1,"expected":1,"skipped":1,"unexpected":1,"flaky":0},
            "suites":[{"title":"a.spec.ts","specs":[
                {"title":"a: works","tests":[{"status":"expected","annotations":[]}]},
                {"title":"f: breaks","tests":[{"status":"unexpected","annotations":[]}]}],
              "suites":[{"title":"b group","specs":[
                {"title":"b: later","tests":[{"status":"skipped",
                  "annotations":[{"type":"fixme","description":"the auth server answers 404 for /register/otp"}]}]}]}]}]}"#;
        let summary = Summary::parse(text).unwrap();
        assert_eq!(summary.not_run, vec!["b: later: fixme: the auth server answers 404 for /register/otp".to_owned()]);
        assert_eq!(summary.failures, vec!["f: breaks".to_owned()]);
    }

    #[test]
    fn keeps_errors_outside_tests() {
        let text = r#"{"errors":[{"message":"Error: E2E_DIST has no index.html"}],
            "stats":{"duration":10,"expected":0,"skipped":0,"unexpected":0,"flaky":0}}"#;
        let summary = Summary::parse(text).unwrap();
        assert_eq!(summary.errors, vec!["Error: E2E_DIST has no index.html".to_owned()]);
    }

    #[test]
    fn refuses_a_report_without_counts() {
        assert!(Summary::parse("{}").is_err());
        assert!(Summary::parse(r#"{"stats":{"expected":1}}"#).is_err());
        assert!(Summary::parse("not json").is_err());
    }
}
