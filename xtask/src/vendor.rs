//! `cargo xtask vendor`: the real `@passageidentity/passage-elements` from npm, verified, patched and minified
//! into `vendor/passage-elements/` (git-ignored), which Trunk copies into `dist/`.
//!
//! Output: one ES module per element of [`ELEMENTS`] (`passage-register.js`, `passage-login.js`,
//! `passage-profile.js`, so a page loads only its own element) plus shared `chunks/`, and the package's MIT licence.

use std::collections::BTreeSet;
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
const RECIPE_REVISION: u32 = 4;

/// The phone input's stylesheet, which the elements append to their shadow roots. They linked it from a public CDN
/// on every view (a third party learning of each visit, and a failed request offline); it is vendored beside the
/// elements instead, from the same npm package and version the elements depend on.
const INTL_TEL_INPUT: &str = "intl-tel-input";
const INTL_TEL_INPUT_VERSION: &str = "24.3.4";
/// npm's `dist.integrity` for intl-tel-input 24.3.4.
const INTL_TEL_INPUT_INTEGRITY: &str =
    "sha512-M4DpQuwlZlYaOb6yfb0rI46NEswG19/fomySqAMqmB8GKV6zrBXPWuHJPocRXExdAc3KL3EBtujCOWovxjbl7Q==";
/// Where the stylesheet lands, relative to [`out_dir`] (the patched elements build this path on
/// `PASSAGE_ELEMENTS_URL`).
pub const INTL_TEL_INPUT_CSS: &str = "intl-tel-input/intlTelInput.css";
const CDN_STYLESHEET: &str = "https://cdn.jsdelivr.net/npm/intl-tel-input@24.3.4/build/css/intlTelInput.css";

/// The vendored elements by tag. The package's entry of each is `{tag}/index.es.js`; the output is
/// [`module_file`]`(tag)`. Everything that lists the shipped files (the smoke test, the size bench) reads this.
pub const ELEMENTS: &[&str] = &["passage-register", "passage-login", "passage-profile"];

/// The vendored module of an element, relative to [`out_dir`] (esbuild's `--entry-names=[dir]`).
pub fn module_file(tag: &str) -> String {
    format!("{tag}.js")
}

/// An element's entry in the npm package (relative to [`patched_package_dir`]).
pub fn package_entry(tag: &str) -> String {
    format!("{tag}/index.es.js")
}

/// A source edit of the shipped ESM build (spec §6.3). `find` must occur exactly once: if a new version moves
/// or changes the code, vendoring fails instead of shipping an element that still talks to Passage's hosts.
struct Patch {
    file: &'static str,
    why: &'static str,
    find: &'static str,
    replace: &'static str,
}

const STYLESHEET_LINK: &str =
    r#"link.href = "https://cdn.jsdelivr.net/npm/intl-tel-input@24.3.4/build/css/intlTelInput.css";"#;
const STYLESHEET_LINK_PATCHED: &str = r#"link.href = String(globalThis.PASSAGE_ELEMENTS_URL || ".").replace(/\/+$/, "") + "/intl-tel-input/intlTelInput.css";"#;

const PATCHES: &[Patch] = &[
    Patch {
        file: "customElements.es.js",
        why: "phone-input stylesheet: from beside the elements (globalThis.PASSAGE_ELEMENTS_URL), not from a public CDN",
        find: STYLESHEET_LINK,
        replace: STYLESHEET_LINK_PATCHED,
    },
    Patch {
        file: "customElements.es2.js",
        why: "phone-input stylesheet, second copy (the profile element's setup)",
        find: STYLESHEET_LINK,
        replace: STYLESHEET_LINK_PATCHED,
    },
    Patch {
        file: "customElements.es3.js",
        why: "API base URL: read globalThis.PASSAGE_AUTH_ORIGIN when the element creates its Passage instance",
        find: r#"const Dv = { URL: "https://auth.passage.id", "#,
        replace: r#"const Dv = { get URL() { return String(globalThis.PASSAGE_AUTH_ORIGIN || "https://auth.passage.id").replace(/\/+$/, ""); }, "#,
    },
    Patch {
        file: "customElements.es3.js",
        why: "the generated client's default base (unused: the elements always pass a basePath), behind the same \
              global so that no bare Passage API URL is left in the bundle",
        find: r#"i_ = "https://auth.passage.id/v1".replace(/\/+$/, "");"#,
        replace: r#"i_ = String(globalThis.PASSAGE_AUTH_ORIGIN || "https://auth.passage.id").replace(/\/+$/, "") + "/v1";"#,
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

/// The elements' stylesheets align labels, errors and messages with `text-align:left`, so in a right-to-left page
/// (Arabic) the element's label sits on the left while everything else is on the right, and no `::part` reaches
/// those rules. `start` is `left` in a left-to-right page, so nothing changes there. Each site must occur exactly
/// once in each element's entry module (the stylesheet is inlined there); the output check then refuses any
/// `text-align:left` that a new version adds.
const TEXT_ALIGN_SITES: &[&str] = &[
    "- 15%);text-align:left;margin-bottom:16px}",
    ".passage-table-header-cell{font-weight:700;text-align:left;",
    "margin-bottom:8px!important;width:100%;text-align:left}",
    "var(--passage-error-color-default));text-align:left}",
    "- 20%);text-align:left;min-height:14px;",
];

/// Strings that must be in the output, proving the patches survived bundling and minification.
pub const PATCH_MARKERS: &[&str] = &["PASSAGE_AUTH_ORIGIN", "PASSAGE_LOCALES_URL", "PASSAGE_ELEMENTS_URL"];

pub fn out_dir() -> PathBuf {
    crate::root().join("vendor/passage-elements")
}

/// The npm package's own ES modules after the patches, before bundling: what the first-paint bench serves as the
/// seed-style page's element (unminified, as the page the SPA replaced loaded it). Left by [`run`].
pub fn patched_package_dir() -> PathBuf {
    work_dir().join("extracted/package/dist/package")
}

fn work_dir() -> PathBuf {
    crate::root().join("target/xtask/vendor")
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
    let complete = ELEMENTS.iter().all(|tag| out_dir().join(module_file(tag)).exists());
    if current == expected_stamp() && complete {
        return Ok(());
    }
    run()
}

pub fn run() -> Result<()> {
    let root = crate::root();
    let work = work_dir();
    if work.exists() {
        fs::remove_dir_all(&work)?;
    }
    fs::create_dir_all(&work)?;

    // 1–2. Fetch through the ordinary npm client and verify before anything reads the contents.
    let bytes = fetch_verified(&work, PACKAGE, VERSION, INTEGRITY)?;
    // 3. Unpack and patch.
    let extracted = work.join("extracted");
    tar::Archive::new(flate2::read::GzDecoder::new(bytes.as_slice())).unpack(&extracted)?;
    let pkg = extracted.join("package/dist/package");
    for patch in PATCHES {
        apply(&pkg, patch)?;
    }
    for tag in ELEMENTS {
        for site in TEXT_ALIGN_SITES {
            let why = "right-to-left pages: the element's text aligns to the start, not the left";
            let start_aligned = site.replace("text-align:left", "text-align:start");
            replace_once(&pkg.join(package_entry(tag)), why, site, &start_aligned)?;
        }
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
            .args(ELEMENTS.iter().map(|tag| package_entry(tag)))
            .args([
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
    vendor_stylesheet(&work, &out)?;

    verify_output(&out)?;
    fs::write(stamp_path(), expected_stamp())?;
    eprintln!("xtask: vendored {PACKAGE}@{VERSION} into {}", out.display());
    Ok(())
}

/// `npm pack name@version` into `work`, refused unless its sha512 is `integrity` (not the code we reviewed).
fn fetch_verified(work: &Path, name: &str, version: &str, integrity: &str) -> Result<Vec<u8>> {
    let dest = work.join(format!("pack-{}", name.replace(['/', '@'], "_")));
    fs::create_dir_all(&dest)?;
    run_cmd(
        Command::new("npm")
            .args(["pack", &format!("{name}@{version}"), "--silent", "--pack-destination"])
            .arg(&dest)
            .current_dir(&dest),
    )?;
    let tarball = fs::read_dir(&dest)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "tgz"))
        .context("npm pack wrote no .tgz")?;
    let bytes = fs::read(&tarball)?;
    let actual = format!("sha512-{}", base64::engine::general_purpose::STANDARD.encode(Sha512::digest(&bytes)));
    if actual != integrity {
        bail!("{} does not match the pinned integrity\n  expected {integrity}\n  got      {actual}", tarball.display());
    }
    Ok(bytes)
}

/// intl-tel-input's stylesheet and licence into `out/intl-tel-input/`. Its flag images are not copied: the
/// elements point them at their own URLs through CSS variables, and only a phone input shows them.
fn vendor_stylesheet(work: &Path, out: &Path) -> Result<()> {
    let bytes = fetch_verified(work, INTL_TEL_INPUT, INTL_TEL_INPUT_VERSION, INTL_TEL_INPUT_INTEGRITY)?;
    let extracted = work.join("extracted-intl-tel-input");
    tar::Archive::new(flate2::read::GzDecoder::new(bytes.as_slice())).unpack(&extracted)?;
    let target = out.join(INTL_TEL_INPUT_CSS);
    fs::create_dir_all(target.parent().expect("a folder"))?;
    fs::copy(extracted.join("package/build/css/intlTelInput.min.css"), &target)
        .or_else(|_| fs::copy(extracted.join("package/build/css/intlTelInput.css"), &target))
        .context("copying intl-tel-input's stylesheet")?;
    fs::copy(extracted.join("package/LICENSE"), target.with_file_name("LICENSE.txt"))
        .context("copying intl-tel-input's MIT licence")?;
    Ok(())
}

fn apply(pkg: &Path, patch: &Patch) -> Result<()> {
    replace_once(&pkg.join(patch.file), patch.why, patch.find, patch.replace)
}

/// Replaces `find` in `path` by `replace`, failing unless it occurs exactly once (`why` names the patch).
fn replace_once(path: &Path, why: &str, find: &str, replace: &str) -> Result<()> {
    let source = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let found = source.matches(find).count();
    if found != 1 {
        bail!(
            "patch site for \"{}\" found {found} times in {} (expected exactly once); the element's code changed, \
             so review the patch before shipping this version.\n  looked for: {}",
            why,
            path.display(),
            find
        );
    }
    fs::write(path, source.replacen(find, replace, 1))?;
    Ok(())
}

/// Every element's module exists and, taken with the chunks it imports, carries the patched globals and no
/// Passage URL the element could request. Also run on `dist/` by the build smoke test.
pub fn verify_output(out: &Path) -> Result<()> {
    if !out.join(INTL_TEL_INPUT_CSS).is_file() {
        bail!("{INTL_TEL_INPUT_CSS} was not produced in {}", out.display());
    }
    for tag in ELEMENTS {
        let module = module_file(tag);
        if !out.join(&module).is_file() {
            bail!("{module} was not produced in {}", out.display());
        }
        let mut code = String::new();
        for file in import_closure(out, &module)? {
            code.push_str(&fs::read_to_string(out.join(&file)).with_context(|| format!("reading {file}"))?);
        }
        check_element_code(&code).with_context(|| format!("{module} with the chunks it imports"))?;
    }
    Ok(())
}

/// Where the bundle may still name a Passage URL. The API host only as the fallback behind the patched global;
/// the locale bucket only as the one constant the patched loader falls back to; the rest are a link and an error
/// text, never requested.
const PASSAGE_API: &str = "https://auth.passage.id";
const API_FALLBACK_PREFIX: &str = r#"PASSAGE_AUTH_ORIGIN||""#;
const LOCALE_BUCKET: &str = "https://storage.googleapis.com/passage-frontend/";
const PASSAGE_LINKS: &[&str] = &["https://docs.passage.id", "https://passage.1password.com/"];

/// The checks of [`verify_output`] on the code one element loads.
fn check_element_code(code: &str) -> Result<()> {
    for marker in PATCH_MARKERS {
        if !code.contains(marker) {
            bail!("lacks {marker}: a patch was lost in bundling");
        }
    }
    if code.contains(CDN_STYLESHEET) {
        bail!("still links {CDN_STYLESHEET}: the stylesheet patch was lost");
    }
    if let Some(at) = code.find("text-align:left") {
        bail!("aligns text to the left, wrong in right-to-left pages (see TEXT_ALIGN_SITES): `{}`", excerpt(code, at));
    }
    for (at, _) in code.match_indices(PASSAGE_API) {
        if !code[..at].ends_with(API_FALLBACK_PREFIX) {
            bail!("names {PASSAGE_API} outside the PASSAGE_AUTH_ORIGIN fallback: `{}`", excerpt(code, at));
        }
    }
    if code.matches(LOCALE_BUCKET).count() > 1 || !code.contains("PASSAGE_LOCALES_URL||") {
        bail!("uses Passage's locale bucket {LOCALE_BUCKET} other than as the PASSAGE_LOCALES_URL fallback");
    }
    // A URL of another Passage host (or one a new version adds) fails until it is reviewed and listed above.
    for (at, _) in code.match_indices("://") {
        let url_start = code[..at].rfind(|c: char| !c.is_ascii_alphabetic()).map_or(0, |i| i + 1);
        let url: String =
            code[url_start..].chars().take_while(|c| !matches!(c, '"' | '\'' | '`' | ' ' | ')' | '$')).collect();
        let known = url.starts_with(PASSAGE_API)
            || url.starts_with(LOCALE_BUCKET)
            || PASSAGE_LINKS.iter().any(|link| url.starts_with(link));
        if url.contains("passage") && !known {
            bail!("names a Passage URL the patches do not cover: {url}");
        }
    }
    Ok(())
}

/// Up to 40 bytes either side of `at`, on character boundaries, for an error message.
fn excerpt(code: &str, at: usize) -> &str {
    let mut start = at.saturating_sub(40);
    while !code.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (at + 40).min(code.len());
    while !code.is_char_boundary(end) {
        end += 1;
    }
    &code[start..end]
}

/// The files a page loads for the module `entry` (relative to `dir`): it and, transitively, every chunk it
/// imports, statically or dynamically. Paths relative to `dir`, `/`-separated.
pub fn import_closure(dir: &Path, entry: &str) -> Result<BTreeSet<String>> {
    let mut seen = BTreeSet::new();
    let mut todo = vec![entry.to_owned()];
    while let Some(rel) = todo.pop() {
        if !seen.insert(rel.clone()) {
            continue;
        }
        let text = fs::read_to_string(dir.join(&rel)).with_context(|| format!("reading {rel}"))?;
        let here = Path::new(&rel).parent().map(Path::to_path_buf).unwrap_or_default();
        // esbuild writes imports as `from"./chunks/x.js"`, `import"./x.js"` or `import("./x.js")` (minified).
        for quoted in text.split('"').skip(1).step_by(2) {
            if (quoted.starts_with("./") || quoted.starts_with("../")) && quoted.ends_with(".js") {
                todo.push(normalize(&here.join(quoted)));
            }
        }
    }
    Ok(seen)
}

fn normalize(path: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    for component in path.components() {
        match component {
            std::path::Component::ParentDir => {
                parts.pop();
            }
            std::path::Component::CurDir => {}
            other => parts.push(other.as_os_str().to_string_lossy().into_owned()),
        }
    }
    parts.join("/")
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

    /// What the patched, minified bundle looks like where it names Passage URLs.
    const PATCHED: &str = concat!(
        r#"const Dv={get URL(){return String(globalThis.PASSAGE_AUTH_ORIGIN||"https://auth.passage.id")}};"#,
        r#"i_=String(globalThis.PASSAGE_AUTH_ORIGIN||"https://auth.passage.id").replace(/\/+$/,"")+"/v1";"#,
        r#"const b="https://storage.googleapis.com/passage-frontend/locales/passage-auth";"#,
        r#"u=`${String(globalThis.PASSAGE_LOCALES_URL||b)}/v2/en.json`;"#,
        r#"m="See https://docs.passage.id";l={href:"https://passage.1password.com/"};x="https://lodash.com/";"#,
        r#"k.href=String(globalThis.PASSAGE_ELEMENTS_URL||".").replace(/\/+$/,"")+"/intl-tel-input/intlTelInput.css""#,
    );

    #[test]
    fn a_stylesheet_from_the_cdn_fails_the_check() {
        let code = format!(r#"{PATCHED};k.href="{CDN_STYLESHEET}""#);
        let error = check_element_code(&code).unwrap_err().to_string();
        assert!(error.contains("cdn.jsdelivr.net"), "{error}");
    }

    #[test]
    fn patched_element_code_passes() {
        check_element_code(PATCHED).unwrap();
    }

    #[test]
    fn an_uncovered_passage_url_fails() {
        for (unpatched, expected) in [
            // The API host as a plain constant again (a lost patch, or a new use in a new version).
            (r#"const Dv={URL:"https://auth.passage.id"};"#, "outside the PASSAGE_AUTH_ORIGIN fallback"),
            (r#"fetch("https://auth.passage.id/v1/apps")"#, "outside the PASSAGE_AUTH_ORIGIN fallback"),
            (r#"c="https://us-central1-passage-prod.cloudfunctions.net/capture-event""#, "Passage URL"),
            (r#"c="https://cdn.passage.id/x.js""#, "https://cdn.passage.id/x.js"),
            (r#"c="https://storage.googleapis.com/passage-frontend/other""#, "locale bucket"),
            // A stylesheet rule a new version adds that would stay left in a right-to-left page.
            (r#"c=".x{color:red;text-align:left}""#, "right-to-left"),
        ] {
            let code = format!("{PATCHED};{unpatched}");
            let err = format!("{:#}", check_element_code(&code).unwrap_err());
            assert!(err.contains(expected), "{unpatched}: {err}");
        }
        let unmarked = PATCHED.replace("PASSAGE_LOCALES_URL", "X");
        assert!(check_element_code(&unmarked).unwrap_err().to_string().contains("lacks PASSAGE_LOCALES_URL"));
    }

    #[test]
    fn the_import_closure_follows_static_and_dynamic_imports_only() {
        let dir = std::env::temp_dir().join(format!("xtask-vendor-closure-{}", std::process::id()));
        fs::create_dir_all(dir.join("chunks")).unwrap();
        fs::write(dir.join("passage-profile.js"), r#"import{a}from"./chunks/a.js";import("./chunks/b.js");"#).unwrap();
        fs::write(dir.join("chunks/a.js"), r#"import"./c.js";const s="not/./a.js";"#).unwrap();
        fs::write(dir.join("chunks/b.js"), "").unwrap();
        fs::write(dir.join("chunks/c.js"), r#"import"./a.js";"#).unwrap();
        fs::write(dir.join("chunks/unrelated.js"), "").unwrap();
        let closure = import_closure(&dir, "passage-profile.js").unwrap();
        assert_eq!(
            closure.into_iter().collect::<Vec<_>>(),
            ["chunks/a.js", "chunks/b.js", "chunks/c.js", "passage-profile.js"]
        );
        // A module that is not there is an error, not a smaller closure.
        fs::remove_file(dir.join("chunks/b.js")).unwrap();
        assert!(import_closure(&dir, "passage-profile.js").is_err());
    }

    #[test]
    fn every_element_is_an_entry_with_its_own_module() {
        assert!(ELEMENTS.contains(&"passage-profile"));
        assert_eq!(package_entry("passage-profile"), "passage-profile/index.es.js");
        assert_eq!(module_file("passage-profile"), "passage-profile.js");
    }

    #[test]
    fn text_align_sites_are_left_aligned_rules_made_start_aligned() {
        for site in TEXT_ALIGN_SITES {
            assert_eq!(site.matches("text-align:left").count(), 1, "{site}");
        }
    }

    #[test]
    fn every_patch_targets_the_esm_build() {
        for patch in PATCHES {
            assert!(patch.file.starts_with("customElements.es"), "{}", patch.file);
            assert_ne!(patch.find, patch.replace);
        }
    }
}
