//! Outgoing mail: the `Mailer` interface, SMTP delivery (lettre), and the dev mailbox (console + memory, read at
//! `GET /dev/mailbox` in `--dev` mode). Messages are plain text only: nothing a user typed is ever put into HTML.

use std::collections::VecDeque;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Serialize;

/// What a message carries, so the dev mailbox can show it as a field as well as in the text. `PasskeyConfirmation`:
/// "a passkey was created for this address", the link keeps (or removes) that one passkey. `AccountNotice`:
/// something happened to the account (passkeys removed or added), nothing to click.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MailKind {
    Otp {
        code: String,
    },
    MagicLink {
        link: String,
    },
    PasskeyConfirmation {
        link: String,
    },
    /// The link that confirms a new address for an account (P8), sent to that new address.
    EmailChange {
        link: String,
    },
    AccountNotice,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    #[serde(flatten)]
    pub kind: MailKind,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("no mail transport is configured (set --smtp-host, or run with --dev)")]
    NotConfigured,
    #[error("invalid address: {0}")]
    Address(String),
    #[error("cannot build the message: {0}")]
    Build(String),
    #[error("SMTP: {0}")]
    Smtp(String),
}

pub type MailFuture<'a> = Pin<Box<dyn Future<Output = Result<(), MailError>> + Send + 'a>>;

/// Sends one message. Implementations: [`SmtpMailer`], [`DevMailbox`], [`NoMailer`].
pub trait Mailer: Send + Sync + 'static {
    fn send<'a>(&'a self, mail: &'a Mail) -> MailFuture<'a>;
}

/// No transport configured (no SMTP, not `--dev`): every send fails, so the element shows "could not send".
#[derive(Debug, Default)]
pub struct NoMailer;

impl Mailer for NoMailer {
    fn send<'a>(&'a self, _mail: &'a Mail) -> MailFuture<'a> {
        Box::pin(async { Err(MailError::NotConfigured) })
    }
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SmtpTls {
    /// Implicit TLS from the first byte (SMTPS, usually port 465).
    Tls,
    /// Plain connection upgraded with STARTTLS, which is required (usually port 587).
    Starttls,
    /// No encryption (a local relay or a test server only; usually port 25).
    None,
}

#[derive(Debug, Clone)]
pub struct SmtpConfig {
    pub host: String,
    /// Default: 465 for `tls`, 587 for `starttls`, 25 for `none`.
    pub port: Option<u16>,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password: Option<String>,
    /// `Name <address>` or a bare address.
    pub from: String,
}

pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpMailer {
    pub fn new(config: &SmtpConfig) -> Result<Self, MailError> {
        let from: Mailbox =
            config.from.parse().map_err(|e| MailError::Address(format!("from address {:?}: {e}", config.from)))?;
        let builder = match config.tls {
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host),
            SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host),
            SmtpTls::None => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host)),
        }
        .map_err(|e| MailError::Smtp(e.to_string()))?;
        let mut builder = builder.timeout(Some(Duration::from_secs(20)));
        if let Some(port) = config.port {
            builder = builder.port(port);
        }
        if let Some(username) = &config.username {
            builder =
                builder.credentials(Credentials::new(username.clone(), config.password.clone().unwrap_or_default()));
        }
        Ok(Self { transport: builder.build(), from })
    }
}

impl Mailer for SmtpMailer {
    fn send<'a>(&'a self, mail: &'a Mail) -> MailFuture<'a> {
        Box::pin(async move {
            let to: Mailbox = mail.to.parse().map_err(|e| MailError::Address(format!("{:?}: {e}", mail.to)))?;
            let message = Message::builder()
                .from(self.from.clone())
                .to(to)
                .subject(&mail.subject)
                .header(ContentType::TEXT_PLAIN)
                .body(mail.text.clone())
                .map_err(|e| MailError::Build(e.to_string()))?;
            self.transport.send(message).await.map(|_| ()).map_err(|e| MailError::Smtp(e.to_string()))
        })
    }
}

/// One message as `GET /dev/mailbox` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct StoredMail {
    #[serde(flatten)]
    pub mail: Mail,
    /// RFC 3339.
    pub sent_at: String,
}

/// `--dev` only: prints every message to the console and keeps the newest ones in memory.
#[derive(Debug, Default)]
pub struct DevMailbox {
    messages: Mutex<VecDeque<StoredMail>>,
}

/// Older messages are dropped beyond this many (a dev server can run for days).
const DEV_MAILBOX_CAPACITY: usize = 1000;

impl DevMailbox {
    /// Messages, newest first; only those to `to` (compared case-insensitively) when given.
    pub fn messages(&self, to: Option<&str>) -> Vec<StoredMail> {
        let to = to.map(|t| t.trim().to_lowercase());
        self.messages
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .iter()
            .rev()
            .filter(|m| to.as_deref().is_none_or(|t| m.mail.to == t))
            .cloned()
            .collect()
    }
}

impl Mailer for DevMailbox {
    fn send<'a>(&'a self, mail: &'a Mail) -> MailFuture<'a> {
        let secret = match &mail.kind {
            MailKind::Otp { code } => format!("one-time code:\n{code}"),
            MailKind::MagicLink { link } => format!("magic link:\n{link}"),
            MailKind::PasskeyConfirmation { link } => format!("passkey confirmation link:\n{link}"),
            MailKind::EmailChange { link } => format!("e-mail change link:\n{link}"),
            MailKind::AccountNotice => "account notice".to_owned(),
        };
        // The code or link on its own line, so it can be copied from the console. A closed stdout must not fail the
        // request (println! would panic), so the write error is ignored.
        {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "dev mailbox: to {} ({}), {secret}", mail.to, mail.subject);
            let _ = out.flush();
        }
        let mut messages = self.messages.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if messages.len() >= DEV_MAILBOX_CAPACITY {
            messages.pop_front();
        }
        messages.push_back(StoredMail { mail: mail.clone(), sent_at: crate::ids::rfc3339(crate::ids::now()) });
        Box::pin(async { Ok(()) })
    }
}

/// The one-time code message, with who asked for it (a stranger who asks hopes the owner will read the code out).
pub fn otp_mail(to: &str, app_name: &str, code: &str, ttl_secs: u64, requested: &RequestContext) -> Mail {
    Mail {
        to: to.to_owned(),
        subject: format!("Your {app_name} code"),
        text: format!(
            "Your one-time code for {app_name} is:\n\n{code}\n\nIt expires in {}.\n\n{}",
            minutes(ttl_secs),
            requested.notice(
                "code",
                "do not give the code to anyone and do not type it into a page you did not open yourself. Nobody \
                 can sign in without it, and it expires on its own; someone only typed your address. If this keeps \
                 happening, tell the app's support.",
            )
        ),
        kind: MailKind::Otp { code: code.to_owned() },
    }
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

impl RequestContext {
    /// "Firefox on Linux (reported as "Mozilla/5.0 …")". The raw header is cut short and reduced to characters a
    /// User-Agent needs, with link-like parts defanged, so a forged header cannot add lines, markup or a clickable
    /// URL to the message (it is plain text, but mail clients turn URLs into links).
    pub fn browser(&self) -> String {
        let Some(raw) = self.user_agent.as_deref().map(str::trim).filter(|ua| !ua.is_empty()) else {
            return "an unknown browser (it sent no User-Agent)".to_owned();
        };
        let mut shown: String = raw
            .chars()
            .take(MAX_USER_AGENT_CHARS)
            .map(|c| if c.is_ascii_alphanumeric() || " ._;:()/,+-".contains(c) { c } else { '?' })
            .collect();
        if raw.chars().count() > MAX_USER_AGENT_CHARS {
            shown.push_str("...");
        }
        format!("{} (reported as \"{}\")", browser_summary(raw), defang_links(&shown))
    }

    /// The client's network, never the full address: IPv4 cut to /24, IPv6 to /48 (no location database).
    pub fn network(&self) -> String {
        match self.ip.map(|ip| ip.to_canonical()) {
            Some(IpAddr::V4(v4)) => {
                let [a, b, c, _] = v4.octets();
                format!("{a}.{b}.{c}.0/24")
            }
            Some(IpAddr::V6(v6)) => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}::/48", s[0], s[1], s[2])
            }
            None => "unknown".to_owned(),
        }
    }

    /// The paragraph every sign-in message ends with.
    fn notice(&self, what: &str, if_not_you: &str) -> String {
        let at = crate::ids::rfc3339(self.at).replace('T', " ").replace('Z', " UTC");
        format!(
            "This {what} was requested at {at}\nfrom {}\non the network {}.\n\nIf that was not you: {if_not_you}\n",
            self.browser(),
            self.network()
        )
    }
}

/// Text from a request with its link-like parts broken, so a mail client does not turn a forged User-Agent into a
/// clickable URL (the passkey mails go to a victim's address when a stranger registers with it).
fn defang_links(text: &str) -> String {
    text.replace("://", "[:]//").replace("www.", "www[.]")
}

/// A name for the browser and system in a User-Agent, from fixed words only (nothing of the header is copied).
fn browser_summary(ua: &str) -> String {
    let has = |needle: &str| ua.contains(needle);
    let browser = if has("Edg/") {
        "Edge"
    } else if has("OPR/") {
        "Opera"
    } else if has("Firefox/") {
        "Firefox"
    } else if has("Chrome/") || has("Chromium/") {
        "Chrome"
    } else if has("Safari/") {
        "Safari"
    } else {
        "a browser"
    };
    let system = if has("Android") {
        "Android"
    } else if has("iPhone") || has("iPad") {
        "iOS"
    } else if has("Windows") {
        "Windows"
    } else if has("Mac OS X") || has("Macintosh") {
        "macOS"
    } else if has("CrOS") {
        "ChromeOS"
    } else if has("Linux") {
        "Linux"
    } else {
        "an unknown system"
    };
    format!("{browser} on {system}")
}

/// The magic-link message. Opening the link signs in the browser that asked for it (the elements poll, E13), so the
/// message says who asked and tells the owner not to open a link they did not ask for.
pub fn magic_link_mail(to: &str, app_name: &str, link: &str, ttl_secs: u64, requested: &RequestContext) -> Mail {
    Mail {
        to: to.to_owned(),
        subject: format!("Your {app_name} sign-in link"),
        text: format!(
            "Open this link to sign in to {app_name}:\n\n{link}\n\nIt expires in {} and works once.\n\n{}",
            minutes(ttl_secs),
            requested.notice(
                "link",
                "do not open the link, and do not forward it. Opening it would sign in the browser that asked for \
                 it, wherever that is. Nobody can use it unless it is opened, and it expires on its own; someone \
                 only typed your address. If this keeps happening, tell the app's support.",
            )
        ),
        kind: MailKind::MagicLink { link: link.to_owned() },
    }
}

/// A magic link the app's own backend asked for (management API, `send: true`). No browser asked, so the link signs
/// in whichever browser opens it: the message says so and that the app sent it.
pub fn app_magic_link_mail(to: &str, app_name: &str, link: &str, ttl_secs: u64) -> Mail {
    Mail {
        to: to.to_owned(),
        subject: format!("Your {app_name} sign-in link"),
        text: format!(
            "{app_name} sent you this link to sign in:\n\n{link}\n\nIt expires in {} and works once. It signs in the \
             browser you open it in: do not forward it.\n",
            minutes(ttl_secs)
        ),
        kind: MailKind::MagicLink { link: link.to_owned() },
    }
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
    fn line(&self) -> String {
        match &self.user_agent {
            Some(agent) => {
                format!("created {} by a browser that reported itself as \"{}\"", self.created_at, defang_links(agent))
            }
            None => format!("created {} by a browser that did not identify itself", self.created_at),
        }
    }
}

/// Sent when a passkey is registered for an address nobody has proven yet (pre-account hijacking defence): the
/// owner keeps it through the link, or ignores the message and it is removed when they next sign in with a code or
/// link. `ttl_days`: how long the link works.
pub fn passkey_confirmation_mail(to: &str, app_name: &str, passkey: &PasskeyFacts, link: &str, ttl_days: i64) -> Mail {
    Mail {
        to: to.to_owned(),
        subject: format!("Confirm the new passkey for your {app_name} account"),
        text: format!(
            "A passkey was just registered for {app_name} with this e-mail address ({to}):\n\n  {}\n\n\
             If this was you, open this link to keep the passkey (it works once, for {ttl_days} days):\n\n{link}\n\n\
             If this was not you, do not open the link. Someone may be trying to take over an account in your name: \
             sign in to {app_name} with a one-time code or link sent to this address, and every passkey that was \
             never confirmed is removed and its sessions are ended. Until you confirm it or sign in that way, the \
             passkey can be used to sign in.\n",
            passkey.line()
        ),
        kind: MailKind::PasskeyConfirmation { link: link.to_owned() },
    }
}

/// Sent when proving the address removed passkeys that were registered before it was proven and never confirmed.
pub fn provisional_passkeys_removed_mail(to: &str, app_name: &str, removed: &[PasskeyFacts]) -> Mail {
    let list = removed.iter().map(|p| format!("  - {}\n", p.line())).collect::<String>();
    Mail {
        to: to.to_owned(),
        subject: format!("Passkeys were removed from your {app_name} account"),
        text: format!(
            "You just proved that this address ({to}) is yours. These passkeys had been registered for it before \
             that and were never confirmed through the link we sent, so they were removed and every session they \
             started was ended:\n\n{list}\n\
             Why: anyone can start a registration with any address, so a passkey counts only once the owner of \
             the address has confirmed it. If one of them was yours, add it again: after signing in, choose \
             \"add a passkey\" (the sign-in form offers it right after a code or link sign-in).\n"
        ),
        kind: MailKind::AccountNotice,
    }
}

/// What happened to a passkey, as its account mail tells the owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PasskeyChange {
    Added,
    Removed,
}

/// The one account mail about a single passkey (added or removed): what changed, which passkey, and what to do if
/// it was not the owner. ASVS 5.0 V6.3.7: users are notified after updates to authentication details.
fn passkey_change_mail(to: &str, app_name: &str, passkey: &PasskeyFacts, change: PasskeyChange) -> Mail {
    let (subject, happened, if_not_you) = match change {
        PasskeyChange::Added => (
            format!("A passkey was added to your {app_name} account"),
            format!("A passkey was added to your {app_name} account ({to}):"),
            "remove the passkey you do not recognise from your account page",
        ),
        PasskeyChange::Removed => (
            format!("A passkey was removed from your {app_name} account"),
            format!(
                "A passkey was removed from your {app_name} account ({to}); it can no longer sign in, and the \
                 sessions it started were ended:"
            ),
            "check the passkeys on your account page",
        ),
    };
    Mail {
        to: to.to_owned(),
        subject,
        text: format!(
            "{happened}\n\n  {}\n\n\
             If this was you, there is nothing to do. If it was not, someone has access to your account: sign in \
             with a one-time code or link, {if_not_you}, and sign out your other sessions.\n",
            passkey.line()
        ),
        kind: MailKind::AccountNotice,
    }
}

/// Sent when a passkey is added to an account whose address is proven (E16/E17).
pub fn passkey_added_mail(to: &str, app_name: &str, passkey: &PasskeyFacts) -> Mail {
    passkey_change_mail(to, app_name, passkey, PasskeyChange::Added)
}

/// Sent when the owner removed a passkey from the account page (P4).
pub fn passkey_removed_mail(to: &str, app_name: &str, passkey: &PasskeyFacts) -> Mail {
    passkey_change_mail(to, app_name, passkey, PasskeyChange::Removed)
}

/// P8, to the new address: the link that moves the account to it. Whoever opens it proves the address and is signed
/// in to that account, so a person who did not ask for it is told not to open it.
pub fn email_change_link_mail(to: &str, app_name: &str, link: &str, ttl_secs: u64, requested: &RequestContext) -> Mail {
    Mail {
        to: to.to_owned(),
        subject: format!("Confirm your new {app_name} e-mail address"),
        text: format!(
            "Someone signed in to {app_name} asked to use this address ({to}) for their account from now on. \
             Open this link to confirm it; it also signs you in:\n\n{link}\n\nIt expires in {} and works once. \
             Until it is opened, the account keeps its old address.\n\n{}",
            minutes(ttl_secs),
            requested.notice(
                "change",
                "do not open the link. Nothing changes unless it is opened, and it expires on its own; someone only \
                 typed your address. If this keeps happening, tell the app's support.",
            )
        ),
        kind: MailKind::EmailChange { link: link.to_owned() },
    }
}

/// P8, to the old address: a change was asked for (no link: nothing in this mailbox may confirm it).
pub fn email_change_requested_mail(
    to: &str,
    app_name: &str,
    new_email: &str,
    ttl_secs: u64,
    requested: &RequestContext,
) -> Mail {
    Mail {
        to: to.to_owned(),
        subject: format!("Your {app_name} e-mail address is about to change"),
        text: format!(
            "Someone signed in to your {app_name} account ({to}) asked to change its e-mail address to {new_email}. \
             We sent a link to that address; the account moves to it only when the link is opened (within {}).\n\n{}",
            minutes(ttl_secs),
            requested.notice(
                "change",
                "someone else is signed in to your account. Sign in, sign out all sessions on your account page, \
                 and check your passkeys. Once the link is opened, codes and links are no longer sent to this \
                 address.",
            )
        ),
        kind: MailKind::AccountNotice,
    }
}

/// E14 applied an e-mail change: the old address is told where the account went.
pub fn email_changed_mail(to: &str, app_name: &str, new_email: &str) -> Mail {
    Mail {
        to: to.to_owned(),
        subject: format!("Your {app_name} e-mail address was changed"),
        text: format!(
            "The e-mail address of your {app_name} account was changed from {to} to {new_email}: the link sent to \
             the new address was opened. Codes and sign-in links now go to {new_email}, and none are sent here.\n\n\
             If this was you, there is nothing to do. If it was not, someone else has your account: contact the \
             app's support.\n"
        ),
        kind: MailKind::AccountNotice,
    }
}

fn minutes(secs: u64) -> String {
    match secs.div_ceil(60) {
        1 => "1 minute".to_owned(),
        n => format!("{n} minutes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn dev_mailbox_keeps_newest_first_and_filters_by_recipient() {
        let mailbox = DevMailbox::default();
        let requested = RequestContext::default();
        mailbox.send(&otp_mail("a@x.io", "App", "123456", 600, &requested)).await.unwrap();
        mailbox.send(&magic_link_mail("b@x.io", "App", "http://l/?psg_magic_link=t", 300, &requested)).await.unwrap();
        mailbox.send(&otp_mail("a@x.io", "App", "654321", 600, &requested)).await.unwrap();
        let all = mailbox.messages(None);
        assert_eq!(all.len(), 3);
        let to_a = mailbox.messages(Some("A@x.io"));
        assert_eq!(to_a.len(), 2);
        assert_eq!(to_a[0].mail.kind, MailKind::Otp { code: "654321".into() });
        assert!(to_a[0].mail.text.contains("\n654321\n"), "code on its own line");
        let json = serde_json::to_value(&mailbox.messages(Some("b@x.io"))[0]).unwrap();
        assert_eq!(json["kind"], "magic_link");
        assert_eq!(json["link"], "http://l/?psg_magic_link=t");
        assert_eq!(json["to"], "b@x.io");
    }

    #[test]
    fn the_request_context_shows_a_network_and_a_harmless_browser() {
        let requested = RequestContext {
            at: 0,
            user_agent: Some("Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0\r\nOpen https://evil.example <b>".into()),
            ip: Some("203.0.113.77".parse().unwrap()),
        };
        assert_eq!(requested.network(), "203.0.113.0/24");
        let browser = requested.browser();
        assert!(browser.starts_with("Firefox on Linux (reported as \"Mozilla/5.0"), "{browser}");
        assert!(!browser.contains('\n') && !browser.contains('<') && !browser.contains("https://"), "{browser}");
        let v6 = RequestContext { ip: Some("2001:db8:abcd:12::1".parse().unwrap()), ..RequestContext::default() };
        assert_eq!(v6.network(), "2001:db8:abcd::/48");
        let mapped = RequestContext { ip: Some("::ffff:198.51.100.9".parse().unwrap()), ..RequestContext::default() };
        assert_eq!(mapped.network(), "198.51.100.0/24");
        assert!(RequestContext::default().browser().contains("unknown browser"));
    }

    #[test]
    fn a_strangers_user_agent_cannot_put_a_link_into_a_passkey_mail() {
        let facts = PasskeyFacts {
            created_at: "2026-12-01T00:00:00Z".into(),
            user_agent: Some("Evil/1.0 confirm at https://evil.example or www.evil.example".into()),
        };
        let mail = passkey_confirmation_mail("v@x.io", "App", &facts, "https://auth.example/confirm?token=t", 7);
        assert!(!mail.text.contains("https://evil") && !mail.text.contains("www.evil"), "{}", mail.text);
        assert!(mail.text.contains("https[:]//evil.example"), "{}", mail.text);
    }

    #[tokio::test]
    async fn without_a_transport_sending_fails() {
        let err = NoMailer.send(&otp_mail("a@x.io", "App", "1", 60, &RequestContext::default())).await.unwrap_err();
        assert!(matches!(err, MailError::NotConfigured));
    }

    /// The pooled transport spawns on the Tokio runtime, as in the server.
    #[tokio::test]
    async fn smtp_config_is_checked() {
        let config = SmtpConfig {
            host: "smtp.example.com".into(),
            port: None,
            tls: SmtpTls::Starttls,
            username: Some("u".into()),
            password: Some("p".into()),
            from: "not an address".into(),
        };
        assert!(matches!(SmtpMailer::new(&config), Err(MailError::Address(_))));
        let config = SmtpConfig { from: "App <no-reply@example.com>".into(), ..config };
        assert!(SmtpMailer::new(&config).is_ok());
    }
}
