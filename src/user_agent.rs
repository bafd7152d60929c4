//! A short name for the browser and system in a User-Agent ("Firefox on Linux"), for the sessions list.
//!
//! Only fixed words (and messages) come out of [`label`]; the header itself (the auth server stores it as sent at sign-in, and
//! anyone can send anything) is shown beside it as text only.
use crate::i18n::Msg;

/// Browser markers, most specific first: Edge and Opera also say "Chrome/", Chrome also says "Safari/".
const BROWSERS: &[(&str, &str)] = &[
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
];

/// System markers, most specific first: Android also says "Linux", iOS also says "Mac OS X".
const SYSTEMS: &[(&str, &str)] = &[
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("CrOS", "ChromeOS"),
    ("Macintosh", "macOS"),
    ("Linux", "Linux"),
];

fn first_match(user_agent: &str, table: &[(&str, &'static str)]) -> Option<&'static str> {
    table.iter().find(|(marker, _)| user_agent.contains(marker)).map(|(_, name)| *name)
}

/// "Chrome on Windows", "Safari on iPhone", "Firefox", "Unknown browser on Linux", or "Unknown browser".
/// Product names stay as they are in every language; "on" and "Unknown browser" are messages.
pub fn label(user_agent: &str) -> Msg {
    let system = first_match(user_agent, SYSTEMS);
    let browser = first_match(user_agent, BROWSERS);
    let unknown = || Msg::new("sessions.unknown_browser");
    match (browser, system) {
        (Some(browser), Some(system)) => Msg::new("sessions.device").text("browser", browser).text("system", system),
        (None, Some(system)) => Msg::new("sessions.device").msg("browser", unknown()).text("system", system),
        (Some(browser), None) => Msg::new("sessions.browser").text("browser", browser),
        (None, None) => unknown(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn english(user_agent: &str) -> String {
        crate::i18n::english(&label(user_agent))
    }

    #[test]
    fn names_common_browsers() {
        let cases = [
            ("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox on Linux"),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 \
                 Safari/537.36 Edg/131.0.0.0",
                "Edge on Windows",
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) \
                 Version/18.1 Safari/605.1.15",
                "Safari on macOS",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) \
                 Version/18.1 Mobile/15E148 Safari/604.1",
                "Safari on iPhone",
            ),
            (
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 \
                 Mobile Safari/537.36",
                "Chrome on Android",
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/131.0 Safari/537.36",
                "Chrome on Linux",
            ),
            ("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) Chrome/131.0.0.0 Safari/537.36", "Chrome on ChromeOS"),
        ];
        for (user_agent, expected) in cases {
            assert_eq!(english(user_agent), expected, "{user_agent}");
        }
    }

    #[test]
    fn unknown_or_hostile_agents_give_fixed_words_only() {
        assert_eq!(english(""), "Unknown browser");
        assert_eq!(english("curl/8.5.0"), "Unknown browser");
        assert_eq!(english("<img src=x onerror=alert(1)> Linux"), "Unknown browser on Linux");
        assert_eq!(english("Firefox/1 <b>bold</b>"), "Firefox");
    }
}
