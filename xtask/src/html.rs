//! The little HTML reading the build steps need (`csp`, `preload`): start tags of Trunk's page and their
//! attributes. Trunk minifies the page, so attributes come in any order, quoted or not. Not a parser: Trunk's
//! output is the only input, and a step that does not find what it needs fails the build.

/// A start tag found in a page: where it is (`start` at `<`, `end` just after `>`) and its attribute text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StartTag<'a> {
    pub start: usize,
    pub end: usize,
    /// The text between the tag name and `>`, as written (original case).
    pub attrs: &'a str,
}

impl<'a> StartTag<'a> {
    /// The value of attribute `name` (ASCII case-insensitive), without its quotes; `Some("")` for a bare
    /// attribute, `None` when the tag has none.
    pub fn attribute(&self, name: &str) -> Option<&'a str> {
        attributes(self.attrs).find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, value)| value.unwrap_or(""))
    }
}

/// The start tags `<name ...>` of `html`, in order (`name` in lower case; matched case-insensitively, and only
/// as a whole name: `<link` does not find `<linkx`).
pub fn start_tags<'a>(html: &'a str, name: &'a str) -> impl Iterator<Item = StartTag<'a>> + 'a {
    let lower = html.to_ascii_lowercase();
    let open = format!("<{name}");
    let mut at = 0;
    std::iter::from_fn(move || loop {
        let start = at + lower[at..].find(&open)?;
        let attrs_start = start + open.len();
        let end = attrs_start + lower[attrs_start..].find('>')? + 1;
        at = end;
        let next = lower[attrs_start..].chars().next();
        if next.is_some_and(|c| c.is_ascii_whitespace() || c == '>' || c == '/') {
            return Some(StartTag { start, end, attrs: &html[attrs_start..end - 1] });
        }
    })
}

/// The attributes in a start tag's attribute text: `(name, value)`, the value without its quotes, `None` for a
/// bare attribute (`crossorigin`). A `/` between attributes (`<link ... />`) is skipped.
pub fn attributes(attrs: &str) -> impl Iterator<Item = (&str, Option<&str>)> {
    let mut rest = attrs;
    std::iter::from_fn(move || {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
        if rest.is_empty() {
            return None;
        }
        let name_end = rest.find(|c: char| c.is_whitespace() || c == '=' || c == '/').unwrap_or(rest.len());
        let name = &rest[..name_end];
        rest = rest[name_end..].trim_start();
        let Some(value) = rest.strip_prefix('=') else { return Some((name, None)) };
        let value = value.trim_start();
        let (value, after) = match value.chars().next() {
            Some(q @ ('"' | '\'')) => value[1..].split_once(q).unwrap_or((&value[1..], "")),
            _ => value.split_once(char::is_whitespace).unwrap_or((value, "")),
        };
        rest = after;
        Some((name, Some(value)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_are_read_quoted_or_not() {
        let attrs = r#" as=fetch crossorigin data-href="x" HREF="/a b.wasm" integrity='sha384-Q+/=' /"#;
        let all: Vec<_> = attributes(attrs).collect();
        assert_eq!(
            all,
            [
                ("as", Some("fetch")),
                ("crossorigin", None),
                ("data-href", Some("x")),
                ("HREF", Some("/a b.wasm")),
                ("integrity", Some("sha384-Q+/=")),
            ]
        );
    }

    #[test]
    fn start_tags_are_found_by_their_whole_name_with_their_place() {
        let html = r#"<base href=/><LINK rel=preload href=config.json><linkx a><link/><p>"#;
        let tags: Vec<_> = start_tags(html, "link").collect();
        assert_eq!(tags.len(), 2);
        assert_eq!(&html[tags[0].start..tags[0].end], "<LINK rel=preload href=config.json>");
        assert_eq!(tags[0].attribute("href"), Some("config.json"));
        assert_eq!(tags[0].attribute("REL"), Some("preload"));
        assert_eq!(tags[0].attribute("integrity"), None);
        assert_eq!(&html[tags[1].start..tags[1].end], "<link/>");
    }
}
