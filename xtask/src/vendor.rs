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
const RECIPE_REVISION: u32 = 6;

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
pub const INTL_TEL_INPUT_CSS: &str = "intl-tel-input/css/intlTelInput.css";
/// The phone input's number rules (libphonenumber, an ES module the input `import()`s once it shows), beside the
/// stylesheet for the same reason: the elements named it on the same CDN.
pub const INTL_TEL_INPUT_UTILS: &str = "intl-tel-input/utils.js";
/// The public CDN the elements linked the phone input's files from; no element code may name it.
const CDN: &str = "https://cdn.jsdelivr.net/";
/// The phone input's images (country flags, a globe), which each element's stylesheet pointed at the CDN through
/// `--iti-path-*` variables. Vendored into `intl-tel-input/img/`, where intl-tel-input's own stylesheet (in
/// `intl-tel-input/css/`) points them, as `../img/…`: see [`phone_input_images`] and [`vendor_phone_input_files`].
const INTL_TEL_INPUT_IMAGES: &[&str] = &["flags.webp", "flags@2x.webp", "globe.webp", "globe@2x.webp"];

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
const STYLESHEET_LINK_PATCHED: &str = r#"link.href = String(globalThis.PASSAGE_ELEMENTS_URL || ".").replace(/\/+$/, "") + "/intl-tel-input/css/intlTelInput.css";"#;

const UTILS_SCRIPT: &str = r#"utilsScript: "https://cdn.jsdelivr.net/npm/intl-tel-input@24.3.4/build/js/utils.js","#;
const UTILS_SCRIPT_PATCHED: &str =
    r#"utilsScript: String(globalThis.PASSAGE_ELEMENTS_URL || ".").replace(/\/+$/, "") + "/intl-tel-input/utils.js","#;

const PATCHES: &[Patch] = &[
    Patch {
        file: "customElements.es2.js",
        why: "phone-input number rules: from beside the elements, not from a public CDN (the identifier input)",
        find: UTILS_SCRIPT,
        replace: UTILS_SCRIPT_PATCHED,
    },
    Patch {
        file: "customElements.es5.js",
        why: "phone-input number rules, second use (a phone field of the registration form's user metadata)",
        find: UTILS_SCRIPT,
        replace: UTILS_SCRIPT_PATCHED,
    },
    Patch {
        file: "passage-profile/index.es.js",
        why: "phone-input number rules, third use (the profile element's phone number)",
        find: UTILS_SCRIPT,
        replace: UTILS_SCRIPT_PATCHED,
    },
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

/// On the trimmed copy (see [`trim`]): the seed-style page of the first-paint bench keeps the package's behaviour.
const LOCALE_REQUESTS_SHARED: Patch = Patch {
    file: "customElements.es.js",
    why: "UI text: one request per locale file at a time. The element fetches its language's file, and the app's \
          default language's once app info arrives; when they are the same file and the first request is still \
          on its way (the usual case: app info is the smaller answer), the second waited for nothing and \
          downloaded the file again, last on the register page's critical path (~0.2 s in the first-paint bench)",
    find: "    return yield fetch(url).then((res) => res.json()).catch(() => void 0);\n  });\n}\n",
    replace: "    let request = localeRequests.get(url);
    if (request === void 0) {
      request = fetch(url).then((res) => res.json()).catch(() => void 0).finally(() => localeRequests.delete(url));
      localeRequests.set(url, request);
    }
    return yield request;
  });
}
const localeRequests = /* @__PURE__ */ new Map();
",
};

/// A block of one of the package's modules replaced whole (issue 13, goal 2: what the register page downloads).
/// `start` and `end` must each occur exactly once, in that order; the block runs from `start` to the end of `end`,
/// and must contain each of `contains` (what proves it is the code the edit means).
struct Excision {
    file: &'static str,
    why: &'static str,
    start: &'static str,
    end: &'static str,
    contains: &'static [&'static str],
    replace: &'static str,
}

/// The phone input (intl-tel-input, 36 KB minified) is only shown for a phone identifier, which this auth server
/// does not offer, yet every element loaded it. It moves into a module of its own ([`PHONE_INPUT_MODULE`]) that
/// the identifier input `import()`s when it first shows a phone number (patched in [`PHONE_INPUT_ON_DEMAND`]),
/// so an e-mail-only app never downloads it and a phone app gets it a moment later.
const PHONE_INPUT: Excision = Excision {
    file: "customElements.es5.js",
    why: "the phone input, into a module of its own",
    start: "var intlTelInput$1 = { exports: {} };",
    end: "const intlTelInput = /* @__PURE__ */ getDefaultExportFromCjs(intlTelInputExports);\n",
    contains: &["window.intlTelInput = factory()", "startedLoadingAutoCountry"],
    replace: "const intlTelInput = () => import(\"./intl-tel-input.js\").then((module) => module.default);\n",
};
/// Where [`PHONE_INPUT`]'s block goes (beside its file), with the helpers it uses from that file's prelude.
const PHONE_INPUT_MODULE: &str = "intl-tel-input.js";
/// What the phone input's code says in every build (property names survive minification): only the module the
/// identifier input loads on demand may contain it.
const PHONE_INPUT_MARKER: &str = "startedLoadingAutoCountry";

/// Each of the three components with a phone input created it synchronously from the static import, in a
/// `showCountryCode()`; now `intlTelInput()` loads it first. A hide (the typed text stopped looking like a number)
/// or a newer show before the load ends cancels the show, and nothing is created for an input that is gone (the
/// element was unmounted meanwhile). Their code already treats "no phone input yet" as it did before the input
/// was created (e.g. validation: "not a phone number"). [`trim`] checks that no direct call is left.
const PHONE_INPUT_ON_DEMAND: &[Patch] = &[
    Patch {
        file: "customElements.es2.js",
        why: "the phone input, created once its module has loaded",
        find: "    let phoneInput;
    function showCountryCode() {
      if (phoneInput !== void 0) {
        return;
      }
      identifierInput.value.addEventListener(",
        replace: "    let phoneInput;
    let phoneInputWanted = false;
    function showCountryCode() {
      if (phoneInput !== void 0 || phoneInputWanted) {
        return;
      }
      phoneInputWanted = true;
      intlTelInput().then((intlTelInput) => {
      if (!phoneInputWanted || phoneInput !== void 0 || !identifierInput.value) {
        return;
      }
      identifierInput.value.addEventListener(",
    },
    Patch {
        file: "customElements.es2.js",
        why: "the phone input, created once its module has loaded (the end of the callback)",
        find: "      identifierInput.value.focus();
    }
    function hideCountryCode() {
      if (phoneInput === void 0) {",
        replace: "      identifierInput.value.focus();
      });
    }
    function hideCountryCode() {
      phoneInputWanted = false;
      if (phoneInput === void 0) {",
    },
    Patch {
        file: "customElements.es5.js",
        why: "the phone input of a user-metadata phone field, created once its module has loaded",
        find: "    function showCountryCode() {
      var _a;
      phoneInput = intlTelInput(phoneInputBox.value, {",
        replace: "    let phoneInputShows = 0;
    function showCountryCode() {
      const show = ++phoneInputShows;
      intlTelInput().then((intlTelInput) => {
      var _a;
      if (show !== phoneInputShows || !phoneInputBox.value) {
        return;
      }
      phoneInput = intlTelInput(phoneInputBox.value, {",
    },
    Patch {
        file: "customElements.es5.js",
        why: "the phone input of a user-metadata phone field (the end of the callback)",
        find: "        useFullscreenPopup: false
      });
    }
    function hideCountryCode() {
      if (phoneInput === void 0) {",
        replace: "        useFullscreenPopup: false
      });
      });
    }
    function hideCountryCode() {
      ++phoneInputShows;
      if (phoneInput === void 0) {",
    },
    Patch {
        file: "passage-profile/index.es.js",
        why: "the profile element's phone input, created once its module has loaded",
        find: "    function showCountryCode() {
      var _a2;
      phoneInput = intlTelInput(phoneInputBox.value, {",
        replace: "    let phoneInputShows = 0;
    function showCountryCode() {
      const show = ++phoneInputShows;
      intlTelInput().then((intlTelInput) => {
      var _a2;
      if (show !== phoneInputShows || !phoneInputBox.value) {
        return;
      }
      phoneInput = intlTelInput(phoneInputBox.value, {",
    },
    Patch {
        file: "passage-profile/index.es.js",
        why: "the profile element's phone input (the end of the callback)",
        find: "        autoPlaceholder: \"aggressive\"
      });
    }
    watch(phoneInputBox, () => {",
        replace: "        autoPlaceholder: \"aggressive\"
      });
      });
    }
    watch(phoneInputBox, () => {",
    },
];
/// The package's ES modules that import the phone input (the check in [`trim`] reads them all).
const ESM_FILES_USING_THE_PHONE_INPUT: &[&str] =
    &["customElements.es2.js", "customElements.es5.js", "passage-profile/index.es.js"];
/// How each patched component starts loading the phone input.
const PHONE_INPUT_LOAD: &str = "intlTelInput().then((intlTelInput) =>";

/// The SDK module bundles lodash 4.17.21 twice (about 21 KB of the register page, brotli): a first copy nothing
/// reads, and a second of which it calls `get` alone. The first goes; the second becomes lodash-es's `get` of the
/// same version (from xtask/npm, locked), the same function without the other 300.
const LODASH_UNUSED: Excision = Excision {
    file: "customElements.es3.js",
    why: "an unused copy of lodash",
    start: "var tt = typeof globalThis < \"u\" ? globalThis : typeof window < \"u\" ? window : typeof global < \"u\" ? global : typeof self < \"u\" ? self : {}, Xt$1 = { exports: {} };",
    end: "})(Xt$1, Xt$1.exports);\nXt$1.exports;\n",
    contains: &["Lodash <https://lodash.com/>", "= \"4.17.21\""],
    replace: "",
};
const LODASH_GET: Excision = Excision {
    file: "customElements.es3.js",
    why: "lodash, of which the SDK uses `get`",
    start: "var kn = typeof globalThis < \"u\" ? globalThis : typeof window < \"u\" ? window : typeof global < \"u\" ? global : typeof self < \"u\" ? self : {}, wr = { exports: {} };",
    end: "})(wr, wr.exports);\nvar Xt = wr.exports;\n",
    contains: &["Lodash <https://lodash.com/>", "= \"4.17.21\""],
    replace: "import { get as lodashGet } from \"lodash-es\";\nvar Xt = { get: lodashGet };\n",
};
/// A constant of lodash's full build that its `get` does not use: no element code may contain it.
const FULL_LODASH_MARKER: &str = "__lodash_placeholder__";

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
        for site in phone_input_images() {
            let why = "phone-input images: from beside the elements, not from a public CDN";
            replace_once(&pkg.join(package_entry(tag)), why, &site, "")?;
        }
        for site in TEXT_ALIGN_SITES {
            let why = "right-to-left pages: the element's text aligns to the start, not the left";
            let start_aligned = site.replace("text-align:left", "text-align:start");
            replace_once(&pkg.join(package_entry(tag)), why, site, &start_aligned)?;
        }
    }

    // 4. Trim a copy: `pkg` stays the package as published plus the patches (see [`patched_package_dir`]).
    let trimmed = work.join("trimmed");
    copy_dir(&pkg, &trimmed)?;
    trim(&trimmed)?;

    // 5. Bundle one ES module per element with shared chunks, minified.
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
            // Where esbuild resolves the bare `lodash-es` import of [`LODASH_GET`].
            .env("NODE_PATH", tools.join("node_modules"))
            .current_dir(&trimmed),
    )?;
    fs::copy(extracted.join("package/LICENSE"), out.join("LICENSE.txt"))
        .context("copying the package's MIT licence")?;
    vendor_phone_input_files(&work, &out)?;

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

/// intl-tel-input's stylesheet, number rules, images and licence into `out/intl-tel-input/`: what a phone input
/// loads when it shows. The stylesheet declares its image variables on `:root`, which matches nothing in the
/// shadow root that links it, so they are declared on `:host` too: declared and used in one stylesheet, its
/// `url("../img/…")` resolves against it in every browser.
fn vendor_phone_input_files(work: &Path, out: &Path) -> Result<()> {
    let bytes = fetch_verified(work, INTL_TEL_INPUT, INTL_TEL_INPUT_VERSION, INTL_TEL_INPUT_INTEGRITY)?;
    let extracted = work.join("extracted-intl-tel-input");
    tar::Archive::new(flate2::read::GzDecoder::new(bytes.as_slice())).unpack(&extracted)?;
    let target = out.join(INTL_TEL_INPUT_CSS);
    fs::create_dir_all(target.parent().expect("a folder"))?;
    fs::copy(extracted.join("package/build/css/intlTelInput.min.css"), &target)
        .context("copying intl-tel-input's stylesheet")?;
    let why = "the phone input's image variables, for the shadow root that links the stylesheet";
    replace_once(&target, why, ":root{", ":root,:host{")?;
    fs::copy(extracted.join("package/build/js/utils.js"), out.join(INTL_TEL_INPUT_UTILS))
        .context("copying intl-tel-input's utils.js")?;
    fs::create_dir_all(out.join("intl-tel-input/img"))?;
    for image in INTL_TEL_INPUT_IMAGES {
        fs::copy(extracted.join("package/build/img").join(image), out.join("intl-tel-input/img").join(image))
            .with_context(|| format!("copying intl-tel-input's {image}"))?;
    }
    fs::copy(extracted.join("package/LICENSE"), out.join("intl-tel-input/LICENSE.txt"))
        .context("copying intl-tel-input's MIT licence")?;
    Ok(())
}

/// The size and speed edits, on a copy of the patched package.
fn trim(pkg: &Path) -> Result<()> {
    apply(pkg, &LOCALE_REQUESTS_SHARED)?;
    let phone_input = excise(pkg, &PHONE_INPUT)?;
    // The block's own helpers (`__spreadValues`, …) are defined in its file's prelude, before the imports.
    let file = fs::read_to_string(pkg.join(PHONE_INPUT.file))?;
    let prelude = &file[..file.find("\nimport ").context("the phone input's file has no import")?];
    let module = format!(
        "{prelude}\nimport {{ g as getDefaultExportFromCjs, c as commonjsGlobal }} from \"./customElements.es3.js\";\n\
         {phone_input}export default intlTelInput;\n"
    );
    fs::write(pkg.join(PHONE_INPUT_MODULE), module)?;
    for patch in PHONE_INPUT_ON_DEMAND {
        apply(pkg, patch)?;
    }
    // `intlTelInput` is now the loader: a call left as it was would get a promise, not a phone input. Each
    // patched site calls it twice (the load, then the input inside the callback).
    for file in ESM_FILES_USING_THE_PHONE_INPUT {
        let code = fs::read_to_string(pkg.join(file))?;
        let (calls, loads) = (code.matches("intlTelInput(").count(), code.matches(PHONE_INPUT_LOAD).count());
        if calls != 2 * loads {
            bail!("{file} calls intlTelInput {calls} times but loads it {loads} times: a call site is not patched");
        }
    }

    excise(pkg, &LODASH_UNUSED)?;
    excise(pkg, &LODASH_GET)?;
    // What the file's own code uses, without the definition the edit put in.
    let sdk = fs::read_to_string(pkg.join(LODASH_GET.file))?.replacen(LODASH_GET.replace, "", 1);
    for unused in ["Xt$1", "tt", "kn", "wr"] {
        if let Some(at) = identifier_uses(&sdk, unused).next() {
            bail!("{} still uses `{unused}` of a removed lodash copy: `{}`", LODASH_GET.file, excerpt(&sdk, at));
        }
    }
    if let Some(at) = identifier_uses(&sdk, "Xt").find(|&at| !sdk[at..].starts_with("Xt.get(")) {
        bail!("{} uses lodash beyond `get`, review {}: `{}`", LODASH_GET.file, LODASH_GET.why, excerpt(&sdk, at));
    }
    Ok(())
}

/// Replaces the block of `excision`, returning what it removed.
fn excise(pkg: &Path, excision: &Excision) -> Result<String> {
    let path = pkg.join(excision.file);
    let source = fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let once = |marker: &str| -> Result<usize> {
        match source.match_indices(marker).map(|(at, _)| at).collect::<Vec<_>>()[..] {
            [at] => Ok(at),
            ref found => bail!(
                "the block of \"{}\" is marked by a line found {} times in {} (expected exactly once); the \
                 element's code changed, so review the edit before shipping this version.\n  looked for: {marker}",
                excision.why,
                found.len(),
                path.display()
            ),
        }
    };
    let (start, end) = (once(excision.start)?, once(excision.end)? + excision.end.len());
    if end <= start {
        bail!("the block of \"{}\" ends before it starts in {}", excision.why, path.display());
    }
    let block = &source[start..end];
    if let Some(missing) = excision.contains.iter().find(|c| !block.contains(**c)) {
        bail!(
            "the block of \"{}\" in {} lacks `{missing}`: it is not the code the edit means",
            excision.why,
            path.display()
        );
    }
    fs::write(&path, format!("{}{}{}", &source[..start], excision.replace, &source[end..]))?;
    Ok(block.to_owned())
}

/// Where `code` names the JavaScript identifier `name` (not as a property, nor as part of a longer name).
fn identifier_uses<'a>(code: &'a str, name: &'a str) -> impl Iterator<Item = usize> + 'a {
    let part = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    code.match_indices(name).map(|(at, _)| at).filter(move |&at| {
        let before = code[..at].chars().next_back();
        let after = code[at + name.len()..].chars().next();
        !before.is_some_and(|c| part(c) || c == '.') && !after.is_some_and(part)
    })
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// The declarations of an element's stylesheet that point the phone input's images at the CDN, which go, so that
/// intl-tel-input's own (see [`vendor_phone_input_files`]) apply. Not rewritten to the vendored URL: the module
/// evaluates its stylesheet when the page's preload imports it, before the app sets `PASSAGE_ELEMENTS_URL`; and
/// a relative URL in a custom property would resolve against whichever stylesheet uses it.
fn phone_input_images() -> impl Iterator<Item = String> {
    let variables = ["flags-1x", "flags-2x", "globe-1x", "globe-2x"];
    variables.into_iter().zip(INTL_TEL_INPUT_IMAGES).map(|(variable, image)| {
        format!("--iti-path-{variable}: url(https://cdn.jsdelivr.net/npm/intl-tel-input@{INTL_TEL_INPUT_VERSION}/build/img/{image});")
    })
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
    let images = INTL_TEL_INPUT_IMAGES.iter().map(|image| format!("intl-tel-input/img/{image}"));
    for file in [INTL_TEL_INPUT_CSS.to_owned(), INTL_TEL_INPUT_UTILS.to_owned()].into_iter().chain(images) {
        if !out.join(&file).is_file() {
            bail!("{file} was not produced in {}", out.display());
        }
    }
    for tag in ELEMENTS {
        let module = module_file(tag);
        if !out.join(&module).is_file() {
            bail!("{module} was not produced in {}", out.display());
        }
        let read = |files: BTreeSet<String>| -> Result<String> {
            let mut code = String::new();
            for file in files {
                code.push_str(&fs::read_to_string(out.join(&file)).with_context(|| format!("reading {file}"))?);
            }
            Ok(code)
        };
        let code = read(import_closure(out, &module, Imports::All)?)?;
        check_element_code(&code).with_context(|| format!("{module} with the chunks it imports"))?;
        let loaded_first = read(import_closure(out, &module, Imports::Static)?)?;
        check_trimmed(&loaded_first, &code).with_context(|| format!("{module} with the chunks it imports"))?;
    }
    Ok(())
}

/// The size edits held: the phone input is code the element can load, but not code it loads first
/// (`loaded_first`, within `all` it can run); no full lodash is left.
fn check_trimmed(loaded_first: &str, all: &str) -> Result<()> {
    if loaded_first.contains(PHONE_INPUT_MARKER) {
        bail!("loads the phone input up front: the on-demand edit ({}) was lost", PHONE_INPUT.why);
    }
    if !all.contains(PHONE_INPUT_MARKER) {
        bail!("cannot load the phone input at all");
    }
    if all.contains(FULL_LODASH_MARKER) {
        bail!("still carries lodash's full build ({FULL_LODASH_MARKER})");
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
    if let Some(at) = code.find(CDN) {
        bail!("still names the CDN {CDN} (a phone-input file patch was lost): `{}`", excerpt(code, at));
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

/// How far [`import_closure`] follows imports.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Imports {
    /// What loading the module loads: static imports, transitively.
    Static,
    /// Also what its code may load later (`import("…")`), transitively: all the code the element can run.
    All,
}

/// The files of the module `entry` (relative to `dir`) and, transitively, of the chunks it imports as `follow`
/// says. Paths relative to `dir`, `/`-separated.
pub fn import_closure(dir: &Path, entry: &str, follow: Imports) -> Result<BTreeSet<String>> {
    let mut seen = BTreeSet::new();
    let mut todo = vec![entry.to_owned()];
    while let Some(rel) = todo.pop() {
        if !seen.insert(rel.clone()) {
            continue;
        }
        let text = fs::read_to_string(dir.join(&rel)).with_context(|| format!("reading {rel}"))?;
        let here = Path::new(&rel).parent().map(Path::to_path_buf).unwrap_or_default();
        // esbuild writes imports as `from"./chunks/x.js"`, `import"./x.js"` or `import("./x.js")` (minified).
        let mut rest = text.as_str();
        while let Some(open) = rest.find('"') {
            let Some(len) = rest[open + 1..].find('"') else { break };
            let quoted = &rest[open + 1..open + 1 + len];
            let dynamic = rest[..open].ends_with("import(");
            if (quoted.starts_with("./") || quoted.starts_with("../"))
                && quoted.ends_with(".js")
                && (follow == Imports::All || !dynamic)
            {
                todo.push(normalize(&here.join(quoted)));
            }
            rest = &rest[open + 1 + len + 1..];
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
        r#"k.href=String(globalThis.PASSAGE_ELEMENTS_URL||".").replace(/\/+$/,"")+"/intl-tel-input/css/intlTelInput.css""#,
    );

    #[test]
    fn a_stylesheet_from_the_cdn_fails_the_check() {
        let stylesheet = "https://cdn.jsdelivr.net/npm/intl-tel-input@24.3.4/build/css/intlTelInput.css";
        let utils = "https://cdn.jsdelivr.net/npm/intl-tel-input@24.3.4/build/js/utils.js";
        for unpatched in [format!(r#"k.href="{stylesheet}""#), format!(r#"{{utilsScript:"{utils}"}}"#)] {
            let error = check_element_code(&format!("{PATCHED};{unpatched}")).unwrap_err().to_string();
            assert!(error.contains("cdn.jsdelivr.net"), "{error}");
        }
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
    fn the_import_closure_follows_imports_only_and_dynamic_ones_when_asked() {
        let dir = std::env::temp_dir().join(format!("xtask-vendor-closure-{}", std::process::id()));
        fs::create_dir_all(dir.join("chunks")).unwrap();
        fs::write(dir.join("passage-profile.js"), r#"import{a}from"./chunks/a.js";import("./chunks/b.js");"#).unwrap();
        fs::write(dir.join("chunks/a.js"), r#"import"./c.js";const s="not/./a.js";"#).unwrap();
        fs::write(dir.join("chunks/b.js"), "").unwrap();
        fs::write(dir.join("chunks/c.js"), r#"import"./a.js";"#).unwrap();
        fs::write(dir.join("chunks/unrelated.js"), "").unwrap();
        let closure =
            |follow| import_closure(&dir, "passage-profile.js", follow).map(|c| c.into_iter().collect::<Vec<_>>());
        assert_eq!(closure(Imports::All).unwrap(), ["chunks/a.js", "chunks/b.js", "chunks/c.js", "passage-profile.js"]);
        assert_eq!(closure(Imports::Static).unwrap(), ["chunks/a.js", "chunks/c.js", "passage-profile.js"]);
        // A module that is not there is an error, not a smaller closure.
        fs::remove_file(dir.join("chunks/b.js")).unwrap();
        assert!(closure(Imports::All).is_err());
        assert!(closure(Imports::Static).is_ok());
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

    const BLOCK: Excision =
        Excision { file: "f.js", why: "test", start: "/*a*/", end: "/*b*/\n", contains: &["lib"], replace: "R;" };

    #[test]
    fn an_excision_replaces_the_marked_block_and_returns_it() {
        let dir = scratch("excise", "x;/*a*/lib();/*b*/\ny;");
        assert_eq!(excise(&dir, &BLOCK).unwrap(), "/*a*/lib();/*b*/\n");
        assert_eq!(fs::read_to_string(dir.join("f.js")).unwrap(), "x;R;y;");
    }

    #[test]
    fn an_excision_whose_markers_moved_or_whose_block_changed_fails_loudly() {
        for (source, expected) in [
            ("x;lib();/*b*/\n", "found 0 times"),
            ("/*a*//*a*/lib();/*b*/\n", "found 2 times"),
            ("/*b*/\nlib();/*a*/", "ends before it starts"),
            ("/*a*/other();/*b*/\n", "lacks `lib`"),
        ] {
            let dir = scratch("excise-bad", source);
            let err = excise(&dir, &BLOCK).unwrap_err().to_string();
            assert!(err.contains(expected), "{source}: {err}");
            assert_eq!(fs::read_to_string(dir.join("f.js")).unwrap(), source, "nothing written");
        }
    }

    #[test]
    fn identifier_uses_skip_properties_and_longer_names() {
        let code = "Xt.get(a);b.Xt;Xty;$Xt;(Xt)";
        assert_eq!(identifier_uses(code, "Xt").collect::<Vec<_>>(), [0, 24]);
        assert_eq!(identifier_uses("Xt$1.exports;Xt$10", "Xt$1").collect::<Vec<_>>(), [0]);
    }

    #[test]
    fn the_phone_input_up_front_or_a_full_lodash_fails_the_trim_check() {
        let phone = format!("x.{PHONE_INPUT_MARKER}=1");
        check_trimmed("a", &format!("a{phone}")).unwrap();
        let err = check_trimmed(&phone, &phone).unwrap_err().to_string();
        assert!(err.contains("up front"), "{err}");
        assert!(check_trimmed("a", "a").unwrap_err().to_string().contains("cannot load the phone input"));
        let lodash = format!("a{phone};r=\"{FULL_LODASH_MARKER}\"");
        assert!(check_trimmed("a", &lodash).unwrap_err().to_string().contains("full build"));
    }

    #[test]
    fn every_patch_targets_the_esm_build() {
        for patch in PATCHES.iter().chain(PHONE_INPUT_ON_DEMAND).chain([&LOCALE_REQUESTS_SHARED]) {
            assert!(
                patch.file.starts_with("customElements.es") || patch.file.ends_with("/index.es.js"),
                "{}",
                patch.file
            );
            assert_ne!(patch.find, patch.replace);
        }
    }
}
