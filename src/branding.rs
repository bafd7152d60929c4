//! Per-deployment branding from `config.json`: the app's name, a logo, a primary colour and the theme.
//!
//! DOM-free (parsing, validation and the colour arithmetic have native unit tests); applying it to the page lives
//! in [`crate::branding_style`] and the header in [`crate::components::site_header`].

use std::fmt;

/// The name shown when `app_name` is not configured (the `<title>` of `index.html`).
pub const DEFAULT_APP_NAME: &str = "Leptos + Passage";

/// The page's and the elements' colour scheme (the elements' `theme` attribute takes the same words).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    Light,
    Dark,
    /// Follows the browser's `prefers-color-scheme`, live. The default: a person who asked their system for dark
    /// pages gets them unless the deployment says otherwise.
    #[default]
    Auto,
}

impl Theme {
    /// The word used in `config.json`, on `<html data-theme>` and in the elements' `theme` attribute.
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
            Theme::Auto => "auto",
        }
    }

    pub fn parse(text: &str) -> Option<Theme> {
        match text {
            "light" => Some(Theme::Light),
            "dark" => Some(Theme::Dark),
            "auto" => Some(Theme::Auto),
            _ => None,
        }
    }
}

/// An sRGB colour, 8 bits per channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    pub const WHITE: Rgb = Rgb(0xff, 0xff, 0xff);
    pub const BLACK: Rgb = Rgb(0, 0, 0);

    /// Only `#rgb` and `#rrggbb`: the value ends up in a CSS custom property, and accepting nothing but hex digits
    /// means a configured value cannot close the declaration and inject other CSS.
    pub fn parse_hex(text: &str) -> Option<Rgb> {
        let digits = text.strip_prefix('#')?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let nibble = |i: usize| u8::from_str_radix(&digits[i..=i], 16).ok();
        let byte = |i: usize| u8::from_str_radix(&digits[i..i + 2], 16).ok();
        match digits.len() {
            3 => Some(Rgb(nibble(0)? * 17, nibble(1)? * 17, nibble(2)? * 17)),
            6 => Some(Rgb(byte(0)?, byte(2)?, byte(4)?)),
            _ => None,
        }
    }

    /// WCAG 2.x relative luminance (0 for black, 1 for white).
    pub fn relative_luminance(self) -> f64 {
        let linear = |channel: u8| {
            let c = f64::from(channel) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * linear(self.0) + 0.7152 * linear(self.1) + 0.0722 * linear(self.2)
    }

    /// Moves each channel `amount` (0..=1) of the way towards `target`.
    pub fn mix_towards(self, target: Rgb, amount: f64) -> Rgb {
        let mix = |from: u8, to: u8| (f64::from(from) + (f64::from(to) - f64::from(from)) * amount).round() as u8;
        Rgb(mix(self.0, target.0), mix(self.1, target.1), mix(self.2, target.2))
    }
}

impl fmt::Display for Rgb {
    /// Lower-case `#rrggbb`, the only form that is written into CSS.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

/// WCAG contrast ratio, 1 (same) to 21 (black on white).
pub fn contrast_ratio(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (a.relative_luminance(), b.relative_luminance());
    let (lighter, darker) = if la > lb { (la, lb) } else { (lb, la) };
    (lighter + 0.05) / (darker + 0.05)
}

/// The text colour for a button filled with `fill`: black or white, whichever contrasts more. One of the two
/// always reaches at least 4.58:1, so any configured primary colour gives readable button text.
pub fn text_on(fill: Rgb) -> Rgb {
    if contrast_ratio(fill, Rgb::BLACK) >= contrast_ratio(fill, Rgb::WHITE) {
        Rgb::BLACK
    } else {
        Rgb::WHITE
    }
}

/// The hover fill: 15% further from the text colour, so hovering never lowers the text's contrast.
pub fn hover_fill(fill: Rgb) -> Rgb {
    let away = if text_on(fill) == Rgb::WHITE { Rgb::BLACK } else { Rgb::WHITE };
    fill.mix_towards(away, 0.15)
}

/// The card background of each palette in `style/main.css`, against which the primary colour is used as text
/// (links, secondary buttons).
pub const LIGHT_SURFACE: Rgb = Rgb::WHITE;
pub const DARK_SURFACE: Rgb = Rgb(0x1e, 0x21, 0x26);

/// The configured primary colour as text on `surface`, if it is readable there (WCAG 1.4.3, 4.5:1); otherwise the
/// palette's own accent is kept for text, and the primary colour is only used as a fill.
pub fn as_text_on(primary: Rgb, surface: Rgb) -> Option<Rgb> {
    (contrast_ratio(primary, surface) >= 4.5).then_some(primary)
}

/// The validated branding keys; every one is optional.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Branding {
    /// `app_name`: the document title and the header.
    pub app_name: Option<String>,
    /// `logo_url`: an absolute http(s) URL (relative paths are resolved against the document base).
    pub logo_url: Option<String>,
    /// `primary_color`.
    pub primary_color: Option<Rgb>,
    /// `theme`, default auto.
    pub theme: Theme,
}

impl Branding {
    /// The name to show: the configured one or [`DEFAULT_APP_NAME`].
    pub fn name(&self) -> &str {
        self.app_name.as_deref().unwrap_or(DEFAULT_APP_NAME)
    }

    /// The header is shown only for a branded deployment, so an unbranded one looks as before.
    pub fn has_header(&self) -> bool {
        self.app_name.is_some() || self.logo_url.is_some()
    }

    /// The CSS custom properties to set on `:root` for the primary colour (empty when none is configured, so the
    /// stylesheet's defaults apply). `--primary-text-light`/`-dark` are set only when the colour is readable as
    /// text on that palette's surface.
    pub fn css_properties(&self) -> Vec<(&'static str, String)> {
        let Some(primary) = self.primary_color else { return Vec::new() };
        let mut properties = vec![
            ("--primary", primary.to_string()),
            ("--on-primary", text_on(primary).to_string()),
            ("--primary-hover", hover_fill(primary).to_string()),
        ];
        if let Some(text) = as_text_on(primary, LIGHT_SURFACE) {
            properties.push(("--primary-text-light", text.to_string()));
        }
        if let Some(text) = as_text_on(primary, DARK_SURFACE) {
            properties.push(("--primary-text-dark", text.to_string()));
        }
        properties
    }
}

/// Longest accepted `app_name`, in characters: it is a title and a header line, not a paragraph.
pub const MAX_APP_NAME_CHARS: usize = 60;

/// Checks an `app_name` value; the error is a sentence fragment for [`crate::config::ConfigError`].
pub fn validate_app_name(name: &str) -> Result<(), String> {
    if name.chars().count() > MAX_APP_NAME_CHARS {
        return Err(format!("must be at most {MAX_APP_NAME_CHARS} characters, got {}", name.chars().count()));
    }
    if name.chars().any(char::is_control) {
        return Err("must not contain control characters".to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_colours_parse() {
        assert_eq!(Rgb::parse_hex("#1a56db"), Some(Rgb(0x1a, 0x56, 0xdb)));
        assert_eq!(Rgb::parse_hex("#1A56DB"), Some(Rgb(0x1a, 0x56, 0xdb)));
        assert_eq!(Rgb::parse_hex("#f0a"), Some(Rgb(0xff, 0x00, 0xaa)));
        assert_eq!(Rgb(0xff, 0, 0xaa).to_string(), "#ff00aa");
    }

    #[test]
    fn everything_but_hex_is_refused() {
        for bad in ["1a56db", "#1a56d", "#1a56dbff", "red", "rgb(0,0,0)", "#12345g", "#fff;x:y", "#", "", "#+1+2+3"] {
            assert_eq!(Rgb::parse_hex(bad), None, "{bad}");
        }
    }

    #[test]
    fn contrast_matches_wcag_reference_values() {
        assert!((contrast_ratio(Rgb::BLACK, Rgb::WHITE) - 21.0).abs() < 1e-9);
        assert!((contrast_ratio(Rgb::WHITE, Rgb::WHITE) - 1.0).abs() < 1e-9);
        // #777777 on white is the well-known 4.48:1.
        let grey = contrast_ratio(Rgb(0x77, 0x77, 0x77), Rgb::WHITE);
        assert!((grey - 4.48).abs() < 0.01, "{grey}");
    }

    #[test]
    fn button_text_is_black_or_white_by_luminance() {
        assert_eq!(text_on(Rgb(0x1a, 0x56, 0xdb)), Rgb::WHITE);
        assert_eq!(text_on(Rgb(0xff, 0xcc, 0x00)), Rgb::BLACK);
        assert_eq!(text_on(Rgb::WHITE), Rgb::BLACK);
        assert_eq!(text_on(Rgb::BLACK), Rgb::WHITE);
        // Whatever the fill, the chosen text reaches 4.5:1 (a coarse sweep of the whole cube).
        for r in (0..=255).step_by(15) {
            for g in (0..=255).step_by(15) {
                for b in (0..=255).step_by(15) {
                    let fill = Rgb(r as u8, g as u8, b as u8);
                    assert!(contrast_ratio(fill, text_on(fill)) >= 4.5, "{fill}");
                    assert!(contrast_ratio(hover_fill(fill), text_on(fill)) >= 4.5, "hover {fill}");
                }
            }
        }
    }

    #[test]
    fn a_primary_colour_unreadable_as_text_keeps_the_palette_accent() {
        let yellow = Rgb(0xff, 0xcc, 0x00);
        assert_eq!(as_text_on(yellow, LIGHT_SURFACE), None);
        assert_eq!(as_text_on(yellow, DARK_SURFACE), Some(yellow));
        let navy = Rgb(0x1a, 0x23, 0x7e);
        assert_eq!(as_text_on(navy, LIGHT_SURFACE), Some(navy));
        assert_eq!(as_text_on(navy, DARK_SURFACE), None);
        let branding = Branding { primary_color: Some(yellow), ..Branding::default() };
        let names: Vec<_> = branding.css_properties().into_iter().map(|(name, _)| name).collect();
        assert_eq!(names, ["--primary", "--on-primary", "--primary-hover", "--primary-text-dark"]);
        assert!(Branding::default().css_properties().is_empty());
    }

    #[test]
    fn themes_round_trip() {
        for theme in [Theme::Light, Theme::Dark, Theme::Auto] {
            assert_eq!(Theme::parse(theme.as_str()), Some(theme));
        }
        assert_eq!(Theme::parse("Dark"), None);
        assert_eq!(Theme::default(), Theme::Auto);
    }

    #[test]
    fn app_names_are_bounded() {
        assert!(validate_app_name("Acme Rockets").is_ok());
        assert!(validate_app_name(&"x".repeat(61)).is_err());
        assert!(validate_app_name("a\u{7}b").is_err());
    }
}
