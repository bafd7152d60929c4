//! The SDK conformance stage (`tests/sdk/`): Passage's own Python SDK, `passage-identity` as pinned in
//! `tests/sdk/requirements.txt`, drives every SDK method against the auth-server debug binary.
//!
//! This module only prepares and counts: it makes a virtual environment under the target directory (git-ignored),
//! installs the pinned requirements from PyPI, builds the binary, runs pytest and reads the counts from pytest's
//! JUnit XML report. Starting the server is the suite's own job (`tests/sdk/conftest.py`), so a run by hand
//! (`target/sdk-venv/bin/python -m pytest tests/sdk`) behaves the same.

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context, Result};

/// Runs the suite and returns its tally; skipped tests are counted as skipped (never as passed) and announced. Fails when the
/// suite could not run at all (no Python, no report).
pub fn run() -> Result<crate::test::Tally> {
    let root = crate::root();
    let suite = root.join("tests/sdk");
    let requirements = suite.join("requirements.txt");
    if !requirements.is_file() {
        bail!("{} is missing", requirements.display());
    }
    let target_dir = crate::target_dir();
    let venv = target_dir.join("sdk-venv");
    let python = venv.join("bin/python");
    if !python.is_file() {
        if !crate::process::have("python3") {
            bail!("the SDK conformance test needs Python 3 with venv: apt-get install -y python3 python3-venv");
        }
        crate::process::run(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
    }
    // Cheap when everything is installed already; picks up a changed pin.
    crate::process::run(
        Command::new(&python)
            .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r"])
            .arg(&requirements),
    )?;
    // The suite starts this binary itself; building here keeps a stale binary from being tested.
    crate::process::run(Command::new("cargo").args(["build", "-p", "auth-server"]).current_dir(&root))?;

    let report = target_dir.join("sdk/results.xml");
    std::fs::create_dir_all(report.parent().expect("has a parent"))?;
    // A report left by an earlier run must never be counted as this run's.
    let _ = std::fs::remove_file(&report);
    let mut cmd = Command::new(&python);
    cmd.args(["-m", "pytest", "-p", "no:cacheprovider", "-rA", "--junitxml"])
        .arg(&report)
        .arg(&suite)
        .current_dir(&root)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("AUTH_SERVER_BIN", target_dir.join("debug/auth-server"));
    let shown = crate::process::describe(&cmd);
    eprintln!("xtask: $ {shown}");
    // A non-zero exit is expected when a test fails; the report says how many.
    let status = cmd.status().with_context(|| format!("could not start `{shown}`"))?;
    let counts = read_report(&report).with_context(|| format!("`{shown}` ({status})"))?;
    if counts.skipped > 0 {
        println!("SDK: {} TEST(S) SKIPPED (they did not run)", counts.skipped);
    }
    if counts.tests == 0 {
        bail!("`{shown}` ({status}) ran no test");
    }
    let failed = counts.failures + counts.errors;
    Ok(crate::test::Tally { passed: counts.tests - failed - counts.skipped, failed, skipped: counts.skipped })
}

#[derive(Debug, Default, PartialEq, Eq)]
struct Counts {
    tests: u64,
    failures: u64,
    errors: u64,
    skipped: u64,
}

fn read_report(report: &Path) -> Result<Counts> {
    let text = std::fs::read_to_string(report).with_context(|| format!("no report at {}", report.display()))?;
    parse_junit(&text).with_context(|| format!("reading {}", report.display()))
}

/// The counts of pytest's `<testsuite name="pytest" errors=".." failures=".." skipped=".." tests="..">`.
fn parse_junit(text: &str) -> Result<Counts> {
    let start = text.find("<testsuite ").context("no <testsuite> element")?;
    let tag = &text[start..start + text[start..].find('>').context("unterminated <testsuite>")?];
    let attribute = |name: &str| -> Result<u64> {
        let key = format!(" {name}=\"");
        let at = tag.find(&key).with_context(|| format!("no {name} attribute"))? + key.len();
        let value = &tag[at..at + tag[at..].find('"').context("unterminated attribute")?];
        value.parse().with_context(|| format!("{name}={value:?} is not a count"))
    };
    Ok(Counts {
        tests: attribute("tests")?,
        failures: attribute("failures")?,
        errors: attribute("errors")?,
        skipped: attribute("skipped")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_counts_of_a_pytest_report() {
        let report = r#"<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests"><testsuite name="pytest" errors="1" failures="2" skipped="3" tests="12" time="3.2" timestamp="2026-12-15T10:00:00" hostname="h"><testcase/></testsuite></testsuites>"#;
        assert_eq!(parse_junit(report).unwrap(), Counts { tests: 12, failures: 2, errors: 1, skipped: 3 });
    }

    #[test]
    fn refuses_a_report_without_counts() {
        assert!(parse_junit("<testsuites></testsuites>").is_err());
        assert!(parse_junit(r#"<testsuite name="pytest" tests="x" failures="0" errors="0" skipped="0">"#).is_err());
    }
}
