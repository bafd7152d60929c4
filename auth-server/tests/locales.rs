//! Checks the locale files the real `@passageidentity/passage-elements@2.0.9` register/login/profile UI fetches from
//! `GET /locales/v2/{lang}.json` (passage-auth-api.md §6.4, PROFILE-API.md §6): `en.json` against the keys and
//! arguments the bundle uses, and every other shipped locale (`auth_server::locales::SHIPPED`) against `en.json`.
//!
//! The elements compile every message with vue-i18n 9.10 at runtime. A key that is missing renders
//! as the bare key, a placeholder that the code does not pass renders as nothing, and a message
//! the compiler rejects throws inside the element. These tests catch each of those before a
//! browser does.
//!
//! Plural forms: no message has any. vue-i18n splits a message on `|` and, because the elements create their i18n
//! without `pluralRules` (es.js `createI18n({ legacy: false, messages: {} })`), picks a form with its English-only
//! `pluralDefault` (0, 1, 2+ by index) whatever the language: Arabic's six CLDR forms could not be chosen right, so
//! `|` is refused in every locale (`check_messages`), and a count of one form per message is what every file has.

use std::collections::BTreeSet;

use auth_server::locales::{Locale, ENGLISH, SHIPPED};
use serde_json::{Map, Value};

/// Every key the register/login UI looks up, with the list placeholders `t(key, [...])` passes.
///
/// Appendix A of passage-auth-api.md, checked against the bundle's `t("...")` calls
/// (customElements.es.js / es2.js). Two corrections from the bundle: `found-existing-account`
/// and `link-your-account-to-social-provider` are called with the social provider's name as `{0}`
/// (es2.js lines 3653 and 3662), which Appendix A does not mark.
const APPENDIX_A_KEYS: &[(&str, &[u32])] = &[
    ("account-already-exists", &[0]),
    ("account-no-longer-active", &[]),
    ("add-passkey", &[]),
    ("already-have-an-account", &[]),
    ("back", &[]),
    ("cancel", &[]),
    ("change-isemail-email-phone", &[0]),
    ("check-email-to-login", &[]),
    ("check-email-to-register", &[]),
    ("check-phone-to-login", &[]),
    ("check-phone-to-register", &[]),
    ("close", &[]),
    ("code-invalid-or-expired", &[]),
    ("code-send-error", &[]),
    ("continue", &[]),
    ("continue-with-social", &[0]),
    ("device-login-failed-title", &[]),
    ("device-not-supported", &[]),
    ("devices-that-support-passkeys", &[]),
    ("devices-with-a-biometric-sensor-are-likely-to-support-passkeys", &[]),
    ("dont-have-an-account", &[]),
    ("easy-to-use", &[]),
    ("email", &[]),
    ("email-address", &[]),
    ("email-or-phone-number", &[]),
    ("enter-a-phone-number", &[]),
    ("enter-a-valid-email-address", &[]),
    ("enter-a-valid-email-or-phone-number", &[]),
    ("enter-a-valid-phone-number", &[]),
    ("enter-an-email-address", &[]),
    ("enter-an-email-or-phone-number", &[]),
    ("enter-code", &[]),
    ("enter-code-sent", &[0]),
    ("failed-to-add-this-device", &[]),
    ("found-existing-account", &[0]),
    ("invalid-app-id", &[]),
    ("invalid-link", &[]),
    ("learn-more", &[]),
    ("link-account", &[]),
    ("link-account-failed", &[]),
    ("link-invalid", &[]),
    ("link-your-account-to-social-provider", &[0]),
    ("log-in-with-a-passkey", &[]),
    ("log-into-your-account", &[]),
    ("login", &[]),
    ("login-here", &[]),
    ("login-link-invalid", &[]),
    ("login-not-supported", &[]),
    ("login-title", &[]),
    ("login-with-code", &[]),
    ("login-with-link", &[0]),
    ("message", &[]),
    ("messagetype-email", &[]),
    ("messagetype-sms", &[]),
    ("not-recognized", &[0]),
    ("or", &[]),
    ("otp-limit-error", &[]),
    ("passkey-create-fail-no-fallback", &[]),
    ("passkey-create-fail-try-code", &[]),
    ("passkey-create-fail-try-link", &[]),
    ("passkey-is-unique", &[]),
    ("passkey-login-fail-no-fallback", &[]),
    ("passkey-login-fail-try-code", &[]),
    ("passkey-login-fail-try-link", &[]),
    ("passkey-register-options", &[]),
    ("passkeys-are-a-simple", &[]),
    ("passkeys-are-a-simpler-and-more-secure-alternative", &[]),
    ("passkeys-are-now-required", &[]),
    ("passkeys-are-required", &[]),
    ("passkeys-not-supported-try-another-device", &[]),
    ("phone", &[]),
    ("phone-number", &[]),
    ("please-contact-support-to-regain-access", &[]),
    ("please-verify-identifier", &[0, 1]),
    ("private", &[]),
    ("public-registration-not-allowed", &[]),
    ("redirect-now", &[]),
    ("register-here", &[]),
    ("register-passkey-another-device", &[]),
    ("register-title", &[]),
    ("register-with-a-passkey", &[]),
    ("register-with-code", &[]),
    ("register-with-link", &[0]),
    ("register-with-passkey", &[]),
    ("register-your-account", &[]),
    ("registration", &[]),
    ("request-new-link", &[]),
    ("resend-code", &[]),
    ("resend-isemail-email-message", &[0]),
    ("return-to-login", &[]),
    ("secure", &[]),
    ("send-code", &[]),
    ("send-email-or-text-link", &[0]),
    ("session-invalid", &[]),
    ("sign-in-as", &[]),
    ("simple", &[]),
    ("skip", &[]),
    ("sms-text", &[]),
    ("something-went-wrong", &[]),
    ("success", &[]),
    ("successfully-changed-email", &[]),
    ("successfully-logged-in-redirect", &[]),
    ("switch-account", &[]),
    ("toggle-login", &[]),
    ("toggle-register", &[]),
    ("try-again", &[]),
    ("try-again-on-device-with-passkeys", &[]),
    ("unexpected-error", &[]),
    ("unlock-your-passkey", &[]),
    ("use-another-device", &[]),
    ("verification-failed-please-try-again", &[]),
    ("verify-account", &[]),
    ("verify-email-to-login", &[]),
    ("verify-email-to-register", &[]),
    ("verify-phone-to-login", &[]),
    ("verify-phone-to-register", &[]),
    ("we-dont-recognize-this-device", &[]),
    ("welcome-back-sign-in-as", &[]),
    ("weve-sent-messagetype", &[0, 1, 2]),
    ("what-are-passkeys", &[]),
    ("you-will-be-automatically-signed-in", &[]),
    // Social provider names, looked up through `socialConnectionMetadata[..].nameKey` (es5.js).
    ("apple", &[]),
    ("github", &[]),
    ("google", &[]),
];

/// Keys Appendix A misses: the registration metadata fields (`UserMetadata` in es5.js, rendered by
/// the register form when the app defines `layouts.registration`). Our app defines none today, but
/// a key the UI can reach must not render as its bare name.
const REGISTRATION_METADATA_KEYS: &[(&str, &[u32])] = &[
    ("64-letters-max", &[]),
    ("enter-schema-friendly_name", &[0]),
    ("invalid-date", &[]),
    ("invalid-email", &[]),
    ("invalid-phone", &[]),
    ("no-decimals", &[]),
    ("required", &[]),
];

/// Keys `<passage-profile>` looks up that the register/login UI does not (PROFILE-API.md §6, 34 keys), with the
/// list placeholders it passes: only `showing-page-of-n` takes arguments, `t("showing-page-of-n", [first, last,
/// total])` (customElements.es4.js, the paginator). The profile element reuses many register/login keys besides.
const PROFILE_KEYS: &[(&str, &[u32])] = &[
    ("add-device", &[]),
    ("added-time", &[]),
    ("current", &[]),
    ("delete", &[]),
    ("device-name-is-required", &[]),
    ("device-name-maximum", &[]),
    ("edit", &[]),
    ("edit-device", &[]),
    ("email-address-already-in-use", &[]),
    ("email-is-required", &[]),
    ("failed-to-rename-this-device", &[]),
    ("failed-to-revoke-this-device", &[]),
    ("failed-to-revoke-this-social-connection", &[]),
    ("failed-to-update-email", &[]),
    ("failed-to-update-metadata", &[]),
    ("failed-to-update-phone", &[]),
    ("last-login", &[]),
    ("login-info", &[]),
    ("my-passkeys", &[]),
    ("my-social-connections", &[]),
    ("no-devices-found", &[]),
    ("no-user-found", &[]),
    ("personal-info", &[]),
    ("phone-number-already-in-use", &[]),
    ("phone-number-is-required", &[]),
    ("revoke-device", &[]),
    ("rows-per-page", &[]),
    ("save", &[]),
    ("showing-page-of-n", &[0, 1, 2]),
    ("there-are-no-devices-registered", &[]),
    ("there-is-no-currently-logged-in-user", &[]),
    ("weve-sent-confirmation-email", &[]),
    ("weve-sent-confirmation-text", &[]),
    ("your-account-must-have-either-an-email-or-a-phone", &[]),
];

/// Messages the elements inject with `innerHTML` (es2.js lines 2164 and 3268); all others go
/// through text interpolation, where markup would show up literally.
const HTML_KEYS: &[&str] = &["enter-code-sent", "weve-sent-messagetype"];

/// The only markup allowed in the HTML messages: emphasis around an argument. Keeping it this
/// small means the file cannot smuggle scripts, links or styles into the shadow root.
const ALLOWED_TAGS: &[&str] = &["<b>", "</b>"];

fn used_keys() -> impl Iterator<Item = &'static (&'static str, &'static [u32])> {
    APPENDIX_A_KEYS.iter().chain(REGISTRATION_METADATA_KEYS).chain(PROFILE_KEYS)
}

/// A locale file's messages, or why it is not a flat JSON object of strings.
fn parse(json: &str) -> Result<Map<String, Value>, String> {
    match serde_json::from_str::<Value>(json) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(format!("must be a flat JSON object, found {other}")),
        Err(error) => Err(format!("is not valid JSON: {error}")),
    }
}

fn messages_of(locale: &Locale) -> Map<String, Value> {
    parse(locale.json).unwrap_or_else(|error| panic!("{}.json {error}", locale.file))
}

fn english() -> Map<String, Value> {
    messages_of(ENGLISH)
}

fn message<'a>(messages: &'a Map<String, Value>, key: &str) -> &'a str {
    match messages.get(key) {
        Some(Value::String(text)) => text,
        Some(other) => panic!("message {key:?} must be a string, found {other}"),
        None => panic!("message {key:?} is missing"),
    }
}

/// The list placeholders `{0}`, `{1}`, ... of a message, or a description of the first brace
/// that vue-i18n would read as something else (a named placeholder, a literal, or a syntax error).
fn placeholders(text: &str) -> Result<BTreeSet<u32>, String> {
    let mut found = BTreeSet::new();
    let mut rest = text;
    while let Some(position) = rest.find(['{', '}']) {
        if rest[position..].starts_with('}') {
            return Err(format!("unbalanced '}}' at {:?}", &rest[position..]));
        }
        let after_open = &rest[position + 1..];
        let close = after_open.find('}').ok_or_else(|| format!("unclosed '{{' at {:?}", &rest[position..]))?;
        let inside = &after_open[..close];
        if inside.is_empty() || !inside.bytes().all(|byte| byte.is_ascii_digit()) {
            return Err(format!("'{{{inside}}}' is not a list placeholder like {{0}}"));
        }
        let index = inside.parse().map_err(|_| format!("placeholder '{{{inside}}}' is out of range"))?;
        found.insert(index);
        rest = &after_open[close + 1..];
    }
    Ok(found)
}

/// The allowed tags of a message in order of appearance (`["<b>", "</b>"]`).
fn tags(text: &str) -> Vec<&'static str> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(position) = rest.find('<') {
        rest = &rest[position..];
        let tag = ALLOWED_TAGS.iter().find(|tag| rest.starts_with(**tag)).copied().unwrap_or("<");
        found.push(tag);
        rest = &rest[tag.len()..];
    }
    found
}

/// What is wrong with one message on its own: vue-i18n syntax it would misread, markup where it would show
/// literally or could inject more than emphasis.
fn message_problems(key: &str, text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    if text.trim().is_empty() {
        problems.push(format!("{key:?} is empty"));
    }
    // vue-i18n 9.10's tokenizer treats '@' as a linked message, '|' as a plural separator and '%{' as a
    // placeholder; '$' is reserved by the brief. Any of these in plain text either throws at compile time inside
    // the element or silently cuts the message short. Braces are checked by `placeholders`.
    const SPECIAL: &[char] = &['@', '|', '%', '$'];
    if let Some(found) = text.chars().find(|c| SPECIAL.contains(c)) {
        problems.push(format!("{key:?} contains vue-i18n syntax character {found:?}: {text:?}"));
    }
    if let Err(error) = placeholders(text) {
        problems.push(format!("{key:?}: {error}"));
    }
    if HTML_KEYS.contains(&key) {
        // innerHTML: anything but the allowed tags would be parsed as markup or an entity.
        let mut stripped = text.to_owned();
        for tag in ALLOWED_TAGS {
            stripped = stripped.replace(tag, "");
        }
        if stripped.contains(['<', '>', '&']) {
            problems.push(format!("HTML message {key:?} may only use the tags {ALLOWED_TAGS:?}: {text:?}"));
        }
        if text.matches("<b>").count() != text.matches("</b>").count() {
            problems.push(format!("unbalanced <b> in HTML message {key:?}: {text:?}"));
        }
    } else if text.contains(['<', '>', '&']) {
        // Text interpolation: markup or entities would be shown to the user literally.
        problems.push(format!("{key:?} is rendered as text and must not contain markup: {text:?}"));
    }
    problems
}

/// Everything that makes `translated` unfit to stand in for `english`: a missing key (the element would show the
/// bare key), an extra key (nothing reads it: a typo of a real one), a non-string, a message with other
/// placeholders than English's (an argument shown as nothing, or lost) or other tags, and `message_problems`.
fn check_messages(english: &Map<String, Value>, translated: &Map<String, Value>) -> Vec<String> {
    let mut problems = Vec::new();
    for key in english.keys().filter(|key| !translated.contains_key(*key)) {
        problems.push(format!("{key:?} is missing"));
    }
    for (key, value) in translated {
        let Some(Value::String(original)) = english.get(key) else {
            problems.push(format!("{key:?} is not an English key"));
            continue;
        };
        let Value::String(text) = value else {
            problems.push(format!("{key:?} must be a string, found {value}"));
            continue;
        };
        problems.extend(message_problems(key, text));
        if let (Ok(expected), Ok(actual)) = (placeholders(original), placeholders(text)) {
            if expected != actual {
                problems.push(format!("{key:?} has placeholders {actual:?}, English {expected:?}: {text:?}"));
            }
        }
        if tags(original) != tags(text) {
            problems.push(format!("{key:?} has tags {:?}, English {:?}: {text:?}", tags(text), tags(original)));
        }
    }
    problems
}

#[test]
fn every_used_key_has_a_non_empty_message() {
    let messages = english();
    let missing_or_empty: Vec<&str> = used_keys()
        .map(|(key, _)| *key)
        .filter(|key| !matches!(messages.get(*key), Some(Value::String(text)) if !text.trim().is_empty()))
        .collect();
    assert!(missing_or_empty.is_empty(), "missing, empty or not a string: {missing_or_empty:?}");
}

#[test]
fn placeholders_match_the_arguments_the_elements_pass() {
    let messages = english();
    for (key, expected) in used_keys() {
        let expected: BTreeSet<u32> = expected.iter().copied().collect();
        let actual = placeholders(message(&messages, key)).unwrap_or_else(|error| panic!("message {key:?}: {error}"));
        // A placeholder the code does not pass renders as nothing; an argument the text
        // leaves out loses information (e.g. which address the code was sent to).
        assert_eq!(actual, expected, "placeholders of message {key:?}");
    }
}

#[test]
fn english_messages_are_well_formed() {
    let problems: Vec<String> =
        english().iter().flat_map(|(key, value)| message_problems(key, value.as_str().unwrap_or(""))).collect();
    assert!(problems.is_empty(), "en.json: {problems:#?}");
}

#[test]
fn every_locale_has_exactly_englishs_keys_placeholders_and_tags() {
    let english = english();
    for locale in &SHIPPED[1..] {
        let problems = check_messages(&english, &messages_of(locale));
        assert!(problems.is_empty(), "{}.json: {problems:#?}", locale.file);
    }
}

#[test]
fn translations_are_translated() {
    // A file copied from en.json would pass every other check. Brand names (`apple`, `google`, `github`) and a few
    // words spelled alike (fr "simple", pt-BR "login") may equal English; more than 5% may not.
    let english = english();
    for locale in &SHIPPED[1..] {
        let messages = messages_of(locale);
        let same: Vec<&String> = english.keys().filter(|key| messages.get(*key) == english.get(*key)).collect();
        assert!(same.len() * 20 <= english.len(), "{}.json has {} English messages: {same:?}", locale.file, same.len());
        for brand in ["apple", "github", "google"] {
            assert_eq!(messages.get(brand), english.get(brand), "{}.json: {brand} is a name", locale.file);
        }
    }
}

#[test]
fn every_file_under_locales_is_shipped_and_every_shipped_locale_is_a_file() {
    // A file added to `locales/` but not to `SHIPPED` would never be served, and would escape these checks.
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/locales");
    let on_disk: BTreeSet<String> =
        std::fs::read_dir(dir).unwrap().map(|entry| entry.unwrap().file_name().into_string().unwrap()).collect();
    let shipped: BTreeSet<String> = SHIPPED.iter().map(|locale| format!("{}.json", locale.file)).collect();
    assert_eq!(on_disk, shipped);
    let tags: BTreeSet<&str> = SHIPPED.iter().map(|locale| locale.tag).collect();
    assert_eq!(tags.len(), SHIPPED.len(), "a tag is shipped twice");
    assert_eq!(ENGLISH.tag, "en");
}

#[test]
fn the_34_profile_keys_are_there_and_the_passkey_name_limit_is_the_elements() {
    assert_eq!(PROFILE_KEYS.len(), 34, "PROFILE-API.md §6 lists 34 keys");
    for locale in SHIPPED {
        let messages = messages_of(locale);
        for (key, _) in PROFILE_KEYS {
            assert!(message(&messages, key).trim().chars().count() > 1, "{}.json: {key:?} is empty", locale.file);
        }
        // The element refuses names over 64 characters (PROFILE-API.md §2.2); the text must name that number.
        assert!(message(&messages, "device-name-maximum").contains("64"), "{}.json", locale.file);
        assert!(message(&messages, "64-letters-max").contains("64"), "{}.json", locale.file);
    }
}

#[test]
fn no_keys_beyond_those_the_elements_use() {
    let used: BTreeSet<&str> = used_keys().map(|(key, _)| *key).collect();
    let extra: Vec<String> = english().keys().filter(|key| !used.contains(key.as_str())).cloned().collect();
    assert!(extra.is_empty(), "keys the elements never look up: {extra:?}");
}

#[test]
fn no_key_is_defined_twice() {
    // serde_json keeps the last of two equal keys, so a duplicate would silently hide one text.
    for locale in SHIPPED {
        for (key, _) in used_keys() {
            let definitions = locale.json.matches(&format!("\"{key}\":")).count();
            assert_eq!(definitions, 1, "{}.json: key {key:?} is defined {definitions} times", locale.file);
        }
    }
}

#[test]
fn key_lists_have_no_duplicates() {
    let mut seen = BTreeSet::new();
    for (key, _) in used_keys() {
        assert!(seen.insert(*key), "key {key:?} is listed twice in this test");
    }
    assert!(HTML_KEYS.iter().all(|key| seen.contains(key)), "every HTML key must be a used key");
}

#[test]
fn placeholder_parser_rejects_what_vue_i18n_would_misread() {
    // The checks above are only as good as this parser, so pin down what it accepts.
    assert_eq!(placeholders("plain text"), Ok(BTreeSet::new()));
    assert_eq!(placeholders("We sent {0} to <b>{1}</b>. {2}"), Ok(BTreeSet::from([0, 1, 2])));
    assert_eq!(placeholders("{0} and {0}"), Ok(BTreeSet::from([0])));
    assert!(placeholders("{name}").is_err(), "named placeholders are not passed by the elements");
    assert!(placeholders("{}").is_err());
    assert!(placeholders("{ 0 }").is_err());
    assert!(placeholders("a } b").is_err());
    assert!(placeholders("a { b").is_err());
    assert!(placeholders("{99999999999}").is_err());
}

#[test]
fn the_checker_finds_each_kind_of_broken_translation() {
    // The per-locale test passes only if `check_messages` finds nothing; prove it finds each fault.
    let english =
        parse(r#"{"greeting": "Hello {0}", "enter-code-sent": "We sent {0} to <b>{1}</b>. {2}", "or": "or"}"#).unwrap();
    let good = parse(
        r#"{"greeting": "Hallo {0}", "enter-code-sent": "Wir haben {0} an <b>{1}</b> gesendet. {2}", "or": "oder"}"#,
    )
    .unwrap();
    assert_eq!(check_messages(&english, &good), Vec::<String>::new());
    for (broken, expected) in [
        (r#"{"greeting": "Hallo {0}", "enter-code-sent": "{0} <b>{1}</b> {2}"}"#, "\"or\" is missing"),
        (
            r#"{"greeting": "Hallo {0}", "enter-code-sent": "{0} <b>{1}</b> {2}", "or": "oder", "ok": "gut"}"#,
            "\"ok\" is not",
        ),
        (
            r#"{"greeting": "Hallo", "enter-code-sent": "{0} <b>{1}</b> {2}", "or": "oder"}"#,
            "placeholders {}, English {0}",
        ),
        (
            r#"{"greeting": "Hallo {0} {1}", "enter-code-sent": "{0} <b>{1}</b> {2}", "or": "oder"}"#,
            "placeholders {0, 1}",
        ),
        (
            r#"{"greeting": "Hallo {name}", "enter-code-sent": "{0} <b>{1}</b> {2}", "or": "oder"}"#,
            "not a list placeholder",
        ),
        (r#"{"greeting": "Hallo {0}", "enter-code-sent": "{0} {1} {2}", "or": "oder"}"#, "has tags []"),
        (
            r#"{"greeting": "Hallo {0}", "enter-code-sent": "{0} <i>{1}</i> {2}", "or": "oder"}"#,
            "may only use the tags",
        ),
        (
            r#"{"greeting": "Hallo <b>{0}</b>", "enter-code-sent": "{0} <b>{1}</b> {2}", "or": "oder"}"#,
            "rendered as text",
        ),
        (
            r#"{"greeting": "Hallo {0}", "enter-code-sent": "{0} <b>{1}</b> {2}", "or": "eins | zwei"}"#,
            "syntax character '|'",
        ),
        (r#"{"greeting": "Hallo {0}", "enter-code-sent": "{0} <b>{1}</b> {2}", "or": " "}"#, "is empty"),
        (r#"{"greeting": "Hallo {0}", "enter-code-sent": "{0} <b>{1}</b> {2}", "or": 5}"#, "must be a string"),
    ] {
        let problems = check_messages(&english, &parse(broken).unwrap());
        assert!(problems.iter().any(|problem| problem.contains(expected)), "{broken}: {problems:?}");
    }
    assert!(parse("[]").is_err() && parse("{").is_err());
}

#[test]
fn traditional_chinese_is_written_in_traditional_characters() {
    // Taiwan and Hong Kong readers are served zh-TW for every Traditional tag; a copy of the Simplified file (or a
    // Simplified message pasted into it) would pass the key checks. These are common characters whose Simplified
    // form differs (账号/帳號, 设备/裝置, 钥/鑰, 录/錄, 码/碼 ...).
    const SIMPLIFIED_ONLY: &str = "们这设备钥码账号录过为发获时链页请关闭个联启户输称会将还应进长绑统邮检错误试务对让说简读选续证结网络传删变换开认确";
    let locale = |tag: &str| SHIPPED.iter().find(|locale| locale.tag == tag).unwrap();
    let simplified: Vec<char> = locale("zh-TW").json.chars().filter(|c| SIMPLIFIED_ONLY.contains(*c)).collect();
    assert!(simplified.is_empty(), "zh-tw.json has Simplified characters: {simplified:?}");
    assert!(
        locale("zh-CN").json.chars().filter(|c| SIMPLIFIED_ONLY.contains(*c)).count() > 100,
        "the list must be one the Simplified file is full of"
    );
}
