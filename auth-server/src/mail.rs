//! Outgoing mail: the `Mailer` interface, SMTP delivery (lettre), and the dev mailbox (console + memory, read at
//! `GET /dev/mailbox` in `--dev` mode). Messages are plain text only: nothing a user typed is ever put into HTML.
//! What they say, in which language, is in the submodules: `language` (which one), `catalog` (the texts, one
//! Fluent file per language under `mail-templates/`), `messages` (each message put together).

mod catalog;
mod language;
mod messages;

pub use language::{Language, SHIPPED as SHIPPED_LANGUAGES};
pub use messages::*;

use std::collections::VecDeque;
use std::future::Future;
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

#[cfg(test)]
mod tests {
    use super::*;

    const EN: Language = Language::ENGLISH;

    #[tokio::test]
    async fn dev_mailbox_keeps_newest_first_and_filters_by_recipient() {
        let mailbox = DevMailbox::default();
        let requested = RequestContext::default();
        mailbox.send(&otp_mail("a@x.io", "App", "123456", 600, &requested, EN)).await.unwrap();
        mailbox
            .send(&magic_link_mail("b@x.io", "App", "http://l/?psg_magic_link=t", 300, &requested, EN))
            .await
            .unwrap();
        mailbox.send(&otp_mail("a@x.io", "App", "654321", 600, &requested, EN)).await.unwrap();
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
        assert_eq!(requested.network(EN), "203.0.113.0/24");
        let browser = requested.browser(EN);
        assert!(browser.starts_with("Firefox on Linux (reported as \"Mozilla/5.0"), "{browser}");
        assert!(!browser.contains('\n') && !browser.contains('<') && !browser.contains("https://"), "{browser}");
        let v6 = RequestContext { ip: Some("2001:db8:abcd:12::1".parse().unwrap()), ..RequestContext::default() };
        assert_eq!(v6.network(EN), "2001:db8:abcd::/48");
        let mapped = RequestContext { ip: Some("::ffff:198.51.100.9".parse().unwrap()), ..RequestContext::default() };
        assert_eq!(mapped.network(EN), "198.51.100.0/24");
        assert!(RequestContext::default().browser(EN).contains("unknown browser"));
    }

    #[test]
    fn a_strangers_user_agent_cannot_put_a_link_into_a_passkey_mail() {
        let facts = PasskeyFacts {
            created_at: "2026-12-01T00:00:00Z".into(),
            user_agent: Some("Evil/1.0 confirm at https://evil.example or www.evil.example".into()),
        };
        let mail = passkey_confirmation_mail("v@x.io", "App", &facts, "https://auth.example/confirm?token=t", 7, EN);
        assert!(!mail.text.contains("https://evil") && !mail.text.contains("www.evil"), "{}", mail.text);
        assert!(mail.text.contains("https[:]//evil.example"), "{}", mail.text);
    }

    #[tokio::test]
    async fn without_a_transport_sending_fails() {
        let err = NoMailer.send(&otp_mail("a@x.io", "App", "1", 60, &RequestContext::default(), EN)).await.unwrap_err();
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
