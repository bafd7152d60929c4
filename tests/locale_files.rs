//! Every locale file under `locales/spa/` has exactly English's message ids, the same kind of entry (text or
//! plural forms), valid plural categories, and no placeholder English lacks; and there is a file for every
//! language of `Lang::ALL` and none other. Native: the files are read from the source tree.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeSet;
use std::path::Path;

use leptos_passage::i18n::catalog::{check, Catalog};
use leptos_passage::i18n::{Lang, ENGLISH_JSON, LOCALES_DIR};

fn dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(LOCALES_DIR)
}

#[test]
fn every_translation_matches_english() {
    let english = Catalog::parse(ENGLISH_JSON).expect("en.json parses");
    assert!(english.ids().len() > 50, "English lists the SPA's messages");
    let mut failures = Vec::new();
    for lang in Lang::ALL.into_iter().filter(|lang| *lang != Lang::En) {
        let path = dir().join(format!("{}.json", lang.code()));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for problem in check(&english, &text) {
            failures.push(format!("{}: {problem}", lang.code()));
        }
    }
    assert!(failures.is_empty(), "locale files disagree with en.json:\n{}", failures.join("\n"));
}

#[test]
fn one_file_per_language_and_no_other() {
    let found: BTreeSet<String> = std::fs::read_dir(dir())
        .expect("locales/spa exists")
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let expected: BTreeSet<String> = Lang::ALL.iter().map(|lang| format!("{}.json", lang.code())).collect();
    assert_eq!(found, expected);
}

#[test]
fn english_file_is_the_compiled_in_one() {
    assert_eq!(std::fs::read_to_string(dir().join("en.json")).unwrap(), ENGLISH_JSON);
}

#[test]
fn the_checker_catches_a_broken_copy_of_a_real_file() {
    let english = Catalog::parse(ENGLISH_JSON).unwrap();
    let german = std::fs::read_to_string(dir().join("de.json")).unwrap();
    let mut broken: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&german).unwrap();
    broken.remove("login.title");
    broken.insert("dashboard.welcome_name".into(), "Willkommen {nmae}!".into());
    broken.insert("delete.line.passkeys".into(), serde_json::json!({ "one": "Ihr Passkey" }));
    broken.insert("login.typo".into(), "x".into());
    let problems = check(&english, &serde_json::to_string(&broken).unwrap());
    assert_eq!(
        problems.into_iter().collect::<BTreeSet<_>>(),
        [
            "missing message login.title",
            "message login.typo is not in English",
            "dashboard.welcome_name: placeholder {nmae} is not in English",
            "delete.line.passkeys: no \"other\" plural form",
        ]
        .map(str::to_owned)
        .into_iter()
        .collect()
    );
    assert!(check(&english, &german[..german.len() / 2])[0].starts_with("not a locale file"));
}
