//! Which of the shipped languages a mail is written in: from the `language` an element sends (E8, E9, E11, E12:
//! the first part of its locale, `"en"`), from an `Accept-Language` header, or from what is stored on the user.
//! Nothing here knows Fluent or HTTP; `catalog` holds the texts.

/// The shipped mail languages, as BCP 47 tags; each has `mail-templates/{tag}.ftl`. English first: it is the
/// reference every other file is checked against, and the last fallback.
pub const SHIPPED: [&str; 12] = ["en", "es", "fr", "de", "pt-BR", "it", "nl", "pl", "ja", "zh-CN", "ko", "ar"];

/// One of [`SHIPPED`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Language(usize);

impl Language {
    pub const ENGLISH: Self = Self(0);

    /// Every shipped language, English first.
    pub fn all() -> impl Iterator<Item = Self> {
        (0..SHIPPED.len()).map(Self)
    }

    /// The tag as shipped and stored (`"pt-BR"`).
    pub fn tag(self) -> &'static str {
        SHIPPED[self.0]
    }

    /// Position in [`SHIPPED`] (the catalog keeps its bundles in that order).
    pub(crate) fn index(self) -> usize {
        self.0
    }

    /// The shipped language a BCP 47 tag asks for, case-insensitively, `_` taken as `-`: an exact match first
    /// (`pt-BR`), else by its language part alone (`en-US` → `en`, `pt` → `pt-BR`, `zh` and `zh-Hant` → `zh-CN`,
    /// the one Chinese and the one Portuguese shipped). `None` for anything else, including `*` and empty tags.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let tag = tag.trim().replace('_', "-");
        if tag.is_empty() || tag.len() > 35 {
            return None;
        }
        if let Some(exact) = SHIPPED.iter().position(|shipped| shipped.eq_ignore_ascii_case(&tag)) {
            return Some(Self(exact));
        }
        let primary = tag.split('-').next().unwrap_or_default();
        SHIPPED
            .iter()
            .position(|shipped| shipped.split('-').next().is_some_and(|p| p.eq_ignore_ascii_case(primary)))
            .map(Self)
    }

    /// The language a mail answering a request is written in: the one the request named if shipped, else the
    /// app's `default_language` if shipped, else English.
    pub fn resolve(requested: Option<&str>, app_default: &str) -> Self {
        requested.and_then(Self::from_tag).or_else(|| Self::from_tag(app_default)).unwrap_or(Self::ENGLISH)
    }

    /// The shipped language an `Accept-Language` header (RFC 9110 §12.5.4) prefers most: the highest `q` among the
    /// ranges naming one (the first of equal ones); ranges with `q=0` are refused ones and never chosen. `None` when
    /// no range names a shipped language.
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut best: Option<(u16, Self)> = None;
        for range in header.split(',').take(32) {
            let mut parts = range.split(';');
            let Some(language) = parts.next().and_then(Self::from_tag) else { continue };
            let quality = parts
                .filter_map(|param| param.trim().strip_prefix("q=").or_else(|| param.trim().strip_prefix("Q=")))
                .map(parse_quality)
                .next()
                .unwrap_or(Some(1000));
            let Some(quality) = quality.filter(|q| *q > 0) else { continue };
            if best.is_none_or(|(seen, _)| quality > seen) {
                best = Some((quality, language));
            }
        }
        best.map(|(_, language)| language)
    }
}

/// An RFC 9110 `qvalue` in thousandths (`0.8` → 800); `None` when malformed.
fn parse_quality(text: &str) -> Option<u16> {
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths = format!("{fraction:0<3}").parse::<u16>().ok()?;
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(language: Option<Language>) -> Option<&'static str> {
        language.map(Language::tag)
    }

    #[test]
    fn tags_name_a_shipped_language_by_region_or_language_part() {
        for (asked, shipped) in [
            ("en", "en"),
            ("EN-us", "en"),
            ("fr-CA", "fr"),
            ("pt", "pt-BR"),
            ("pt-PT", "pt-BR"),
            ("pt_br", "pt-BR"),
            ("zh", "zh-CN"),
            ("zh-Hant-TW", "zh-CN"),
            ("ar-EG", "ar"),
            ("ja", "ja"),
        ] {
            assert_eq!(tag(Language::from_tag(asked)), Some(shipped), "{asked}");
        }
        for unknown in ["", "*", "xx", "english", "-", "e"] {
            assert_eq!(Language::from_tag(unknown), None, "{unknown:?}");
        }
    }

    #[test]
    fn an_unknown_or_missing_language_falls_back_to_the_apps_then_english() {
        assert_eq!(Language::resolve(Some("de"), "fr").tag(), "de");
        assert_eq!(Language::resolve(Some("xx"), "fr").tag(), "fr");
        assert_eq!(Language::resolve(None, "it").tag(), "it");
        assert_eq!(Language::resolve(None, "xx"), Language::ENGLISH);
    }

    #[test]
    fn accept_language_picks_the_preferred_shipped_range() {
        assert_eq!(tag(Language::from_accept_language("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5")), Some("fr"));
        assert_eq!(tag(Language::from_accept_language("sv, de;q=0.4, ja;q=0.6")), Some("ja"));
        assert_eq!(tag(Language::from_accept_language("en;q=0.5, pl")), Some("pl"));
        assert_eq!(tag(Language::from_accept_language("ko;q=0, es;q=0.1")), Some("es"));
        assert_eq!(tag(Language::from_accept_language("ko;q=2, it;q=abc, nl;q=0.3")), Some("nl"));
        assert_eq!(Language::from_accept_language("sv, fi;q=0.9"), None);
        assert_eq!(Language::from_accept_language(""), None);
    }
}
