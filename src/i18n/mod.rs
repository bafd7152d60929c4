//! The SPA's languages: every text a person sees is a message id looked up here (error enums map their stable
//! `code` to an id), rendered in the chosen language, and re-rendered when the language changes.
//!
//! English is compiled in (`locales/spa/en.json`); each other language is `locales/spa/{code}.json`, copied to
//! `dist/` by Trunk and fetched only when chosen (see ARCHITECTURE.md "Languages" for why). Plural forms and
//! numbers come from the browser's `Intl` (CLDR), not from a crate in the wasm.
//!
//! The state is one per page (a `thread_local`): the language signal and the catalog signal. Pages read them in
//! reactive closures ([`text`], [`tr`], [`with_slots`]), so a switch updates texts in place: no re-render of the
//! page, and nothing typed is lost. [`start`] picks the language at load (stored choice, else
//! `navigator.languages`); [`choose`] is the picker's.

pub mod catalog;
pub mod lang;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::sync::Arc;

use leptos::prelude::*;

pub use catalog::{Arg, Catalog, Msg, Segment};
pub use lang::{negotiate, Lang};

/// English, the fallback for every id, compiled in.
pub const ENGLISH_JSON: &str = include_str!("../../locales/spa/en.json");

/// Where the other languages' files are, relative to the document base.
pub const LOCALES_DIR: &str = "locales/spa";

/// The localStorage key of the picker's choice. Not `psg_`-prefixed: signing out clears those, and the language
/// is the browser's choice, not the session's.
pub const STORAGE_KEY: &str = "spa_lang";

struct State {
    lang: ArcRwSignal<Lang>,
    catalog: ArcRwSignal<Arc<Catalog>>,
    english: Arc<Catalog>,
    loaded: RefCell<HashMap<Lang, Arc<Catalog>>>,
    /// The latest language asked for: a slower earlier fetch must not undo a later choice.
    requested: Cell<Lang>,
}

thread_local! {
    static STATE: State = {
        let english = Arc::new(Catalog::parse(ENGLISH_JSON).expect("en.json is checked by the tests"));
        State {
            lang: ArcRwSignal::new(Lang::En),
            catalog: ArcRwSignal::new(Arc::clone(&english)),
            english,
            loaded: RefCell::new(HashMap::new()),
            requested: Cell::new(Lang::En),
        }
    };
}

/// The current language (tracked: a reactive closure that calls it re-runs on a switch).
pub fn lang() -> Lang {
    STATE.with(|state| state.lang.get())
}

/// `msg` in the current language (tracked).
pub fn tr(msg: &Msg) -> String {
    let (catalog, english, lang) =
        STATE.with(|state| (state.catalog.get(), Arc::clone(&state.english), state.lang.get()));
    catalog::render(msg, &catalog, &english, &grammar(lang))
}

/// The message `id` (no placeholders) in the current language (tracked).
pub fn t(id: &'static str) -> String {
    tr(&Msg::new(id))
}

/// A view child that shows message `id` and follows the language.
pub fn text(id: &'static str) -> impl Fn() -> String + Copy + Send + Sync + 'static {
    move || t(id)
}

/// `msg` in English with English's plural rule, no `Intl` needed (native tests of modules that build messages).
pub fn english(msg: &Msg) -> String {
    STATE.with(|state| catalog::render(msg, &state.english, &state.english, &catalog::EnglishGrammar))
}

/// A message whose placeholders are views (a `<strong>`, a `<time>`, a link), so translations can put them where
/// their grammar wants. `slot(name)` gives the view for a placeholder; a placeholder it leaves out is filled from
/// `msg`'s arguments as text. Text parts are text nodes (never HTML).
pub fn with_slots<V: IntoView + 'static>(
    msg: Msg,
    slot: impl Fn(&str) -> Option<V> + Send + Sync + 'static,
) -> impl IntoView {
    move || {
        let (catalog, english, lang) =
            STATE.with(|state| (state.catalog.get(), Arc::clone(&state.english), state.lang.get()));
        let grammar = grammar(lang);
        let template = catalog::template(&msg, &catalog, &english, &grammar).to_owned();
        catalog::segments(&template)
            .into_iter()
            .map(|segment| match segment {
                Segment::Text(text) => text.to_owned().into_any(),
                Segment::Placeholder(name) => match slot(name) {
                    Some(view) => view.into_any(),
                    None => msg
                        .args
                        .iter()
                        .find(|(n, _)| *n == name)
                        .map(|(_, arg)| catalog::render_arg(arg, &catalog, &english, &grammar))
                        .unwrap_or_default()
                        .into_any(),
                },
            })
            .collect_view()
    }
}

/// The slot function for a message with a `{link}`: an `<a href>` showing message `text`. A plain `<a>` (the
/// router handles clicks on every same-origin link), with `href` computed by the caller: slot views are rebuilt on
/// every switch, and a router component there would look up the router's context again, from wherever the
/// switch happens to run it.
pub fn link_slot(href: String, text: &'static str) -> impl Fn(&str) -> Option<AnyView> + Send + Sync + 'static {
    move |slot| (slot == "link").then(|| view! { <a href=href.clone()>{self::text(text)}</a> }.into_any())
}

/// The CLDR plural category of `n` in `lang`, from `Intl.PluralRules` (English's rule outside the browser).
pub fn plural_category(lang: Lang, n: f64) -> String {
    catalog::Grammar::plural(&grammar(lang), n)
}

/// The browser's grammar for a language.
struct IntlGrammar(Lang);

impl catalog::Grammar for IntlGrammar {
    fn plural(&self, n: f64) -> String {
        if cfg!(target_arch = "wasm32") {
            let locales = js_sys::Array::of1(&self.0.code().into());
            js_sys::Intl::PluralRules::new(&locales, &js_sys::Object::new()).select(n).into()
        } else {
            catalog::EnglishGrammar.plural(n)
        }
    }
    fn number(&self, n: f64) -> String {
        if cfg!(target_arch = "wasm32") {
            js_sys::Number::from(n).to_locale_string(self.0.code()).into()
        } else {
            catalog::EnglishGrammar.number(n)
        }
    }
}

fn grammar(lang: Lang) -> IntlGrammar {
    IntlGrammar(lang)
}

/// The language to start with: the picker's stored choice, else the first supported of `navigator.languages`.
pub fn initial_lang() -> Lang {
    let stored = crate::browser::local_storage()
        .and_then(|storage| storage.get_item(STORAGE_KEY).ok().flatten())
        .and_then(|code| Lang::from_code(&code));
    stored.unwrap_or_else(|| {
        let preferences: Vec<String> = web_sys::window()
            .map(|window| window.navigator().languages().iter().filter_map(|tag| tag.as_string()).collect())
            .unwrap_or_default();
        negotiate(preferences.iter().map(String::as_str))
    })
}

/// At load: switches to [`initial_lang`] (fetching its file unless English). Never fails: a file that cannot be
/// had leaves the page in English (and says why in the console).
pub async fn start() {
    switch_to(initial_lang()).await;
}

/// The picker's choice: remembered in localStorage, then applied without a reload.
pub async fn choose(lang: Lang) {
    if let Some(storage) = crate::browser::local_storage() {
        let _ = storage.set_item(STORAGE_KEY, lang.code());
    }
    switch_to(lang).await;
}

/// Loads `lang`'s catalog (once per page), then switches texts, `<html lang dir>` and (through [`lang`]) the
/// elements' `lang` together.
pub async fn switch_to(lang: Lang) {
    STATE.with(|state| state.requested.set(lang));
    let cached = STATE.with(|state| {
        if lang == Lang::En {
            Some(Arc::clone(&state.english))
        } else {
            state.loaded.borrow().get(&lang).cloned()
        }
    });
    let catalog = match cached {
        Some(catalog) => catalog,
        None => match fetch_catalog(lang).await {
            Ok(catalog) => {
                let catalog = Arc::new(catalog);
                STATE.with(|state| state.loaded.borrow_mut().insert(lang, Arc::clone(&catalog)));
                catalog
            }
            Err(problem) => {
                leptos::logging::warn!(
                    "the {} texts could not be loaded; staying in the current language: {problem}",
                    lang.code()
                );
                return;
            }
        },
    };
    if STATE.with(|state| state.requested.get()) != lang {
        return;
    }
    STATE.with(|state| {
        state.catalog.set(catalog);
        state.lang.set(lang);
    });
    set_document_language(lang);
}

/// `<html lang>` and `<html dir>` (screen readers' voice, fonts, hyphenation; the mirrored layout for Arabic).
pub fn set_document_language(lang: Lang) {
    if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = root.set_attribute("lang", lang.code());
        let _ = root.set_attribute("dir", lang.dir());
    }
}

/// The URL of a language's file, against the document base (a sub-path deploy reads its own copy).
pub fn catalog_url(lang: Lang) -> String {
    let file = format!("{LOCALES_DIR}/{}.json", lang.code());
    crate::config::resolve_against(&crate::browser::document_base(), &file).unwrap_or(file)
}

async fn fetch_catalog(lang: Lang) -> Result<Catalog, String> {
    let url = catalog_url(lang);
    let response = gloo_net::http::Request::get(&url).send().await.map_err(|e| format!("{url}: {e}"))?;
    if !response.ok() {
        return Err(format!("{url}: HTTP status {}", response.status()));
    }
    let body = response.text().await.map_err(|e| format!("{url}: {e}"))?;
    Catalog::parse(&body).map_err(|e| format!("{url}: {e}"))
}
