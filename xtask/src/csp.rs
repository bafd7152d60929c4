//! The SPA's Content-Security-Policy (CSP Level 3), computed after `trunk build` from what is really in
//! `dist/index.html` and the origins of a `config.json`, and written where static hosts read it.
//!
//! OWASP ASVS 5.0 V3.4.3: "HTTP responses include a Content-Security-Policy response header field which defines
//! directives to ensure the browser only loads and executes trusted content or resources ... object-src 'none' and
//! base-uri ... and defines either an allowlist or uses nonces or hashes." A static host cannot mint nonces, so the
//! inline scripts (Trunk's bootstrap, which imports the wasm-bindgen glue and starts the wasm, and the element
//! preloader of [`crate::preload`]) are allowed by their sha256 hashes, computed here from the built file; no
//! `'unsafe-inline'` script and no `'unsafe-eval'`.
//!
//! Outputs (see README "Content-Security-Policy"):
//! - a `<meta http-equiv="Content-Security-Policy">` in `dist/index.html`, for hosts that cannot set headers
//!   (GitHub Pages). CSP3 §3.3: a meta policy ignores `frame-ancestors`, `report-uri` and `sandbox`, so the meta
//!   form leaves them out;
//! - `dist/_headers` (Netlify, Cloudflare Pages): the header form plus the other ASVS V3.4 response headers;
//! - `dist/content-security-policy.txt`: the header value alone, one line, for CloudFront, nginx or any host.

use std::path::Path;

use anyhow::{bail, Context, Result};
use base64::Engine;
use sha2::{Digest, Sha256};

/// The file Netlify and Cloudflare Pages read response headers from.
pub const HEADERS_FILE: &str = "_headers";
/// The header value alone, for hosts configured by hand.
pub const POLICY_FILE: &str = "content-security-policy.txt";
/// The `http-equiv` value of the meta element, written exactly so (the smoke test and the e2e harness look for it).
pub const META_HTTP_EQUIV: &str = "Content-Security-Policy";

/// Response headers besides the CSP, from the same ASVS section, that every static host can set alongside it.
pub const OTHER_HEADERS: &[(&str, &str)] = &[
    // V3.4.4: no MIME sniffing (the wasm is only compiled with `application/wasm` anyway).
    ("X-Content-Type-Options", "nosniff"),
    // V3.4.5: a magic-link URL carries a one-time token in its query; no Referer may carry it to another origin.
    ("Referrer-Policy", "no-referrer"),
    // V3.4.8: no cross-origin window keeps a handle on the app's window (tabnabbing).
    ("Cross-Origin-Opener-Policy", "same-origin"),
];

/// Where the SPA connects and loads code from, as origins (`scheme://host[:port]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origins {
    /// `auth_url`, `api_url` and, when set, `locales_url` (the elements fetch their UI text from it).
    pub connect: Vec<String>,
    /// The origin of an absolute `elements_url` (the element modules are loaded as `<script type=module>`).
    pub script: Vec<String>,
    /// The origin of an absolute `logo_url` (the branded header's `<img>`).
    pub img: Vec<String>,
}

impl Origins {
    /// The origins a `config.json` (the SPA's runtime configuration, see `src/config.rs`) points the app at.
    pub fn from_config(text: &str, file: &str) -> Result<Self> {
        let json: serde_json::Value = serde_json::from_str(text).with_context(|| format!("{file} is not JSON"))?;
        let url = |key: &str| -> Result<Option<String>> {
            match json.get(key) {
                None | Some(serde_json::Value::Null) => Ok(None),
                Some(serde_json::Value::String(s)) => Ok(Some(s.trim().to_owned())),
                Some(other) => bail!("{file}: `{key}` must be a string, got {other}"),
            }
        };
        let mut connect = Vec::new();
        for key in ["auth_url", "api_url"] {
            let value = url(key)?.with_context(|| format!("{file} lacks `{key}`"))?;
            push_unique(&mut connect, origin_of(&value).with_context(|| format!("{file}: `{key}`"))?);
        }
        if let Some(value) = url("locales_url")? {
            push_unique(&mut connect, origin_of(&value).with_context(|| format!("{file}: `locales_url`"))?);
        }
        let mut script = Vec::new();
        // A relative `elements_url` (the default, `vendor/passage-elements`) is covered by 'self'.
        if let Some(value) = url("elements_url")?.filter(|v| v.contains("://")) {
            push_unique(&mut script, origin_of(&value).with_context(|| format!("{file}: `elements_url`"))?);
        }
        let mut img = Vec::new();
        // A relative `logo_url` (beside index.html) is covered by 'self'.
        if let Some(value) = url("logo_url")?.filter(|v| v.contains("://")) {
            push_unique(&mut img, origin_of(&value).with_context(|| format!("{file}: `logo_url`"))?);
        }
        Ok(Self { connect, script, img })
    }
}

fn push_unique(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// `scheme://host[:port]` of an absolute http(s) URL, lower-cased, as a CSP host-source. Anything that could
/// break out of a directive (whitespace, `;`, `,`, quotes) is refused rather than written into a policy.
pub fn origin_of(url: &str) -> Result<String> {
    let lower = url.trim().to_ascii_lowercase();
    let (scheme, rest) = lower.split_once("://").with_context(|| format!("{url:?} is not an absolute URL"))?;
    if scheme != "http" && scheme != "https" {
        bail!("{url:?} is not an http(s) URL");
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']');
    if authority.is_empty() || authority.contains('@') || !authority.chars().all(host_ok) {
        bail!("{url:?} has no plain host[:port]");
    }
    Ok(format!("{scheme}://{authority}"))
}

/// The text of each inline classic or module script (a `<script>` without `src`), exactly as the browser hashes
/// it: the bytes between the start tag's `>` and `</script`. Trunk writes one (its bootstrap), `preload` another;
/// the hashes cover whatever is there, so any further inline script would be allowed only by being hashed here too.
pub fn inline_scripts(html: &str) -> Vec<&str> {
    let lower = html.to_ascii_lowercase();
    let mut scripts = Vec::new();
    let mut at = 0;
    while let Some(start) = lower[at..].find("<script").map(|i| at + i) {
        let Some(tag_end) = lower[start..].find('>').map(|i| start + i) else { break };
        let Some(close) = lower[tag_end..].find("</script").map(|i| tag_end + i) else { break };
        if !has_src_attribute(&lower[start + "<script".len()..tag_end]) {
            scripts.push(&html[tag_end + 1..close]);
        }
        at = close + "</script".len();
    }
    scripts
}

/// Whether a start tag's attribute text has a `src` attribute (not `data-src`, not a value).
fn has_src_attribute(attrs: &str) -> bool {
    crate::html::attributes(attrs).any(|(name, _)| name.eq_ignore_ascii_case("src"))
}

/// A CSP hash-source for a script's text: `'sha256-<base64 of the SHA-256 of its UTF-8 bytes>'` (CSP3 §8.4.1).
pub fn sha256_source(script: &str) -> String {
    format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(Sha256::digest(script.as_bytes())))
}

/// A policy: directives in the order they are written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    directives: Vec<(&'static str, Vec<String>)>,
}

/// Directives a `<meta>` policy cannot carry (CSP3 §3.3 "The `<meta>` element": they are ignored there, and
/// Chromium logs an error for each).
const HEADER_ONLY: &[&str] = &["frame-ancestors", "report-uri", "report-to", "sandbox"];

impl Policy {
    /// The SPA's policy: `script_hashes` are the hash-sources of the built page's inline scripts.
    pub fn new(script_hashes: &[String], origins: &Origins, report_uri: Option<&str>) -> Self {
        let own = |extra: &[&str]| -> Vec<String> {
            std::iter::once("'self'").chain(extra.iter().copied()).map(str::to_owned).collect()
        };
        let mut script_src = own(&["'wasm-unsafe-eval'"]);
        script_src.extend(script_hashes.iter().cloned());
        script_src.extend(origins.script.iter().cloned());
        let mut img_src = own(&["data:"]);
        img_src.extend(origins.img.iter().cloned());
        let mut connect_src = own(&[]);
        connect_src.extend(origins.connect.iter().cloned());
        // The elements' SVG component (vue-inline-svg) loads their data: icons with XMLHttpRequest to inline
        // them. A data: URL never leaves the browser, so this opens no channel to another host.
        connect_src.push("data:".to_owned());
        let mut directives = vec![
            ("default-src", own(&[])),
            // 'wasm-unsafe-eval' lets WebAssembly.instantiateStreaming compile the app's wasm and nothing else: it
            // does not allow eval() or new Function() (CSP3 §6.1.1.1.3). The elements' modules load as 'self'.
            ("script-src", script_src),
            // The elements (Vue custom elements) put <style> into their shadow roots and set style attributes;
            // Leptos sets style attributes too. Styles cannot run code, so inline styles stay allowed.
            ("style-src", own(&["'unsafe-inline'"])),
            // The elements draw their icons and checkboxes from data: SVG images.
            ("img-src", img_src),
            ("font-src", own(&[])),
            // fetch/XHR only to the page's own origin (config.json), the auth server and the backend.
            ("connect-src", connect_src),
            ("object-src", vec!["'none'".to_owned()]),
            // 'self', not 'none' (the ASVS minimum): Trunk's <base href> makes one build work under any sub-path;
            // an injected <base> pointing at another origin is still refused.
            ("base-uri", own(&[])),
            ("form-action", own(&[])),
            // ASVS V3.4.6: the app cannot be framed (clickjacking a passkey prompt). Header form only.
            ("frame-ancestors", vec!["'none'".to_owned()]),
        ];
        if let Some(uri) = report_uri {
            // ASVS V3.4.7 (L3): where violations are reported. Header form only.
            directives.push(("report-uri", vec![uri.to_owned()]));
        }
        Self { directives }
    }

    /// The `Content-Security-Policy` response header value.
    pub fn header(&self) -> String {
        self.render(|_| true)
    }

    /// The same policy for `<meta http-equiv>`: without the directives a meta policy ignores.
    pub fn meta(&self) -> String {
        self.render(|name| !HEADER_ONLY.contains(&name))
    }

    fn render(&self, keep: impl Fn(&str) -> bool) -> String {
        self.directives
            .iter()
            .filter(|(name, _)| keep(name))
            .map(|(name, values)| format!("{name} {}", values.join(" ")))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// `index.html` with `<meta http-equiv="Content-Security-Policy" content=policy>` as the first element of `<head>`
/// after the charset (a meta policy applies only to what follows it), replacing one already there.
pub fn with_meta(html: &str, policy: &str) -> Result<String> {
    let escaped = policy.replace('&', "&amp;").replace('"', "&quot;");
    let meta = format!(r#"<meta http-equiv="{META_HTTP_EQUIV}" content="{escaped}">"#);
    if let Some((start, end)) = find_meta(html) {
        return Ok(format!("{}{meta}{}", &html[..start], &html[end..]));
    }
    let lower = html.to_ascii_lowercase();
    // Right after the charset declaration (browsers look for it in the first 1024 bytes, so it stays first), else
    // at the start of <head>. Trunk's minified output omits the optional <head> start tag.
    let after_tag = |open: &str| -> Option<usize> {
        let start = lower.find(open)?;
        Some(start + lower[start..].find('>')? + 1)
    };
    let insert = after_tag("<meta charset")
        .or_else(|| after_tag("<head"))
        .or_else(|| after_tag("<html"))
        .context("index.html has neither <meta charset>, <head> nor <html>")?;
    // CSP3 §3.3: a meta policy covers only what comes after it.
    if lower.find("<script").is_some_and(|script| script < insert) {
        bail!("index.html has a <script> before the place for the CSP meta");
    }
    Ok(format!("{}{meta}{}", &html[..insert], &html[insert..]))
}

/// The byte range of the CSP meta element this module writes, if present.
fn find_meta(html: &str) -> Option<(usize, usize)> {
    let start = html.find(&format!(r#"<meta http-equiv="{META_HTTP_EQUIV}""#))?;
    let end = start + html[start..].find('>')? + 1;
    Some((start, end))
}

/// The policy of the CSP meta element in `html`, unescaped, if there is one.
pub fn meta_policy(html: &str) -> Option<String> {
    let (start, end) = find_meta(html)?;
    let element = &html[start..end];
    let value = element.split_once(r#"content=""#)?.1.split_once('"')?.0;
    Some(value.replace("&quot;", "\"").replace("&amp;", "&"))
}

/// The `_headers` file: every path gets the CSP and the other security headers.
pub fn headers_file(policy: &Policy) -> String {
    let mut out =
        String::from("# Written by `cargo xtask build`: the response headers Netlify and Cloudflare Pages send.\n/*\n");
    out.push_str(&format!("  Content-Security-Policy: {}\n", policy.header()));
    for (name, value) in OTHER_HEADERS {
        out.push_str(&format!("  {name}: {value}\n"));
    }
    out
}

/// Computes the policy for the built `dist/` and the configuration in `config_json`, and writes it into
/// `dist/index.html` (meta), `dist/_headers` and `dist/content-security-policy.txt`.
pub fn write_into(dist: &Path, config_json: &str, config_name: &str, report_uri: Option<&str>) -> Result<Policy> {
    let index = dist.join("index.html");
    let html = std::fs::read_to_string(&index).with_context(|| format!("reading {}", index.display()))?;
    let scripts = inline_scripts(&html);
    if scripts.is_empty() {
        bail!("{} has no inline script: is this Trunk's output?", index.display());
    }
    let hashes: Vec<String> = scripts.iter().map(|s| sha256_source(s)).collect();
    if let Some(uri) = report_uri {
        if uri.is_empty() || uri.contains(|c: char| c.is_whitespace() || c == ';' || c == ',' || c == '\'') {
            bail!("--csp-report-uri {uri:?} is not a URL that fits in a policy");
        }
    }
    let policy = Policy::new(&hashes, &Origins::from_config(config_json, config_name)?, report_uri);
    std::fs::write(&index, with_meta(&html, &policy.meta())?)?;
    std::fs::write(dist.join(HEADERS_FILE), headers_file(&policy))?;
    std::fs::write(dist.join(POLICY_FILE), format!("{}\n", policy.header()))?;
    Ok(policy)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str =
        r#"{"app_id":"a","auth_url":"https://Auth.example.com/","api_url":"https://api.example.com:8443/v1"}"#;

    #[test]
    fn hashes_like_the_csp_spec_example() {
        // CSP3 §8.4.1's example: `alert('Hello, world.');` is allowed by this hash-source.
        assert_eq!(sha256_source("alert('Hello, world.');"), "'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='");
    }

    #[test]
    fn finds_only_inline_scripts() {
        let html = r#"<head><script type="module" src="/app.js"></script><script type=module>import init from '/a.js';
await init();</script><SCRIPT data-src="x">one()</SCRIPT><script src=/b.js></script></head>"#;
        assert_eq!(inline_scripts(html), vec!["import init from '/a.js';\nawait init();", "one()"]);
    }

    #[test]
    fn the_policy_names_the_configured_origins() {
        let origins = Origins::from_config(CONFIG, "config.json").unwrap();
        assert_eq!(origins.connect, ["https://auth.example.com", "https://api.example.com:8443"]);
        assert!(origins.script.is_empty());
        let policy = Policy::new(&["'sha256-x'".to_owned()], &origins, None);
        let header = policy.header();
        assert!(
            header.starts_with("default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'sha256-x'; "),
            "{header}"
        );
        assert!(header.contains("; connect-src 'self' https://auth.example.com https://api.example.com:8443 data:;"));
        assert!(header.contains("; object-src 'none';") && header.ends_with("; frame-ancestors 'none'"));
        assert!(!header.contains("'unsafe-eval'"));
    }

    #[test]
    fn elements_and_locales_elsewhere_are_allowed_by_origin() {
        let config = r#"{"auth_url":"https://a.example","api_url":"https://b.example",
            "elements_url":"https://cdn.example/el/","locales_url":"https://l.example/v"}"#;
        let origins = Origins::from_config(config, "c").unwrap();
        assert_eq!(origins.connect, ["https://a.example", "https://b.example", "https://l.example"]);
        assert_eq!(origins.script, ["https://cdn.example"]);
        let relative = r#"{"auth_url":"https://a.example","api_url":"https://a.example","elements_url":"el/"}"#;
        let origins = Origins::from_config(relative, "c").unwrap();
        assert_eq!(origins.connect, ["https://a.example"]);
        assert!(origins.script.is_empty());
    }

    #[test]
    fn a_logo_from_another_origin_is_allowed_as_an_image_only() {
        let config = r#"{"auth_url":"https://a.example","api_url":"https://a.example",
            "logo_url":"https://cdn.example/brand/logo.svg"}"#;
        let origins = Origins::from_config(config, "c").unwrap();
        assert_eq!(origins.img, ["https://cdn.example"]);
        let header = Policy::new(&[], &origins, None).header();
        assert!(header.contains("; img-src 'self' data: https://cdn.example;"), "{header}");
        assert!(!header.contains("connect-src 'self' https://a.example https://cdn.example"), "{header}");
        // Beside index.html: 'self' covers it, nothing is added.
        let relative = r#"{"auth_url":"https://a.example","api_url":"https://a.example","logo_url":"brand/logo.svg"}"#;
        assert!(Origins::from_config(relative, "c").unwrap().img.is_empty());
        // A logo URL cannot smuggle a directive into the policy.
        let bad =
            r#"{"auth_url":"https://a.example","api_url":"https://a.example","logo_url":"https://x; script-src *"}"#;
        assert!(Origins::from_config(bad, "c").is_err());
    }

    #[test]
    fn refuses_what_could_break_out_of_a_directive() {
        for bad in ["javascript:alert(1)", "https://a.example; script-src *", "https://x'y", "https://u@h", "https://"]
        {
            assert!(origin_of(bad).is_err(), "{bad}");
        }
        assert!(Origins::from_config(r#"{"auth_url":"https://a"}"#, "c").is_err());
    }

    #[test]
    fn the_meta_form_leaves_out_what_meta_ignores() {
        let origins = Origins::from_config(CONFIG, "c").unwrap();
        let policy = Policy::new(&[], &origins, Some("https://r.example/csp"));
        assert!(policy.header().ends_with("frame-ancestors 'none'; report-uri https://r.example/csp"));
        let meta = policy.meta();
        assert!(!meta.contains("frame-ancestors") && !meta.contains("report-uri"), "{meta}");
        assert!(meta.contains("object-src 'none'"));
    }

    #[test]
    fn the_meta_goes_after_the_charset_and_is_replaced_not_repeated() {
        let html = "<!DOCTYPE html><html><head><meta charset=utf-8><title>x</title></head></html>";
        let once = with_meta(html, "default-src 'self'").unwrap();
        assert_eq!(
            once,
            "<!DOCTYPE html><html><head><meta charset=utf-8>\
             <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'\"><title>x</title></head></html>"
        );
        let minified = "<!doctype html><html lang=en><title>x</title><script type=module>go()</script>";
        assert_eq!(
            with_meta(minified, "a").unwrap(),
            "<!doctype html><html lang=en><meta http-equiv=\"Content-Security-Policy\" content=\"a\"><title>x</title>\
             <script type=module>go()</script>"
        );
        assert!(with_meta("<html><script>x()</script><meta charset=utf-8>", "a").is_err());
        let twice = with_meta(&once, "default-src 'none'").unwrap();
        assert_eq!(twice.matches("Content-Security-Policy").count(), 1);
        assert_eq!(meta_policy(&twice).as_deref(), Some("default-src 'none'"));
    }

    #[test]
    fn the_headers_file_applies_to_every_path() {
        let policy = Policy::new(&[], &Origins::from_config(CONFIG, "c").unwrap(), None);
        let file = headers_file(&policy);
        assert!(file.contains(&format!("\n/*\n  Content-Security-Policy: {}\n", policy.header())), "{file}");
        assert!(file.contains("  X-Content-Type-Options: nosniff\n"));
    }
}
