//! `cargo xtask vendor`: the real `@passageidentity/passage-elements` from npm, verified, patched and minified
//! into `vendor/passage-elements/` (git-ignored), which Trunk copies into `dist/`.
//!
//! Output: `passage-register.js` and `passage-login.js` (ES modules, one per element, so a page loads only its
//! own element) plus shared `chunks/`, and the package's MIT licence.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use base64::Engine;
use sha2::{Digest, Sha512};

use crate::process::run as run_cmd;

const PACKAGE: &str = "@passageidentity/passage-elements";
const VERSION: &str = "2.0.9";
/// npm's `dist.integrity` for 2.0.9. A tarball that does not match is refused: it is not the code we reviewed.
const INTEGRITY: &str =
    "sha512-WlnZoGt59bqtvuPYoNiMN0TTkhEWejIBI/Qd4Hv+Hh7/hLWvslFmqZ6BDXaTWm7zdppRUUezpexddzhxEEEFQQ==";
/// Bump when the patches or the bundling options change, so `ensure` re-vendors stale output.
const RECIPE_REVISION: u32 = 1;

/// A source edit of the shipped ESM build (spec §6.3). `find` must occur exactly once: if a new version moves
/// or changes the code, vendoring fails instead of shipping an element that still talks to Passage's hosts.
struct Patch {
    file: &'static str,
    why: &'static str,
    find: &'static str,
    replace: &'static str,
}

const PATCHES: &[Patch] = &[
    Patch {
        file: "customElements.es3.js",
        why: "API base URL: read globalThis.PASSAGE_AUTH_ORIGIN when the element creates its Passage instance",
        find: r#"const Dv = { URL: "https://auth.passage.id", "#,
        replace: r#"const Dv = { get URL() { return String(globalThis.PASSAGE_AUTH_ORIGIN || "https://auth.passage.id").replace(/\/+$/, ""); }, "#,
    },
    Patch {
        file: "customElements.es3.js",
        why: "telemetry constant: never used by the elements, blanked so no Passage host remains in the bundle",
        find: r#"CAPTURE_EVENT_URL: "https://us-central1-passage-prod.cloudfunctions.net/capture-event""#,
        replace: r#"CAPTURE_EVENT_URL: """#,
    },
    Patch {
        file: "customElements.es.js",
        why: "UI text: fetch locale files from globalThis.PASSAGE_LOCALES_URL (our auth server) instead of Passage's bucket",
        find: "const url = `${baseURL}/${localeVersion}/${locale.toLowerCase()}.json`;",
        replace: "const url = `${String(globalThis.PASSAGE_LOCALES_URL || baseURL).replace(/\\/+$/, \"\")}/${localeVersion}/${locale.toLowerCase()}.json`;",
    },
];

/// Strings that must be in the output, proving the patches survived bundling and minification.
pub const PATCH_MARKERS: &[&str] = &["PASSAGE_AUTH_ORIGIN", "PASSAGE_LOCALES_URL"];

pub fn out_dir() -> PathBuf {
    crate::root().join("vendor/passage-elements")
}

fn stamp_path() -> PathBuf {
    crate::root().join("vendor/passage-elements.stamp")
}

fn expected_stamp() -> String {
    format!("{PACKAGE}@{VERSION} {INTEGRITY} recipe {RECIPE_REVISION}\n")
}

/// Vendors unless the output is already there for this version and recipe.
pub fn ensure() -> Result<()> {
    let current = fs::read_to_string(stamp_path()).unwrap_or_default();
    if current == expected_stamp() && out_dir().join("passage-register.js").exists() {
        return Ok(());
    }
    run()
}

pub fn run() -> Result<()> {
    let root = crate::root();
    let work = root.join("target/xtask/vendor");
    if work.exists() {
        fs::remove_dir_all(&work)?;
    }
    fs::create_dir_all(&work)?;

    // 1. Fetch through the ordinary npm client (its registry configuration, proxy and cache apply).
    run_cmd(
        Command::new("npm")
            .args(["pack", &format!("{PACKAGE}@{VERSION}"), "--silent", "--pack-destination"])
            .arg(&work)
            .current_dir(&work),
    )?;
    let tarball = fs::read_dir(&work)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "tgz"))
        .context("npm pack wrote no .tgz")?;

    // 2. Verify before anything reads its contents.
    let bytes = fs::read(&tarball)?;
    let actual = format!("sha512-{}", base64::engine::general_purpose::STANDARD.encode(Sha512::digest(&bytes)));
    if actual != INTEGRITY {
        bail!("{} does not match the pinned integrity\n  expected {INTEGRITY}\n  got      {actual}", tarball.display());
    }

    // 3. Unpack and patch.
    let extracted = work.join("extracted");
    tar::Archive::new(flate2::read::GzDecoder::new(bytes.as_slice())).unpack(&extracted)?;
    let pkg = extracted.join("package/dist/package");
    for patch in PATCHES {
        apply(&pkg, patch)?;
    }

    // 4. Bundle one ES module per element with shared chunks, minified.
    let tools = root.join("xtask/npm");
    crate::setup::ensure_npm_packages(&tools)?;
    let out = out_dir();
    if out.exists() {
        fs::remove_dir_all(&out)?;
    }
    run_cmd(
        Command::new(tools.join("node_modules/.bin/esbuild"))
            .args([
                "passage-register/index.es.js",
                "passage-login/index.es.js",
                "--bundle",
                "--splitting",
                "--format=esm",
                "--minify",
                "--target=es2020",
                "--legal-comments=none",
                "--log-level=error",
                "--outbase=.",
                "--entry-names=[dir]",
                "--chunk-names=chunks/[name]-[hash]",
            ])
            .arg(format!("--outdir={}", out.display()))
            .current_dir(&pkg),
    )?;
    fs::copy(extracted.join("package/LICENSE"), out.join("LICENSE.txt"))
        .context("copying the package's MIT licence")?;

    verify_output(&out)?;
    fs::write(stamp_path(), expected_stamp())?;
    eprintln!("xtask: vendored {PACKAGE}@{VERSION} into {}", out.display());
    Ok(())
}

fn apply(pkg: &Path, patch: &Patch) -> Result<()> {
    let path = pkg.join(patch.file);
    let source = fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let found = source.matches(patch.find).count();
    if found != 1 {
        bail!(
            "patch site for \"{}\" found {found} times in {} (expected exactly once); the element's code changed, \
             so review the patch before shipping this version.\n  looked for: {}",
            patch.why,
            patch.file,
            patch.find
        );
    }
    fs::write(&path, source.replacen(patch.find, patch.replace, 1))?;
    Ok(())
}

/// The entry files exist and, taken with their chunks, carry the patched globals and no Passage API host.
fn verify_output(out: &Path) -> Result<()> {
    let mut all = String::new();
    for entry in ["passage-register.js", "passage-login.js"] {
        all.push_str(&fs::read_to_string(out.join(entry)).with_context(|| format!("{entry} was not produced"))?);
    }
    for chunk in fs::read_dir(out.join("chunks"))? {
        all.push_str(&fs::read_to_string(chunk?.path())?);
    }
    for marker in PATCH_MARKERS {
        if !all.contains(marker) {
            bail!("vendored output lacks {marker}: a patch was lost in bundling");
        }
    }
    // The API host and the locale bucket stay only as fallbacks behind the globals; telemetry goes entirely.
    if all.contains("cloudfunctions.net") {
        bail!("vendored output still contains Passage's telemetry URL");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str, content: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-vendor-{name}-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("f.js"), content).unwrap();
        dir
    }

    const PATCH: Patch = Patch { file: "f.js", why: "test", find: "const A = 1;", replace: "const A = 2;" };

    #[test]
    fn a_patch_applies_exactly_once() {
        let dir = scratch("once", "x; const A = 1; y;");
        apply(&dir, &PATCH).unwrap();
        assert_eq!(fs::read_to_string(dir.join("f.js")).unwrap(), "x; const A = 2; y;");
    }

    #[test]
    fn a_missing_or_repeated_patch_site_fails_loudly() {
        let missing = scratch("missing", "const A = 3;");
        let err = apply(&missing, &PATCH).unwrap_err().to_string();
        assert!(err.contains("found 0 times") && err.contains("f.js"), "{err}");
        let twice = scratch("twice", "const A = 1; const A = 1;");
        assert!(apply(&twice, &PATCH).unwrap_err().to_string().contains("found 2 times"));
        // Nothing was written when the patch was refused.
        assert_eq!(fs::read_to_string(twice.join("f.js")).unwrap(), "const A = 1; const A = 1;");
    }

    #[test]
    fn every_patch_targets_the_esm_build() {
        for patch in PATCHES {
            assert!(patch.file.starts_with("customElements.es"), "{}", patch.file);
            assert_ne!(patch.find, patch.replace);
        }
    }
}
