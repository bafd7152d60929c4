//! The elements' UI text in every language we ship (spec §6.4), and which of these files answers each name the
//! element asks for. One flat JSON file per locale under `locales/`; `tests/locales.rs` checks that each has exactly
//! `en.json`'s keys, placeholders and markup.
//!
//! How the 2.0.9 element asks (es.js `fetchLocale`): for the page's tag (`navigator.language`, e.g. `pt-BR`) it
//! fetches `{language}.json` (`pt.json`) and then, if the tag has more subtags, `{tag}.json` (`pt-br.json`), both
//! lower-cased and one after the other. It installs each body that parses as JSON under the name as written (`pt`,
//! `pt-BR`) and ignores a failed one; vue-i18n then looks every key up along `pt-BR` → `pt` → the app's
//! `default_language`. So:
//! * a bare language gets its shipped variant (`pt` → pt-BR, `zh` → Simplified Chinese);
//! * a region of a shipped language gets the same file, which is what the chain would show anyway, without the
//!   failed request in the console;
//! * Traditional Chinese (`zh-tw`, `zh-hk`, `zh-mo`, `zh-hant…`) gets zh-TW, never Simplified (see [`for_file`]);
//! * anything else names no file (the route answers 404 and the element falls back to `default_language`).

/// One shipped locale file.
#[derive(Debug)]
pub struct Locale {
    /// The BCP 47 tag of the text (`pt-BR`), sent as `Content-Language`.
    pub tag: &'static str,
    /// The file's name under `locales/` without `.json`, lower case as the element writes it (`pt-br`).
    pub file: &'static str,
    /// The messages: a flat JSON object of key → vue-i18n message.
    pub json: &'static str,
}

macro_rules! shipped {
    ($($tag:literal => $file:literal),* $(,)?) => {
        &[$(Locale {
            tag: $tag,
            file: $file,
            json: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/locales/", $file, ".json")),
        }),*]
    };
}

/// Every locale we ship, English first (the reference the others are checked against).
pub const SHIPPED: &[Locale] = shipped![
    "en" => "en",
    "es" => "es",
    "fr" => "fr",
    "de" => "de",
    "pt-BR" => "pt-br",
    "it" => "it",
    "nl" => "nl",
    "pl" => "pl",
    "ja" => "ja",
    "zh-CN" => "zh-cn",
    "zh-TW" => "zh-tw",
    "ko" => "ko",
    "ar" => "ar",
];

/// The English messages (`en.json`).
pub const ENGLISH: &Locale = &SHIPPED[0];

/// The locale that answers `GET /locales/v2/{name}.json`, `name` being a tag as the element writes it (lower case),
/// or `None` for a name the element would not write or a language we do not ship.
///
/// Every Traditional Chinese tag gets the zh-TW file (Taiwan's wording; Hong Kong and Macau readers read it far
/// better than Simplified). It must never be a 404: the element has already installed `zh.json` (Simplified)
/// under `zh`, so a failed `zh-hk.json` would make every key fall from `zh-HK` to `zh` and show Simplified text,
/// plus a failed request in the console. (An empty object would not help either: each key would still fall to
/// `zh`.) Without the zh-TW file, English would be the next best answer for these tags, for the same reason.
pub fn for_file(name: &str) -> Option<&'static Locale> {
    let tag = Tag::parse(name)?;
    let file = match tag.language {
        // pt-PT too: European Portuguese readers read Brazilian Portuguese without trouble (some words differ:
        // "tela"/"ecrã"), and `pt.json` has already installed it under `pt`, so a 404 would only add a console error.
        "pt" if tag.script.is_none() => "pt-br",
        "zh" if tag.is_traditional_chinese() => "zh-tw",
        "zh" if tag.script.is_none_or(|script| script == "hans") => "zh-cn",
        // Another language's script (`sr-latn`) changes what text fits; we ship no such variant.
        _ if tag.script.is_some() => return None,
        language => language,
    };
    SHIPPED.iter().find(|locale| locale.file == file)
}

/// A BCP 47 tag of the shape the element writes: `language[-script][-region]`, lower case.
struct Tag<'a> {
    language: &'a str,
    script: Option<&'a str>,
    region: Option<&'a str>,
}

impl<'a> Tag<'a> {
    /// Language: 2 or 3 letters; script: 4 letters; region: 2 letters or 3 digits (BCP 47 §2.2.1–2.2.4). Upper
    /// case, variants and extensions are refused: the element lower-cases, and we serve nothing that depends on
    /// them.
    fn parse(name: &'a str) -> Option<Self> {
        let letters =
            |s: &str, lengths: &[usize]| lengths.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_lowercase());
        let mut subtags = name.split('-');
        let language = subtags.next().filter(|s| letters(s, &[2, 3]))?;
        let mut next = subtags.next();
        let script = next.filter(|s| letters(s, &[4]));
        if script.is_some() {
            next = subtags.next();
        }
        let region = match next {
            None => None,
            Some(r) if letters(r, &[2]) || (r.len() == 3 && r.bytes().all(|b| b.is_ascii_digit())) => Some(r),
            Some(_) => return None,
        };
        subtags.next().is_none().then_some(Tag { language, script, region })
    }

    /// Chinese written in Traditional characters: the `hant` script, or no script and a region that uses them.
    fn is_traditional_chinese(&self) -> bool {
        match self.script {
            Some(script) => script == "hant",
            None => matches!(self.region, Some("tw" | "hk" | "mo")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn served(name: &str) -> Option<&'static str> {
        for_file(name).map(|locale| locale.tag)
    }

    #[test]
    fn every_shipped_locale_answers_to_its_own_file_name() {
        for locale in SHIPPED {
            assert_eq!(served(locale.file), Some(locale.tag), "{}", locale.file);
            assert_eq!(locale.file, locale.tag.to_ascii_lowercase(), "the element asks in lower case");
        }
    }

    #[test]
    fn bare_languages_get_their_shipped_variant() {
        assert_eq!(served("pt"), Some("pt-BR"));
        assert_eq!(served("zh"), Some("zh-CN"));
        for language in ["en", "es", "fr", "de", "it", "nl", "pl", "ja", "ko", "ar"] {
            assert_eq!(served(language), Some(language));
        }
    }

    #[test]
    fn regions_of_a_shipped_language_get_that_language() {
        for (name, tag) in [
            ("en-us", "en"),
            ("en-gb", "en"),
            ("en-419", "en"),
            ("es-mx", "es"),
            ("es-419", "es"),
            ("fr-ca", "fr"),
            ("fr-be", "fr"),
            ("de-at", "de"),
            ("de-ch", "de"),
            ("pt-pt", "pt-BR"),
            ("pt-ao", "pt-BR"),
            ("it-ch", "it"),
            ("nl-be", "nl"),
            ("pl-pl", "pl"),
            ("ja-jp", "ja"),
            ("ko-kr", "ko"),
            ("ar-eg", "ar"),
            ("ar-sa", "ar"),
            ("zh-sg", "zh-CN"),
            ("zh-hans", "zh-CN"),
            ("zh-hans-cn", "zh-CN"),
        ] {
            assert_eq!(served(name), Some(tag), "{name}");
        }
    }

    #[test]
    fn traditional_chinese_never_gets_simplified() {
        for name in ["zh-tw", "zh-hk", "zh-mo", "zh-hant", "zh-hant-tw", "zh-hant-hk", "zh-hant-cn"] {
            assert_eq!(served(name), Some("zh-TW"), "{name}");
        }
    }

    #[test]
    fn names_the_element_would_not_write_or_we_do_not_ship_name_no_file() {
        for name in [
            "",
            "sv",
            "sv-se",
            "nb",
            "fil",
            "eng",
            "e",
            "en-",
            "-us",
            "en-us-x",
            "en-US",
            "EN",
            "pt-BR",
            "en-usa",
            "en-1234",
            "en-latn",
            "sr-latn-rs",
            "zh-hant-tw-x",
            "zh-cn-hans",
            "en_us",
            "../en",
            "en.json",
            "en-u-ca",
        ] {
            assert_eq!(served(name), None, "{name:?}");
        }
    }
}
