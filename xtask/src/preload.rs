//! What the built page starts downloading before the wasm runs (issue 13: no waterfall). Written into
//! `dist/index.html` after Trunk and before [`crate::csp`] hashes the inline scripts.
//!
//! Without it the element's modules are requested only once the wasm has booted and read `config.json`, and its
//! shared chunks only once the entry module has arrived: three round trips in a row before the element's own API
//! calls. The route's element is known only at run time, so a small inline script reads `location.pathname`
//! against the document base and adds a `<link rel="modulepreload">` for each file of that element's import
//! closure (computed here from the vendored output, whose chunk names carry hashes). The SPA's own `<script
//! type="module">` for the same URL then finds the module already fetched and compiled. The auth server's origin
//! gets a `preconnect`, so the element's first API call does not wait for a connection.
//!
//! Both come from the deployment's `config.json` at build time (`elements_url`, `auth_url`), like the CSP: a
//! config.json swapped in after the build only makes the hints miss (a wasted download), never break the page.

use std::path::Path;

use anyhow::{bail, Context, Result};

/// The route segment (after the router base) of each element's page, as in `src/routes.rs` (`AppRoute`); `""`
/// redirects to `login`. A route missing here only loses its preload.
const ELEMENT_ROUTES: &[(&str, &[&str])] =
    &[("passage-register", &["register"]), ("passage-login", &["login", ""]), ("passage-profile", &["account"])];

/// The default of `elements_url` in `src/config.rs`: beside `index.html`.
const DEFAULT_ELEMENTS_URL: &str = "vendor/passage-elements";

/// Marks the script, so a second run on the same output is noticed.
const MARKER: &str = "/*element-preload*/";

/// Adds the route's element preloads and the auth server's preconnect to `dist/index.html`, for `config_json`
/// (the deployment's configuration, already in `dist/`).
pub fn write_into(dist: &Path, config_json: &str) -> Result<()> {
    let index = dist.join("index.html");
    let html = std::fs::read_to_string(&index).with_context(|| format!("reading {}", index.display()))?;
    let config: serde_json::Value = serde_json::from_str(config_json).context("config.json is not JSON")?;
    let text = |key: &str| config.get(key).and_then(|v| v.as_str()).map(str::trim).filter(|v| !v.is_empty());
    let elements_url = text("elements_url").unwrap_or(DEFAULT_ELEMENTS_URL).trim_end_matches('/');
    let vendored = dist.join("vendor/passage-elements");
    let mut routes = Vec::new();
    for (tag, segments) in ELEMENT_ROUTES {
        let files = crate::vendor::import_closure(
            &vendored,
            &crate::vendor::module_file(tag),
            // What the element loads on demand (the phone input) is not worth preloading.
            crate::vendor::Imports::Static,
        )?;
        // The entry first: it is what the page asks for first, and the browser keeps the order among equals.
        let mut hrefs = vec![format!("{elements_url}/{}", crate::vendor::module_file(tag))];
        hrefs.extend(
            files.iter().filter(|f| **f != crate::vendor::module_file(tag)).map(|f| format!("{elements_url}/{f}")),
        );
        for segment in *segments {
            routes.push((segment.to_string(), hrefs.clone()));
        }
    }
    let auth_origin = text("auth_url").map(crate::csp::origin_of).transpose()?;
    let hints = hints(&routes, auth_origin.as_deref())?;
    std::fs::write(&index, with_hints(&html, &hints)?)?;
    Ok(())
}

/// The preconnect and the inline script choosing the route's preloads.
fn hints(routes: &[(String, Vec<String>)], auth_origin: Option<&str>) -> Result<String> {
    let table = serde_json::to_string(&routes.iter().cloned().collect::<std::collections::BTreeMap<_, _>>())?;
    if table.contains("</") {
        bail!("a preload path contains `</`: {table}");
    }
    // `crossorigin`: the elements' fetches are CORS requests without credentials, which use their own connections.
    let preconnect =
        auth_origin.map(|origin| format!(r#"<link rel="preconnect" href="{origin}" crossorigin>"#)).unwrap_or_default();
    // The entry is imported too, so the element is defined while the wasm boots; the SPA's script for the same URL
    // then shares that one module. A failed import is the SPA's to report (it loads the same URL), not a console error.
    let script = format!(
        "<script>{MARKER}(function(){{var r={table},b=new URL(document.baseURI).pathname,p=location.pathname,\
         s=p.indexOf(b)===0?p.slice(b.length).split('/')[0]:null,f=r[s]||[];for(var i=0;i<f.length;i++){{\
         var l=document.createElement('link');l.rel='modulepreload';l.href=f[i];document.head.appendChild(l)}}\
         if(f.length)import(new URL(f[0],document.baseURI).href).catch(function(){{}})}})()</script>"
    );
    Ok(format!("{preconnect}{script}"))
}

/// `html` with `hints` right after the `<base>` element (the script resolves paths against it). Trunk writes a
/// fresh `index.html` on each build, so hints already there mean a second run on the same output: refused.
fn with_hints(html: &str, hints: &str) -> Result<String> {
    if html.contains(MARKER) {
        bail!("index.html already has the element preloads");
    }
    let lower = html.to_ascii_lowercase();
    let base = lower.find("<base").context("index.html has no <base> (Trunk writes it for data-trunk-public-url)")?;
    let end = base + lower[base..].find('>').context("unterminated <base>")? + 1;
    Ok(format!("{}{hints}{}", &html[..end], &html[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routes() -> Vec<(String, Vec<String>)> {
        vec![
            ("register".to_owned(), vec!["el/passage-register.js".to_owned(), "el/chunks/a.js".to_owned()]),
            ("".to_owned(), vec!["el/passage-login.js".to_owned()]),
        ]
    }

    #[test]
    fn the_hints_go_after_the_base_once() {
        let html = r#"<!doctype html><html><meta charset=utf-8><base href="/app/"><title>x</title>"#;
        let hints = hints(&routes(), Some("https://auth.example")).unwrap();
        let once = with_hints(html, &hints).unwrap();
        assert!(
            once.starts_with(
                r#"<!doctype html><html><meta charset=utf-8><base href="/app/"><link rel="preconnect" href="https://auth.example" crossorigin><script>"#
            ),
            "{once}"
        );
        assert!(once.ends_with("</script><title>x</title>"), "{once}");
        assert!(once.contains(r#"{"":["el/passage-login.js"],"register":["el/passage-register.js","el/chunks/a.js"]}"#));
        assert!(with_hints(&once, &hints).is_err());
        assert!(with_hints("<html><title>x</title>", &hints).is_err());
    }

    #[test]
    fn without_an_auth_origin_there_is_no_preconnect() {
        let hints = hints(&routes(), None).unwrap();
        assert!(hints.starts_with("<script>") && !hints.contains("preconnect"));
    }

    #[test]
    fn the_script_is_one_inline_script_the_csp_hashes() {
        let page = with_hints("<base href=/>", &hints(&routes(), None).unwrap()).unwrap();
        let scripts = crate::csp::inline_scripts(&page);
        assert_eq!(scripts.len(), 1);
        assert!(scripts[0].starts_with(MARKER));
    }
}
