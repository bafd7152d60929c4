//! Message catalogs: parsing a locale file, filling in placeholders, choosing plural forms, and checking a
//! translation against English. DOM-free (native unit tests); the plural rule and number format come in as
//! functions, so the browser can pass `Intl`'s and native tests a simple English rule.
//!
//! A locale file is one flat JSON object: message id → text, or → an object of CLDR plural forms (`zero`, `one`,
//! `two`, `few`, `many`, `other`; `other` required) chosen by the message's `count` argument. Placeholders are
//! `{name}`; a `{` without a closing `}` is literal text.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Deserialize;

/// The CLDR plural categories `Intl.PluralRules.select` answers.
pub const PLURAL_CATEGORIES: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

/// The argument that selects a plural form.
pub const COUNT_ARG: &str = "count";

/// One message of a catalog.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Entry {
    Text(String),
    /// Plural category → text.
    Plural(BTreeMap<String, String>),
}

impl Entry {
    /// Every text of the entry (one, or each plural form).
    fn texts(&self) -> Vec<&str> {
        match self {
            Entry::Text(text) => vec![text],
            Entry::Plural(forms) => forms.values().map(String::as_str).collect(),
        }
    }
}

/// A parsed locale file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    entries: HashMap<String, Entry>,
}

impl Catalog {
    /// Parses a locale file (the JSON described in the module doc).
    pub fn parse(json: &str) -> Result<Self, String> {
        serde_json::from_str(json).map(|entries| Catalog { entries }).map_err(|e| format!("not a locale file: {e}"))
    }

    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.entries.get(id)
    }

    pub fn ids(&self) -> BTreeSet<&str> {
        self.entries.keys().map(String::as_str).collect()
    }
}

/// A value for a placeholder.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// Shown as is (a name, a URL, a server's own sentence).
    Text(String),
    /// A number, formatted for the language; `count` also picks the plural form.
    Number(f64),
    /// Another message, rendered in the same language (a reason inside a sentence).
    Msg(Msg),
}

/// A message to show: its id and its placeholder values. Pages and signals keep a `Msg` rather than a string, so
/// the text follows the language when it changes.
#[derive(Debug, Clone, PartialEq)]
pub struct Msg {
    pub id: &'static str,
    pub args: Vec<(&'static str, Arg)>,
}

impl Msg {
    pub fn new(id: &'static str) -> Self {
        Msg { id, args: Vec::new() }
    }

    pub fn text(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.args.push((name, Arg::Text(value.into())));
        self
    }

    pub fn number(mut self, name: &'static str, value: impl Into<f64>) -> Self {
        self.args.push((name, Arg::Number(value.into())));
        self
    }

    /// Sets `count` (the plural selector).
    pub fn count(self, value: usize) -> Self {
        self.number(COUNT_ARG, value as f64)
    }

    pub fn msg(mut self, name: &'static str, value: Msg) -> Self {
        self.args.push((name, Arg::Msg(value)));
        self
    }

    fn arg(&self, name: &str) -> Option<&Arg> {
        self.args.iter().find(|(n, _)| *n == name).map(|(_, arg)| arg)
    }
}

/// How a language picks plural forms and writes numbers (`Intl.PluralRules` / `Number.toLocaleString` in the
/// browser).
pub trait Grammar {
    /// The CLDR category of `n`.
    fn plural(&self, n: f64) -> String;
    fn number(&self, n: f64) -> String;
}

/// English's rule without `Intl`: for native tests and as the last fallback.
pub struct EnglishGrammar;

impl Grammar for EnglishGrammar {
    fn plural(&self, n: f64) -> String {
        if n == 1.0 { "one" } else { "other" }.to_owned()
    }
    fn number(&self, n: f64) -> String {
        n.to_string()
    }
}

/// A piece of a message text: literal text or a placeholder's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment<'a> {
    Text(&'a str),
    Placeholder(&'a str),
}

/// Splits a text into literal parts and `{placeholders}`.
pub fn segments(text: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|i| open + i) else { break };
        let name = &rest[open + 1..close];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            out.push(Segment::Text(&rest[..=open]));
            rest = &rest[open + 1..];
            continue;
        }
        if open > 0 {
            out.push(Segment::Text(&rest[..open]));
        }
        out.push(Segment::Placeholder(name));
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        out.push(Segment::Text(rest));
    }
    out
}

fn placeholders(text: &str) -> impl Iterator<Item = &str> {
    segments(text).into_iter().filter_map(|s| match s {
        Segment::Placeholder(name) => Some(name),
        Segment::Text(_) => None,
    })
}

/// The text of `msg` in `catalog` (falling back to `english` for a missing id, and to the id itself if English
/// lacks it too), before placeholders are filled in.
pub fn template<'a>(msg: &Msg, catalog: &'a Catalog, english: &'a Catalog, grammar: &dyn Grammar) -> &'a str {
    let (entry, grammar_fallback) = match catalog.get(msg.id) {
        Some(entry) => (Some(entry), false),
        None => (english.get(msg.id), true),
    };
    match entry {
        None => "",
        Some(Entry::Text(text)) => text,
        Some(Entry::Plural(forms)) => {
            let n = match msg.arg(COUNT_ARG) {
                Some(Arg::Number(n)) => *n,
                _ => 0.0,
            };
            let category = if grammar_fallback { EnglishGrammar.plural(n) } else { grammar.plural(n) };
            forms.get(&category).or_else(|| forms.get("other")).map(String::as_str).unwrap_or("")
        }
    }
}

/// `msg` as text: the template with every placeholder replaced by its argument (a missing argument stays
/// `{name}`, visible in testing rather than silently empty).
pub fn render(msg: &Msg, catalog: &Catalog, english: &Catalog, grammar: &dyn Grammar) -> String {
    let text = template(msg, catalog, english, grammar);
    if text.is_empty() && catalog.get(msg.id).is_none() && english.get(msg.id).is_none() {
        return msg.id.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    for segment in segments(text) {
        match segment {
            Segment::Text(text) => out.push_str(text),
            Segment::Placeholder(name) => match msg.arg(name) {
                Some(arg) => out.push_str(&render_arg(arg, catalog, english, grammar)),
                None => {
                    out.push('{');
                    out.push_str(name);
                    out.push('}');
                }
            },
        }
    }
    out
}

/// One argument as text.
pub fn render_arg(arg: &Arg, catalog: &Catalog, english: &Catalog, grammar: &dyn Grammar) -> String {
    match arg {
        Arg::Text(text) => text.clone(),
        Arg::Number(n) => grammar.number(*n),
        Arg::Msg(inner) => render(inner, catalog, english, grammar),
    }
}

/// What is wrong with a translation, compared with English: ids missing or extra, an entry of the other kind
/// (text vs plural forms), a plural without `other` or with a category CLDR does not have, a placeholder English
/// does not use. Empty when the file is fine.
pub fn check(english: &Catalog, translation_json: &str) -> Vec<String> {
    let translation = match Catalog::parse(translation_json) {
        Ok(catalog) => catalog,
        Err(error) => return vec![error],
    };
    let mut problems = Vec::new();
    let (ours, theirs) = (english.ids(), translation.ids());
    for id in ours.difference(&theirs) {
        problems.push(format!("missing message {id}"));
    }
    for id in theirs.difference(&ours) {
        problems.push(format!("message {id} is not in English"));
    }
    for id in ours.intersection(&theirs) {
        let (en, tr) = (&english.entries[*id], &translation.entries[*id]);
        match (en, tr) {
            (Entry::Text(_), Entry::Plural(_)) => problems.push(format!("{id}: plural forms, English has one text")),
            (Entry::Plural(_), Entry::Text(_)) => problems.push(format!("{id}: one text, English has plural forms")),
            (_, Entry::Plural(forms)) => {
                if !forms.contains_key("other") {
                    problems.push(format!("{id}: no \"other\" plural form"));
                }
                for category in forms.keys().filter(|c| !PLURAL_CATEGORIES.contains(&c.as_str())) {
                    problems.push(format!("{id}: \"{category}\" is not a plural category"));
                }
            }
            _ => {}
        }
        let allowed: BTreeSet<&str> = en.texts().into_iter().flat_map(placeholders).collect();
        let used: BTreeSet<&str> = tr.texts().into_iter().flat_map(placeholders).collect();
        for name in used.difference(&allowed) {
            problems.push(format!("{id}: placeholder {{{name}}} is not in English"));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn english() -> Catalog {
        Catalog::parse(
            r#"{"hello": "Hello {name}!", "keys": {"one": "your passkey", "other": "your {count} passkeys"},
                "why": "Not saved: {reason}", "reason": "offline"}"#,
        )
        .unwrap()
    }

    #[test]
    fn fills_placeholders_and_nested_messages() {
        let en = english();
        let text = |msg: &Msg| render(msg, &en, &en, &EnglishGrammar);
        assert_eq!(text(&Msg::new("hello").text("name", "<b>Ada</b>")), "Hello <b>Ada</b>!");
        assert_eq!(text(&Msg::new("why").msg("reason", Msg::new("reason"))), "Not saved: offline");
        assert_eq!(text(&Msg::new("hello")), "Hello {name}!", "a missing argument stays visible");
        assert_eq!(text(&Msg::new("no.such.id")), "no.such.id");
    }

    #[test]
    fn plural_forms_follow_the_grammar() {
        let en = english();
        let text = |n| render(&Msg::new("keys").count(n), &en, &en, &EnglishGrammar);
        assert_eq!(text(1), "your passkey");
        assert_eq!(text(0), "your 0 passkeys");
        assert_eq!(text(2), "your 2 passkeys");
        struct AlwaysFew;
        impl Grammar for AlwaysFew {
            fn plural(&self, _: f64) -> String {
                "few".into()
            }
            fn number(&self, n: f64) -> String {
                format!("#{n}")
            }
        }
        let pl =
            Catalog::parse(r#"{"keys": {"one": "1", "few": "{count} klucze", "other": "{count} kluczy"}}"#).unwrap();
        assert_eq!(render(&Msg::new("keys").count(3), &pl, &en, &AlwaysFew), "#3 klucze");
        // Missing in the translation: English text with English's rule.
        assert_eq!(render(&Msg::new("hello").text("name", "x"), &pl, &en, &AlwaysFew), "Hello x!");
    }

    #[test]
    fn segments_keep_stray_braces_as_text() {
        assert_eq!(
            segments("a {b} c{ d}{e"),
            [Segment::Text("a "), Segment::Placeholder("b"), Segment::Text(" c{"), Segment::Text(" d}{e")]
        );
        assert_eq!(segments("{x}"), [Segment::Placeholder("x")]);
    }

    #[test]
    fn checker_accepts_a_good_translation() {
        let good = r#"{"hello": "¡Hola, {name}!", "keys": {"one": "tu clave", "many": "{count}", "other": "tus {count} claves"},
                       "why": "No guardado: {reason}", "reason": "sin conexión"}"#;
        assert_eq!(check(&english(), good), Vec::<String>::new());
    }

    #[test]
    fn checker_names_every_problem() {
        let broken = r#"{"hello": "Hola {nombre}", "keys": {"one": "x", "several": "y"}, "why": {"other": "z"},
                         "extra": "e"}"#;
        let problems = check(&english(), broken);
        for expected in [
            "missing message reason",
            "message extra is not in English",
            "hello: placeholder {nombre} is not in English",
            "keys: no \"other\" plural form",
            "keys: \"several\" is not a plural category",
            "why: plural forms, English has one text",
        ] {
            assert!(problems.iter().any(|p| p == expected), "{expected} not in {problems:?}");
        }
        assert_eq!(problems.len(), 6, "{problems:?}");
        assert!(check(&english(), "[1, 2]")[0].starts_with("not a locale file"));
        assert!(check(&english(), r#"{"hello": 3}"#)[0].starts_with("not a locale file"));
    }
}
