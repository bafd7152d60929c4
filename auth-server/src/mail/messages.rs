//! The messages this server sends, in any shipped language: their texts come from `catalog`, and this module puts
//! them together, with each code or link on a line of its own, and shows what a request said about itself (browser,
//! network) only in a form that cannot add lines, markup or a link to the message.

use std::net::IpAddr;

use super::catalog::{text, Args};
use super::language::Language;
use super::{Mail, MailKind};

/// One message's texts in its language, for the app `app` and the recipient `to` (`$app`, `$address`).
struct Texts<'a> {
    language: Language,
    app: &'a str,
    to: &'a str,
}

impl<'a> Texts<'a> {
    fn args(&self) -> Args<'a> {
        Args::new().text("app", self.app).text("address", self.to)
    }

    /// A message that needs no more than `$app` and `$address`.
    fn get(&self, id: &str) -> String {
        text(self.language, id, &self.args())
    }

    fn with(&self, id: &str, args: Args<'_>) -> String {
        text(self.language, id, &args)
    }

    /// `$duration` (a `minutes` text) on top of `$app` and `$address`.
    fn expiring(&self, id: &str, ttl_secs: u64) -> String {
        self.with(id, self.args().text("duration", minutes(self.language, ttl_secs)))
    }

    fn mail(&self, subject: String, text: String, kind: MailKind) -> Mail {
        Mail { to: self.to.to_owned(), subject, text, kind }
    }
}

/// The one-time code message, with who asked for it (a stranger who asks hopes the owner will read the code out).
pub fn otp_mail(
    to: &str,
    app_name: &str,
    code: &str,
    ttl_secs: u64,
    requested: &RequestContext,
    language: Language,
) -> Mail {
    let t = Texts { language, app: app_name, to };
    t.mail(
        t.get("otp-subject"),
        format!(
            "{}\n\n{code}\n\n{}\n\n{}",
            t.get("otp-intro"),
            t.expiring("otp-expiry", ttl_secs),
            requested.notice(language, Requested::Code, &t.get("otp-if-not-you"))
        ),
        MailKind::Otp { code: code.to_owned() },
    )
}

/// When, from which browser and from roughly where a code or link was asked for, as its message tells the owner.
#[derive(Debug, Clone, Default)]
pub struct RequestContext {
    /// Unix seconds.
    pub at: i64,
    /// The request's `User-Agent`, as sent (attacker-controlled: shown only through [`Self::browser`]).
    pub user_agent: Option<String>,
    /// The client IP (shown only as its network, [`Self::network`]).
    pub ip: Option<IpAddr>,
}

/// Longest part of a User-Agent a message shows, in characters.
const MAX_USER_AGENT_CHARS: usize = 120;

/// What a notice paragraph says was requested.
#[derive(Debug, Clone, Copy)]
enum Requested {
    Code,
    Link,
    Change,
}

impl RequestContext {
    /// "Firefox on Linux (reported as "Mozilla/5.0 …")". The raw header is cut short and reduced to characters a
    /// User-Agent needs, with link-like parts defanged, so a forged header cannot add lines, markup or a clickable
    /// URL to the message (it is plain text, but mail clients turn URLs into links).
    pub fn browser(&self, language: Language) -> String {
        let Some(raw) = self.user_agent.as_deref().map(str::trim).filter(|ua| !ua.is_empty()) else {
            return text(language, "browser-unknown", &Args::new());
        };
        let mut shown: String = raw
            .chars()
            .take(MAX_USER_AGENT_CHARS)
            .map(|c| if c.is_ascii_alphanumeric() || " ._;:()/,+-".contains(c) { c } else { '?' })
            .collect();
        if raw.chars().count() > MAX_USER_AGENT_CHARS {
            shown.push_str("...");
        }
        let args = Args::new().text("summary", browser_summary(raw, language)).text("reported", defang_links(&shown));
        text(language, "browser-reported", &args)
    }

    /// The client's network, never the full address: IPv4 cut to /24, IPv6 to /48 (no location database).
    pub fn network(&self, language: Language) -> String {
        match self.ip.map(|ip| ip.to_canonical()) {
            Some(IpAddr::V4(v4)) => {
                let [a, b, c, _] = v4.octets();
                format!("{a}.{b}.{c}.0/24")
            }
            Some(IpAddr::V6(v6)) => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}::/48", s[0], s[1], s[2])
            }
            None => text(language, "network-unknown", &Args::new()),
        }
    }

    /// The paragraph every sign-in message ends with: who asked, then what to do if it was not the owner.
    fn notice(&self, language: Language, what: Requested, if_not_you: &str) -> String {
        let id = match what {
            Requested::Code => "requested-code",
            Requested::Link => "requested-link",
            Requested::Change => "requested-change",
        };
        let at = crate::ids::rfc3339(self.at).replace('T', " ").replace('Z', " UTC");
        let args =
            Args::new().text("at", at).text("browser", self.browser(language)).text("network", self.network(language));
        format!("{}\n\n{if_not_you}\n", text(language, id, &args))
    }
}

/// Text from a request with its link-like parts broken, so a mail client does not turn a forged User-Agent into a
/// clickable URL (the passkey mails go to a victim's address when a stranger registers with it).
fn defang_links(text: &str) -> String {
    text.replace("://", "[:]//").replace("www.", "www[.]")
}

/// A name for the browser and system in a User-Agent, from fixed words only (nothing of the header is copied).
fn browser_summary(ua: &str, language: Language) -> String {
    let has = |needle: &str| ua.contains(needle);
    let browser = if has("Edg/") {
        "Edge".to_owned()
    } else if has("OPR/") {
        "Opera".to_owned()
    } else if has("Firefox/") {
        "Firefox".to_owned()
    } else if has("Chrome/") || has("Chromium/") {
        "Chrome".to_owned()
    } else if has("Safari/") {
        "Safari".to_owned()
    } else {
        text(language, "browser-generic", &Args::new())
    };
    let system = if has("Android") {
        "Android".to_owned()
    } else if has("iPhone") || has("iPad") {
        "iOS".to_owned()
    } else if has("Windows") {
        "Windows".to_owned()
    } else if has("Mac OS X") || has("Macintosh") {
        "macOS".to_owned()
    } else if has("CrOS") {
        "ChromeOS".to_owned()
    } else if has("Linux") {
        "Linux".to_owned()
    } else {
        text(language, "system-unknown", &Args::new())
    };
    text(language, "browser-on-system", &Args::new().text("browser", browser).text("system", system))
}

/// The magic-link message. Opening the link signs in the browser that asked for it (the elements poll, E13), so the
/// message says who asked and tells the owner not to open a link they did not ask for.
pub fn magic_link_mail(
    to: &str,
    app_name: &str,
    link: &str,
    ttl_secs: u64,
    requested: &RequestContext,
    language: Language,
) -> Mail {
    let t = Texts { language, app: app_name, to };
    t.mail(
        t.get("magic-link-subject"),
        format!(
            "{}\n\n{link}\n\n{}\n\n{}",
            t.get("magic-link-intro"),
            t.expiring("magic-link-expiry", ttl_secs),
            requested.notice(language, Requested::Link, &t.get("magic-link-if-not-you"))
        ),
        MailKind::MagicLink { link: link.to_owned() },
    )
}

/// A magic link the app's own backend asked for (management API, `send: true`). No browser asked, so the link signs
/// in whichever browser opens it: the message says so and that the app sent it.
pub fn app_magic_link_mail(to: &str, app_name: &str, link: &str, ttl_secs: u64, language: Language) -> Mail {
    let t = Texts { language, app: app_name, to };
    t.mail(
        t.get("magic-link-subject"),
        format!("{}\n\n{link}\n\n{}\n", t.get("app-magic-link-intro"), t.expiring("app-magic-link-expiry", ttl_secs)),
        MailKind::MagicLink { link: link.to_owned() },
    )
}

/// A passkey as account mails name it: when it was created and by which browser (as that browser reported it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeyFacts {
    /// RFC 3339 (UTC).
    pub created_at: String,
    /// The sanitised User-Agent (no control characters), or `None` when the browser sent none.
    pub user_agent: Option<String>,
}

impl PasskeyFacts {
    fn line(&self, language: Language) -> String {
        let args = Args::new().text("at", self.created_at.as_str());
        match &self.user_agent {
            Some(agent) => text(language, "passkey-created-reported", &args.text("agent", defang_links(agent))),
            None => text(language, "passkey-created-unidentified", &args),
        }
    }
}

/// Sent when a passkey is registered for an address nobody has proven yet (pre-account hijacking defence): the
/// owner keeps it through the link, or ignores the message and it is removed when they next sign in with a code or
/// link. `ttl_days`: how long the link works.
pub fn passkey_confirmation_mail(
    to: &str,
    app_name: &str,
    passkey: &PasskeyFacts,
    link: &str,
    ttl_days: i64,
    language: Language,
) -> Mail {
    let t = Texts { language, app: app_name, to };
    let days = t.with("days", Args::new().number("count", ttl_days.max(0) as u64));
    t.mail(
        t.get("passkey-confirmation-subject"),
        format!(
            "{}\n\n  {}\n\n{}\n\n{link}\n\n{}\n",
            t.get("passkey-confirmation-intro"),
            passkey.line(language),
            t.with("passkey-confirmation-keep", t.args().text("duration", days)),
            t.get("passkey-confirmation-if-not-you"),
        ),
        MailKind::PasskeyConfirmation { link: link.to_owned() },
    )
}

/// Sent when proving the address removed passkeys that were registered before it was proven and never confirmed.
pub fn provisional_passkeys_removed_mail(
    to: &str,
    app_name: &str,
    removed: &[PasskeyFacts],
    language: Language,
) -> Mail {
    let t = Texts { language, app: app_name, to };
    let list = removed.iter().map(|p| format!("  - {}\n", p.line(language))).collect::<String>();
    t.mail(
        t.get("provisional-removed-subject"),
        format!("{}\n\n{list}\n{}\n", t.get("provisional-removed-intro"), t.get("provisional-removed-why")),
        MailKind::AccountNotice,
    )
}

/// What happened to a passkey, as its account mail tells the owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PasskeyChange {
    Added,
    Removed,
}

/// The one account mail about a single passkey (added or removed): what changed, which passkey, and what to do if
/// it was not the owner. ASVS 5.0 V6.3.7: users are notified after updates to authentication details.
fn passkey_change_mail(
    to: &str,
    app_name: &str,
    passkey: &PasskeyFacts,
    change: PasskeyChange,
    language: Language,
) -> Mail {
    let t = Texts { language, app: app_name, to };
    let prefix = match change {
        PasskeyChange::Added => "passkey-added",
        PasskeyChange::Removed => "passkey-removed",
    };
    t.mail(
        t.get(&format!("{prefix}-subject")),
        format!(
            "{}\n\n  {}\n\n{}\n",
            t.get(&format!("{prefix}-intro")),
            passkey.line(language),
            t.get(&format!("{prefix}-if-not-you"))
        ),
        MailKind::AccountNotice,
    )
}

/// Sent when a passkey is added to an account whose address is proven (E16/E17).
pub fn passkey_added_mail(to: &str, app_name: &str, passkey: &PasskeyFacts, language: Language) -> Mail {
    passkey_change_mail(to, app_name, passkey, PasskeyChange::Added, language)
}

/// Sent when the owner removed a passkey from the account page (P4).
pub fn passkey_removed_mail(to: &str, app_name: &str, passkey: &PasskeyFacts, language: Language) -> Mail {
    passkey_change_mail(to, app_name, passkey, PasskeyChange::Removed, language)
}

/// P8, to the new address: the link that moves the account to it. Whoever opens it proves the address and is signed
/// in to that account, so a person who did not ask for it is told not to open it.
pub fn email_change_link_mail(
    to: &str,
    app_name: &str,
    link: &str,
    ttl_secs: u64,
    requested: &RequestContext,
    language: Language,
) -> Mail {
    let t = Texts { language, app: app_name, to };
    t.mail(
        t.get("email-change-link-subject"),
        format!(
            "{}\n\n{link}\n\n{}\n\n{}",
            t.get("email-change-link-intro"),
            t.expiring("email-change-link-expiry", ttl_secs),
            requested.notice(language, Requested::Change, &t.get("email-change-link-if-not-you"))
        ),
        MailKind::EmailChange { link: link.to_owned() },
    )
}

/// P8, to the old address: a change was asked for (no link: nothing in this mailbox may confirm it).
pub fn email_change_requested_mail(
    to: &str,
    app_name: &str,
    new_email: &str,
    ttl_secs: u64,
    requested: &RequestContext,
    language: Language,
) -> Mail {
    let t = Texts { language, app: app_name, to };
    let body_args = t.args().text("new_address", new_email).text("duration", minutes(language, ttl_secs));
    t.mail(
        t.get("email-change-requested-subject"),
        format!(
            "{}\n\n{}",
            t.with("email-change-requested-body", body_args),
            requested.notice(language, Requested::Change, &t.get("email-change-requested-if-not-you"))
        ),
        MailKind::AccountNotice,
    )
}

/// E14 applied an e-mail change: the old address is told where the account went.
pub fn email_changed_mail(to: &str, app_name: &str, new_email: &str, language: Language) -> Mail {
    let t = Texts { language, app: app_name, to };
    t.mail(
        t.get("email-changed-subject"),
        format!(
            "{}\n\n{}\n",
            t.with("email-changed-body", t.args().text("new_address", new_email)),
            t.get("email-changed-if-not-you")
        ),
        MailKind::AccountNotice,
    )
}

/// How long a code or link works, in whole minutes rounded up, with the language's plural form.
pub fn minutes(language: Language, secs: u64) -> String {
    text(language, "minutes", &Args::new().number("count", secs.div_ceil(60)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FSI: char = '\u{2068}';
    const PDI: char = '\u{2069}';

    fn language(tag: &str) -> Language {
        Language::from_tag(tag).filter(|l| l.tag() == tag).unwrap_or_else(|| panic!("{tag} is shipped"))
    }

    fn requested() -> RequestContext {
        RequestContext {
            at: 1_796_000_000,
            user_agent: Some("Mozilla/5.0 (Windows NT 10.0) Firefox/133.0".into()),
            ip: Some("203.0.113.77".parse().unwrap()),
        }
    }

    fn isolated(text: &str) -> String {
        format!("{FSI}{text}{PDI}")
    }

    /// The plural forms of "N minutes" as each language's grammar wants them (CLDR cardinal categories).
    #[test]
    fn minutes_take_each_languages_plural_form() {
        let cases: &[(&str, &[(u64, &str)])] = &[
            ("en", &[(1, "1 minute"), (2, "2 minutes"), (5, "5 minutes")]),
            ("es", &[(1, "1 minuto"), (5, "5 minutos")]),
            ("fr", &[(1, "1 minute"), (2, "2 minutes"), (5, "5 minutes")]),
            ("de", &[(1, "1 Minute"), (5, "5 Minuten")]),
            ("pt-BR", &[(1, "1 minuto"), (5, "5 minutos")]),
            ("it", &[(1, "1 minuto"), (5, "5 minuti")]),
            ("nl", &[(1, "1 minuut"), (5, "5 minuten")]),
            (
                "pl",
                &[
                    (1, "1 minuta"),
                    (2, "2 minuty"),
                    (4, "4 minuty"),
                    (5, "5 minut"),
                    (12, "12 minut"),
                    (22, "22 minuty"),
                ],
            ),
            ("ja", &[(1, "1分"), (5, "5分")]),
            ("zh-CN", &[(1, "1 分钟"), (5, "5 分钟")]),
            ("ko", &[(1, "1분"), (5, "5분")]),
        ];
        for (tag, forms) in cases {
            for (count, expected) in *forms {
                assert_eq!(minutes(language(tag), count * 60), *expected, "{tag} {count}");
            }
        }
        // Arabic: one, two, few (3-10), many (11-99), other (100+); numbers are isolated like every placeable.
        let ar = language("ar");
        assert_eq!(minutes(ar, 60), "دقيقة واحدة");
        assert_eq!(minutes(ar, 120), "دقيقتان");
        assert_eq!(minutes(ar, 5 * 60), format!("{} دقائق", isolated("5")));
        assert_eq!(minutes(ar, 11 * 60), format!("{} دقيقة", isolated("11")));
        assert_eq!(minutes(ar, 100 * 60), format!("{} دقيقة", isolated("100")));
        // Seconds are rounded up to whole minutes.
        assert_eq!(minutes(Language::ENGLISH, 61), "2 minutes");
    }

    #[test]
    fn a_code_mail_in_every_language_has_the_code_on_its_own_line_and_the_right_plural() {
        for language in Language::all() {
            for (ttl, count) in [(60, 1), (300, 5)] {
                let mail = otp_mail("a@x.io", "App", "123456", ttl, &requested(), language);
                let tag = language.tag();
                assert_eq!(mail.text.lines().filter(|line| *line == "123456").count(), 1, "{tag}: {}", mail.text);
                assert_eq!(mail.text.matches("123456").count(), 1, "{tag}: the code appears once");
                assert!(mail.text.contains(&minutes(language, count * 60)), "{tag} {count}: {}", mail.text);
                assert!(mail.subject.contains("App"), "{tag}: {}", mail.subject);
                assert!(mail.text.contains("203.0.113.0/24") && mail.text.contains("2026-"), "{tag}: {}", mail.text);
                assert!(!mail.text.contains('{') && !mail.text.contains('}'), "{tag}: a placeable left: {}", mail.text);
                if language != Language::ENGLISH {
                    let english = otp_mail("a@x.io", "App", "123456", ttl, &requested(), Language::ENGLISH);
                    assert_ne!(mail.subject, english.subject, "{tag} is translated");
                }
            }
        }
    }

    /// A mail client must find the whole URL to make it clickable: the link is a line of its own, exactly the URL,
    /// with no bidi control or other invisible character on it, also in Arabic, where the text around it is isolated.
    #[test]
    fn a_links_line_is_exactly_the_url_in_every_language() {
        let link = "https://app.example/login?psg_magic_link=Tok-en_123#top";
        let facts = PasskeyFacts { created_at: "2026-12-01T00:00:00Z".into(), user_agent: None };
        for language in Language::all() {
            let mails = [
                magic_link_mail("a@x.io", "App", link, 300, &requested(), language),
                app_magic_link_mail("a@x.io", "App", link, 300, language),
                passkey_confirmation_mail("a@x.io", "App", &facts, link, 7, language),
                email_change_link_mail("a@x.io", "App", link, 600, &requested(), language),
            ];
            for mail in mails {
                let tag = language.tag();
                let lines = mail.text.lines().collect::<Vec<_>>();
                let at = lines.iter().position(|line| line.contains("psg_magic_link")).expect("the link");
                assert_eq!(lines[at], link, "{tag}: {:?}", lines[at]);
                assert_eq!(mail.text.matches(link).count(), 1, "{tag}: the link appears once");
                assert_eq!((lines[at - 1], lines[at + 1]), ("", ""), "{tag}: blank lines around the link");
            }
        }
    }

    #[test]
    fn placeables_are_isolated_in_arabic_only() {
        let ar = passkey_added_mail(
            "a@x.io",
            "App",
            &PasskeyFacts { created_at: "t".into(), user_agent: None },
            language("ar"),
        );
        assert!(ar.text.contains(&isolated("a@x.io")) && ar.subject.contains(&isolated("App")), "{}", ar.text);
        for language in Language::all().filter(|l| l.tag() != "ar") {
            let mail = otp_mail("a@x.io", "App", "123456", 60, &requested(), language);
            assert!(!mail.text.contains([FSI, PDI]) && !mail.subject.contains([FSI, PDI]), "{}", language.tag());
        }
    }

    #[test]
    fn every_mail_is_written_in_the_language_asked_for() {
        let fr = language("fr");
        let facts = PasskeyFacts { created_at: "2026-12-01T00:00:00Z".into(), user_agent: Some("Firefox".into()) };
        let mails = [
            passkey_added_mail("a@x.io", "App", &facts, fr),
            passkey_removed_mail("a@x.io", "App", &facts, fr),
            provisional_passkeys_removed_mail("a@x.io", "App", &[facts.clone(), facts.clone()], fr),
            email_change_requested_mail("a@x.io", "App", "b@x.io", 600, &requested(), fr),
            email_changed_mail("a@x.io", "App", "b@x.io", fr),
        ];
        for mail in &mails {
            assert!(mail.subject.contains("votre compte App"), "{}", mail.subject);
        }
        assert!(mails[0]
            .text
            .contains("créée le 2026-12-01T00:00:00Z par un navigateur qui s'est présenté comme « Firefox »"));
        assert_eq!(mails[2].text.matches("  - créée le").count(), 2, "{}", mails[2].text);
        assert!(mails[3].text.contains("b@x.io") && mails[3].text.contains("10 minutes"), "{}", mails[3].text);
        assert!(mails[3].text.contains("depuis Firefox sous Windows (se présentant comme « Mozilla/5.0"));
        let days = passkey_confirmation_mail("a@x.io", "App", &facts, "https://l/", 1, language("pl"));
        assert!(days.text.contains("czas ważności: 1 dzień"), "{}", days.text);
        let unknown = RequestContext::default();
        assert_eq!(unknown.browser(fr), "un navigateur inconnu (il n'a envoyé aucun User-Agent)");
        assert_eq!(unknown.network(language("de")), "unbekannt");
    }
}
