//! The languages the SPA speaks, and choosing one from the browser's preference list. DOM-free.

/// A language of the SPA (and of the Passage elements, which get the same code as their `lang`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    En,
    Es,
    Fr,
    De,
    PtBr,
    It,
    Nl,
    Pl,
    Ja,
    ZhCn,
    Ko,
    Ar,
}

impl Lang {
    /// In the picker's order.
    pub const ALL: [Lang; 12] = [
        Lang::En,
        Lang::Es,
        Lang::Fr,
        Lang::De,
        Lang::PtBr,
        Lang::It,
        Lang::Nl,
        Lang::Pl,
        Lang::Ja,
        Lang::ZhCn,
        Lang::Ko,
        Lang::Ar,
    ];

    /// The BCP 47 tag: `<html lang>`, the elements' `lang`, the locale file's name, the stored choice.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
            Lang::Fr => "fr",
            Lang::De => "de",
            Lang::PtBr => "pt-BR",
            Lang::It => "it",
            Lang::Nl => "nl",
            Lang::Pl => "pl",
            Lang::Ja => "ja",
            Lang::ZhCn => "zh-CN",
            Lang::Ko => "ko",
            Lang::Ar => "ar",
        }
    }

    /// The language's name in itself, for the picker (a reader looks for their own language's name).
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Es => "Español",
            Lang::Fr => "Français",
            Lang::De => "Deutsch",
            Lang::PtBr => "Português (Brasil)",
            Lang::It => "Italiano",
            Lang::Nl => "Nederlands",
            Lang::Pl => "Polski",
            Lang::Ja => "日本語",
            Lang::ZhCn => "简体中文",
            Lang::Ko => "한국어",
            Lang::Ar => "العربية",
        }
    }

    /// `<html dir>`.
    pub fn dir(self) -> &'static str {
        if self == Lang::Ar {
            "rtl"
        } else {
            "ltr"
        }
    }

    /// The exact [`Lang::code`] (a stored choice or a picker value); anything else is `None`.
    pub fn from_code(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|lang| lang.code() == code)
    }

    /// The supported language a single BCP 47 tag asks for: by primary subtag; every `pt` is Brazilian
    /// Portuguese; `zh` is Simplified Chinese unless the tag says Traditional (`Hant`, or Taiwan, Hong Kong,
    /// Macao without `Hans`), which the SPA does not have.
    pub fn for_tag(tag: &str) -> Option<Lang> {
        let lower = tag.trim().to_ascii_lowercase().replace('_', "-");
        let mut subtags = lower.split('-');
        let primary = subtags.next()?;
        let rest: Vec<&str> = subtags.collect();
        let lang = match primary {
            "en" => Lang::En,
            "es" => Lang::Es,
            "fr" => Lang::Fr,
            "de" => Lang::De,
            "pt" => Lang::PtBr,
            "it" => Lang::It,
            "nl" => Lang::Nl,
            "pl" => Lang::Pl,
            "ja" => Lang::Ja,
            "ko" => Lang::Ko,
            "ar" => Lang::Ar,
            "zh" => {
                let simplified = rest.contains(&"hans");
                let traditional = rest.contains(&"hant") || rest.iter().any(|s| ["tw", "hk", "mo"].contains(s));
                return (simplified || !traditional).then_some(Lang::ZhCn);
            }
            _ => return None,
        };
        Some(lang)
    }
}

/// The first supported language of the browser's preferences (`navigator.languages`, most wanted first);
/// English when none is supported.
pub fn negotiate<'a>(preferences: impl IntoIterator<Item = &'a str>) -> Lang {
    preferences.into_iter().find_map(Lang::for_tag).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_distinct() {
        for lang in Lang::ALL {
            assert_eq!(Lang::from_code(lang.code()), Some(lang));
            assert_eq!(Lang::for_tag(lang.code()), Some(lang));
        }
        assert_eq!(Lang::from_code("pt"), None);
        assert_eq!(Lang::from_code("EN"), None);
    }

    #[test]
    fn negotiation_takes_the_first_supported() {
        assert_eq!(negotiate(["de-AT", "en-US"]), Lang::De);
        assert_eq!(negotiate(["sv", "fi", "pl-PL", "en"]), Lang::Pl);
        assert_eq!(negotiate(["sv"]), Lang::En);
        assert_eq!(negotiate([]), Lang::En);
        assert_eq!(negotiate(["pt-PT"]), Lang::PtBr);
        assert_eq!(negotiate(["pt"]), Lang::PtBr);
        assert_eq!(negotiate(["es_MX"]), Lang::Es);
    }

    #[test]
    fn chinese_is_simplified_or_skipped() {
        for tag in ["zh", "zh-CN", "zh-SG", "zh-Hans", "zh-Hans-HK", "ZH-hans-cn"] {
            assert_eq!(Lang::for_tag(tag), Some(Lang::ZhCn), "{tag}");
        }
        for tag in ["zh-TW", "zh-HK", "zh-MO", "zh-Hant", "zh-Hant-TW"] {
            assert_eq!(Lang::for_tag(tag), None, "{tag}");
        }
        assert_eq!(negotiate(["zh-TW", "ja", "en"]), Lang::Ja);
        assert_eq!(negotiate(["zh-HK"]), Lang::En);
    }

    #[test]
    fn only_arabic_is_right_to_left() {
        for lang in Lang::ALL {
            assert_eq!(lang.dir(), if lang == Lang::Ar { "rtl" } else { "ltr" });
        }
    }
}
