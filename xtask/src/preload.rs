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
//! On the register route the script also creates `<passage-register>` itself, as soon as its module is defined
//! and `config.json` has arrived (both requested from the HTML), in the page's static frame (`.boot-shell`,
//! turned into the card's outline): the e-mail field shows and the element's own API calls start while the wasm
//! is still downloading, instead of after it has booted (issue 13, goal 3: the wasm is the larger download, and
//! the element used to wait for all of it). The element gets what the SPA would give it (`app-id`, the SPA's
//! language, the theme, the three globals, from the `config.json` of this deployment, read as `src/config.rs`
//! reads it) and a `beforeAuth` that refuses: nothing can be registered before the app is there to ask for the
//! name. The app takes that response of `config.json` rather than fetching again (`src/config_loader.rs`), and
//! the register page takes the element over, with what was typed into it and its focus (`src/early_element.rs`);
//! should the two readings of `config.json` ever differ, the app discards the element and makes its own. URLs
//! carrying a `psg_` parameter (a magic link, a verification link) get no early element: the element would act
//! on them at once, and its `onSuccess` must be the app's.
//!
//! On that route the wasm also waits for the element's module before it downloads ([`gated_wasm`]): the person sees
//! the element first, and on a slow link the two used to share the bandwidth, so the element came in at the pace of
//! both. Elsewhere the wasm's preload starts from the HTML as Trunk wrote it.
//!
//! The preloads and the preconnect come from the deployment's `config.json` at build time (`elements_url`,
//! `auth_url`), like the CSP: a config.json swapped in after the build only makes those hints miss (a wasted
//! download), never break the page.

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

/// The element the script creates before the wasm runs, and the route segment it does so on. The rest comes from
/// the `config.json` the script fetches (the preload's response), normalised as `src/config.rs` does (trimmed, no
/// trailing slash, the locales beside the auth server unless configured, `elements_url`, by default
/// [`DEFAULT_ELEMENTS_URL`], resolved against the document base).
const EARLY_ELEMENT: (&str, &str) = ("passage-register", "register");

/// Adds the route's element preloads and the auth server's preconnect to `dist/index.html`, for `config_json`
/// (the deployment's configuration, already in `dist/`).
pub fn write_into(dist: &Path, config_json: &str) -> Result<()> {
    let index = dist.join("index.html");
    let html = std::fs::read_to_string(&index).with_context(|| format!("reading {}", index.display()))?;
    let config: serde_json::Value = serde_json::from_str(config_json).context("config.json is not JSON")?;
    let text = |key: &str| config_text(&config, key);
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
    let (html, wasm) = gated_wasm(&html)?;
    let hints = hints(&routes, auth_origin.as_deref(), &spa_languages(dist)?, &wasm)?;
    std::fs::write(&index, with_hints(&html, &hints)?)?;
    Ok(())
}

/// Trunk's preload of the wasm: what the script adds back on every route but the early element's.
#[derive(Debug, PartialEq, Eq)]
struct WasmPreload {
    href: String,
    integrity: Option<String>,
}

/// How long the wasm waits for the early element's module at most: on a request that hangs, the page then loads
/// as it would without the wait.
const WASM_GATE_MS: u32 = 3000;

/// Trunk's statement that fetches and starts the wasm, in its module script (Trunk 0.21's template).
const TRUNK_WASM_START: &str = "const wasm = await init(";

/// `html` with the wasm's start gated: Trunk's `<link rel=preload>` of the wasm taken out (the script puts it back,
/// see [`hints`]), and Trunk's module script waiting for `window.psgWasmGate` before it fetches the wasm.
///
/// Why: on the register route the early element is what the person sees first, and its modules (about 145 KB)
/// shared the link with the larger wasm (about 230 KB), so the element came in at about the pace of both. There the
/// script sets the gate to the element's module (or [`WASM_GATE_MS`], whichever is first), so the wasm downloads
/// after it; everywhere else the gate is never set (`await undefined`) and the preload starts from the HTML as
/// before. A page built without this step (plain `trunk build`) keeps Trunk's own preload and start.
fn gated_wasm(html: &str) -> Result<(String, WasmPreload)> {
    let tag = crate::html::start_tags(html, "link")
        .find(|tag| {
            tag.attribute("rel").is_some_and(|rel| rel.eq_ignore_ascii_case("preload"))
                && tag.attribute("type").is_some_and(|kind| kind.eq_ignore_ascii_case("application/wasm"))
        })
        .context("index.html has no preload of the wasm (Trunk writes `<link rel=preload type=application/wasm>`)")?;
    let href = tag.attribute("href").filter(|href| !href.is_empty()).context("the wasm's preload has no href")?;
    let integrity = tag.attribute("integrity").filter(|integrity| !integrity.is_empty()).map(str::to_owned);
    let wasm = WasmPreload { href: href.to_owned(), integrity };
    let html = format!("{}{}", &html[..tag.start], &html[tag.end..]);
    if html.matches(TRUNK_WASM_START).count() != 1 {
        bail!(
            "index.html does not start the wasm exactly once with `{TRUNK_WASM_START}`: Trunk's page template differs \
             from Trunk {}'s; update TRUNK_WASM_START in xtask/src/preload.rs to its statement",
            crate::setup::TRUNK_VERSION
        );
    }
    Ok((html.replacen(TRUNK_WASM_START, &format!("await window.psgWasmGate;\n{TRUNK_WASM_START}"), 1), wasm))
}

/// A non-empty string value of `config.json`, trimmed.
fn config_text<'a>(config: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    config.get(key).and_then(|v| v.as_str()).map(str::trim).filter(|v| !v.is_empty())
}

/// The SPA's language codes: English (compiled in) and one per `locales/spa/{code}.json` Trunk copied.
fn spa_languages(dist: &Path) -> Result<Vec<String>> {
    let folder = dist.join("locales/spa");
    let mut codes = vec!["en".to_owned()];
    for entry in std::fs::read_dir(&folder).with_context(|| format!("reading {}", folder.display()))? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if let Some(code) = name.strip_suffix(".json").filter(|code| *code != "en") {
            codes.push(code.to_owned());
        }
    }
    codes[1..].sort();
    Ok(codes)
}

/// The element's `lang` as `src/i18n/mod.rs` (`initial_lang`) and `src/i18n/lang.rs` (`Lang::for_tag`) choose the
/// SPA's: the picker's stored choice, else the first supported of `navigator.languages` by primary subtag (`zh`
/// only when not Traditional), else English. Should the two ever disagree, the app corrects the attribute when it
/// takes the element over (the element switches language in place); `n-languages.spec.ts` checks they agree.
const LANG_CHOICE: &str =
    "function(c){try{var v=localStorage.getItem('spa_lang');if(c.indexOf(v)>=0)return v}catch(x){}\
var n=navigator.languages||[];for(var i=0;i<n.length;i++){var t=String(n[i]).trim().toLowerCase().replace(/_/g,'-')\
.split('-'),q=t[0],o=t.slice(1);if(q==='zh'){if(o.indexOf('hans')>=0||!o.some(function(x){return x==='hant'||\
x==='tw'||x==='hk'||x==='mo'}))return 'zh-CN';continue}for(var j=0;j<c.length;j++)if(c[j].split('-')[0]\
.toLowerCase()===q)return c[j]}return 'en'}";

/// Creates the early element (see the module's comment) once its module `m` is defined. The frame becomes the
/// card: placeholders where the app will put the heading and the name field (so the element hardly moves when
/// the app takes over), then the element. Not when the app has already put an element on the page. It notes
/// whether the person has pressed a key or pointed at the page since (`psgEarly.touched`): only then is the focus
/// theirs to keep when the app takes over, rather than where the element's own autofocus put it; and whether a
/// Continue was refused (`psgEarly.refused`), which the register page then answers by asking for the name.
const EARLY_SCRIPT: &str = "if(!G)return;var w=window,\
c=fetch(new URL('config.json',document.baseURI).href,{cache:'no-cache'});w.psgConfigResponse=c;\
Promise.all([m,c.then(function(r){return r.ok?r.clone().json():null})]).then(function(v){var g=v[1];\
function t(k){var x=g&&g[k];return typeof x==='string'&&x.trim()?x.trim():null}var a=t('app_id'),o=t('auth_url'),\
th=t('theme');if(!a||!o)return;o=o.replace(/\\/+$/,'');w.PASSAGE_AUTH_ORIGIN=o;\
w.PASSAGE_LOCALES_URL=(t('locales_url')||o+'/locales').replace(/\\/+$/,'');\
w.PASSAGE_ELEMENTS_URL=new URL(t('elements_url')||e.elements,document.baseURI).href.replace(/\\/+$/,'');\
th=th==='light'||th==='dark'?th:'auto';function go(){var h=document.querySelector('body>.boot-shell');\
if(!h||document.querySelector(e.tag))return;document.documentElement.setAttribute('data-theme',th);\
var el=document.createElement(e.tag);el.setAttribute('app-id',a);el.setAttribute('lang',(L)(e.langs));\
el.setAttribute('theme',th);el.setAttribute('data-early','');\
var q=el.psgEarly={auth:w.PASSAGE_AUTH_ORIGIN,locales:w.PASSAGE_LOCALES_URL,elements:w.PASSAGE_ELEMENTS_URL};\
function u(){q.touched=true}document.addEventListener('pointerdown',u,true);\
document.addEventListener('keydown',u,true);\
el.beforeAuth=function(){q.refused=true;return false};h.removeAttribute('aria-hidden');h.classList.add('early');\
function d(t,c,p){var x=document.createElement(t);x.className=c;p.appendChild(x);return x}h.textContent='';\
var k=d('div','early-placeholder',h);k.setAttribute('aria-hidden','true');d('i','early-heading',k);\
d('i','early-label',k);d('i','early-input',k);d('div','element-slot',h).appendChild(el)}\
document.readyState==='loading'?document.addEventListener('DOMContentLoaded',go):go()},function(){})";

/// The preconnect and the inline script choosing the route's preloads, gating the wasm (see [`gated_wasm`]) and
/// creating the early element, whose `lang` is one of `langs` (the SPA's language codes, [`spa_languages`]).
fn hints(
    routes: &[(String, Vec<String>)],
    auth_origin: Option<&str>,
    langs: &[String],
    wasm: &WasmPreload,
) -> Result<String> {
    let table = script_json(
        &serde_json::to_value(routes.iter().cloned().collect::<std::collections::BTreeMap<_, _>>())?,
        "a preload path",
    )?;
    let (tag, route) = EARLY_ELEMENT;
    let early_json = script_json(
        &serde_json::json!({"tag": tag, "route": route, "elements": DEFAULT_ELEMENTS_URL, "langs": langs}),
        "a language file's name",
    )?;
    let early_script = EARLY_SCRIPT.replacen("(L)", &format!("({LANG_CHOICE})"), 1);
    let wasm_json =
        script_json(&serde_json::json!({"href": wasm.href, "integrity": wasm.integrity}), "the wasm's URL")?;
    // `crossorigin`: the elements' fetches are CORS requests without credentials, which use their own connections.
    let preconnect =
        auth_origin.map(|origin| format!(r#"<link rel="preconnect" href="{origin}" crossorigin>"#)).unwrap_or_default();
    // The entry is imported too, so the element is defined while the wasm boots; the SPA's script for the same URL
    // then shares that one module. A failed import is the SPA's to report (it loads the same URL), not a console error.
    // `G`: this page gets the early element (the register route, no `psg_` parameter), so the wasm waits for the
    // element's module; elsewhere the wasm's preload goes in after the element's, where Trunk had it.
    let script = format!(
        "<script>{MARKER}(function(){{var r={table},e={early_json},k={wasm_json},\
         b=new URL(document.baseURI).pathname,p=location.pathname,\
         s=p.indexOf(b)===0?p.slice(b.length).split('/')[0]:null,f=r[s]||[],\
         G=f.length>0&&s===e.route&&!/[?&]psg_/.test(location.search);for(var i=0;i<f.length;i++){{\
         var l=document.createElement('link');l.rel='modulepreload';l.href=f[i];document.head.appendChild(l)}}\
         if(!G){{l=document.createElement('link');l.rel='preload';l.as='fetch';l.type='application/wasm';\
         l.crossOrigin='anonymous';if(k.integrity)l.integrity=k.integrity;l.href=k.href;document.head.appendChild(l)}}\
         if(!f.length)return;var m=import(new URL(f[0],document.baseURI).href);m.catch(function(){{}});\
         if(G)window.psgWasmGate=Promise.race([m,new Promise(function(z){{setTimeout(z,{WASM_GATE_MS})}})])\
         .then(function(){{}},function(){{}});{early_script}}})()</script>"
    );
    Ok(format!("{preconnect}{script}"))
}

/// `value` as JSON to write into the inline script. Refused when it holds `</` (which would end the script, as
/// `</script` does) or `<!--` (which changes how the script is parsed); `what` names the value for the error.
fn script_json(value: &serde_json::Value, what: &str) -> Result<String> {
    let json = value.to_string();
    if json.contains("</") || json.contains("<!--") {
        bail!("{what} cannot go into the page's inline script (it contains `</` or `<!--`): {json}");
    }
    Ok(json)
}

/// `html` with `hints` after the `<base>` element (the script resolves paths against it) and after the preload of
/// `config.json`, if the page has one: the script's own `fetch` of the file then takes that preload's response
/// rather than requesting it a second time. Trunk writes a fresh `index.html` on each build, so hints already
/// there mean a second run on the same output: refused.
fn with_hints(html: &str, hints: &str) -> Result<String> {
    if html.contains(MARKER) {
        bail!("index.html already has the element preloads");
    }
    let base_end = crate::html::start_tags(html, "base")
        .next()
        .context("index.html has no <base> (Trunk writes it for data-trunk-public-url)")?
        .end;
    // Trunk minifies the page (attributes reordered, quotes dropped): read as attributes.
    let config_preload = crate::html::start_tags(html, "link")
        .filter(|tag| tag.start >= base_end)
        .find(|tag| {
            tag.attribute("rel").is_some_and(|rel| rel.eq_ignore_ascii_case("preload"))
                && tag.attribute("href").is_some_and(|href| href.ends_with("config.json"))
        })
        .map(|tag| tag.end);
    let end = config_preload.unwrap_or(base_end);
    Ok(format!("{}{hints}{}", &html[..end], &html[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wasm() -> WasmPreload {
        WasmPreload { href: "/app_bg.wasm".to_owned(), integrity: Some("sha384-abc+/=".to_owned()) }
    }

    /// Trunk 0.21's minified output: the wasm's preload and the module script that starts it.
    const TRUNK_PAGE: &str = "<base href=/><script type=module>import init, * as bindings from '/app.js';\n\
        const wasm = await init({ module_or_path: '/app_bg.wasm' });\n</script>\
        <link crossorigin href=/app.js integrity=sha384-js rel=modulepreload>\
        <link as=fetch crossorigin href=/app_bg.wasm integrity=sha384-abc+/= rel=preload type=application/wasm>";

    #[test]
    fn the_wasm_preload_moves_into_the_script_and_the_start_waits_for_the_gate() {
        let (page, wasm_preload) = gated_wasm(TRUNK_PAGE).unwrap();
        assert_eq!(wasm_preload, wasm());
        assert!(!page.contains("application/wasm"), "{page}");
        assert!(page.contains("<link crossorigin href=/app.js integrity=sha384-js rel=modulepreload>"), "{page}");
        assert!(page.contains("await window.psgWasmGate;\nconst wasm = await init({"), "{page}");
        // Nothing to gate (a page Trunk did not write, or a second run) is refused.
        assert!(gated_wasm("<base href=/><script type=module>init()</script>").is_err());
        let started_twice = format!("{TRUNK_PAGE}<script>const wasm = await init(x)</script>");
        assert!(gated_wasm(&started_twice).is_err());
    }

    #[test]
    fn only_the_early_element_route_gates_the_wasm() {
        let script = hints(&routes(), None, &[], &wasm()).unwrap();
        assert!(script.contains(r#"k={"href":"/app_bg.wasm","integrity":"sha384-abc+/="}"#), "{script}");
        assert!(script.contains("G=f.length>0&&s===e.route&&!/[?&]psg_/.test(location.search)"), "{script}");
        assert!(script.contains("if(!G){l=document.createElement('link');l.rel='preload'"), "{script}");
        assert!(script.contains("if(G)window.psgWasmGate=Promise.race([m,"), "{script}");
        let odd = WasmPreload { href: "/</script>.wasm".to_owned(), integrity: None };
        assert!(hints(&routes(), None, &[], &odd).is_err());
    }

    fn routes() -> Vec<(String, Vec<String>)> {
        vec![
            ("register".to_owned(), vec!["el/passage-register.js".to_owned(), "el/chunks/a.js".to_owned()]),
            ("".to_owned(), vec!["el/passage-login.js".to_owned()]),
        ]
    }

    #[test]
    fn the_hints_go_after_the_base_once() {
        let html = r#"<!doctype html><html><meta charset=utf-8><base href="/app/"><title>x</title>"#;
        let hints = hints(&routes(), Some("https://auth.example"), &[], &wasm()).unwrap();
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
    fn the_hints_go_after_the_preload_of_the_configuration() {
        let html = r#"<base href="/"><link rel="preload" href="config.json" as="fetch" crossorigin /><title>x</title>"#;
        let page = with_hints(html, "<script>H</script>").unwrap();
        assert_eq!(
            page,
            r#"<base href="/"><link rel="preload" href="config.json" as="fetch" crossorigin /><script>H</script><title>x</title>"#
        );
        let minified = r#"<base href=/><link as=fetch crossorigin href=config.json rel=preload><title>x</title>"#;
        assert_eq!(
            with_hints(minified, "<i>").unwrap(),
            r#"<base href=/><link as=fetch crossorigin href=config.json rel=preload><i><title>x</title>"#
        );
        // A link to the file that is not a preload does not count.
        let page = with_hints(r#"<base href="/"><link rel="help" href="config.json">"#, "<i>").unwrap();
        assert_eq!(page, r#"<base href="/"><i><link rel="help" href="config.json">"#);
    }

    #[test]
    fn the_register_route_gets_the_early_element() {
        let script = hints(&routes(), None, &["en".to_owned()], &wasm()).unwrap();
        assert!(
            script.contains(
                r#"e={"elements":"vendor/passage-elements","langs":["en"],"route":"register","tag":"passage-register"}"#
            ),
            "{script}"
        );
        assert!(script.contains("localStorage.getItem('spa_lang')"), "{script}");
        assert!(hints(&routes(), None, &["</script>".to_owned()], &wasm()).is_err());
    }

    #[test]
    fn the_languages_are_english_and_the_copied_files() {
        let dist = std::env::temp_dir().join(format!("xtask-preload-langs-{}", std::process::id()));
        std::fs::create_dir_all(dist.join("locales/spa")).unwrap();
        for name in ["pt-BR.json", "en.json", "de.json", "README"] {
            std::fs::write(dist.join("locales/spa").join(name), "{}").unwrap();
        }
        let langs = spa_languages(&dist);
        std::fs::remove_dir_all(&dist).unwrap();
        assert_eq!(langs.unwrap(), ["en", "de", "pt-BR"]);
    }

    #[test]
    fn without_an_auth_origin_there_is_no_preconnect() {
        let hints = hints(&routes(), None, &[], &wasm()).unwrap();
        assert!(hints.starts_with("<script>") && !hints.contains("preconnect"));
    }

    #[test]
    fn the_script_is_one_inline_script_the_csp_hashes() {
        let page = with_hints("<base href=/>", &hints(&routes(), None, &[], &wasm()).unwrap()).unwrap();
        let scripts = crate::csp::inline_scripts(&page);
        assert_eq!(scripts.len(), 1);
        assert!(scripts[0].starts_with(MARKER));
    }
}
