//! Command line: serve (default), `rotate-key`, `generate-api-key`, `import`. Every flag also reads the env variable shown.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::config::{dev_app, AppConfig, ConfigFile, DevFallback};
use crate::key_encryption::{self, KeyEncryptionKey};
use crate::limits::{Limits, RedisStore};
use crate::mail::{SmtpConfig, SmtpMailer, SmtpTls};
use crate::state::{AppState, ServerOptions};
use crate::{db, ids, tokens};

#[derive(Debug, Parser)]
#[command(name = "auth-server", version, about = "Self-hosted, Passage-compatible auth API")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Apps to serve, from a TOML file (see config.example.toml).
    #[arg(long, env = "AUTH_CONFIG", conflicts_with = "dev")]
    pub config: Option<PathBuf>,

    /// Serve the development app `dev-app` instead of a config file.
    #[arg(long)]
    pub dev: bool,

    /// The SPA origin the dev app serves (its host is the WebAuthn RP ID).
    #[arg(long, env = "DEV_ORIGIN", default_value = "http://localhost:8080")]
    pub dev_origin: String,

    /// Management API key of the dev app (default: random, printed at start).
    #[arg(long, env = "DEV_API_KEY")]
    pub dev_api_key: Option<String>,

    /// The fallback the dev app offers beside passkeys (the elements always pick OTP when both are offered).
    #[arg(long, env = "DEV_FALLBACK", value_enum, default_value_t = DevFallback::Otp)]
    pub dev_fallback: DevFallback,

    /// Lifetime of the dev app's auth tokens, in seconds (default: an hour, as configured apps). A short one shows
    /// the SPA renewing expired tokens with the refresh token without waiting an hour (the end-to-end suite uses 5).
    #[arg(long, env = "DEV_AUTH_TOKEN_LIFETIME_SECS", value_parser = clap::value_parser!(u64).range(1..))]
    pub dev_auth_token_lifetime_secs: Option<u64>,

    /// SMTP server for one-time codes and magic links. Without it (and without --dev) nothing can be sent.
    #[arg(long, env = "SMTP_HOST")]
    pub smtp_host: Option<String>,

    /// SMTP port (default: 465 for tls, 587 for starttls, 25 for none).
    #[arg(long, env = "SMTP_PORT")]
    pub smtp_port: Option<u16>,

    /// How the SMTP connection is secured.
    #[arg(long, env = "SMTP_TLS", value_enum, default_value_t = SmtpTls::Starttls)]
    pub smtp_tls: SmtpTls,

    /// SMTP user name (with --smtp-password; both empty = no authentication).
    #[arg(long, env = "SMTP_USERNAME")]
    pub smtp_username: Option<String>,

    /// SMTP password. Prefer the env variable: command lines are visible to other local users.
    #[arg(long, env = "SMTP_PASSWORD", hide_env_values = true)]
    pub smtp_password: Option<String>,

    /// Sender of every message, `Name <address>` or an address.
    #[arg(long, env = "MAIL_FROM", default_value = "no-reply@localhost")]
    pub mail_from: String,

    /// Take the client IP for per-IP limits from the right-most X-Forwarded-For entry. Only behind a reverse proxy
    /// that sets it; otherwise clients could pick any IP.
    #[arg(long, env = "TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,

    /// Keep the abuse-limit counters in this Redis (`redis://[:password@]host:port[/db]`, `rediss://` for TLS),
    /// shared by every instance: required when more than one instance serves an app, or each instance would
    /// allow the whole budget. Without it the counters live in this process.
    #[arg(long, env = "REDIS_URL", hide_env_values = true)]
    pub redis_url: Option<String>,

    /// Prefix of this deployment's keys in Redis (several deployments can share one Redis).
    #[arg(long, env = "REDIS_KEY_PREFIX", default_value = "leptos-passage:limits")]
    pub redis_key_prefix: String,

    /// Length of the rate-limit window, seconds.
    #[arg(long, env = "LIMIT_WINDOW_SECS", default_value_t = Limits::default().window_secs)]
    pub limit_window_secs: u64,

    /// Codes or links sent per client IP per window.
    #[arg(long, env = "LIMIT_SENDS_PER_IP", default_value_t = Limits::default().sends_per_ip)]
    pub limit_sends_per_ip: u32,

    /// Codes or links sent per e-mail address per window.
    #[arg(long, env = "LIMIT_SENDS_PER_IDENTIFIER", default_value_t = Limits::default().sends_per_identifier)]
    pub limit_sends_per_identifier: u32,

    /// Code and link activation attempts per client IP per window.
    #[arg(long, env = "LIMIT_ACTIVATIONS_PER_IP", default_value_t = Limits::default().activations_per_ip)]
    pub limit_activations_per_ip: u32,

    /// Code activation attempts per user per client network per window.
    #[arg(long, env = "LIMIT_ACTIVATIONS_PER_IDENTIFIER", default_value_t = Limits::default().activations_per_identifier)]
    pub limit_activations_per_identifier: u32,

    /// The URL browsers reach this server at (as the SPA's auth URL), for links in mails that open this server
    /// (passkey confirmation). Default: http://localhost:PORT for a loopback --bind.
    #[arg(long, env = "PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Codes or links sent per e-mail address from all client networks together per window.
    #[arg(long, env = "LIMIT_SENDS_PER_IDENTIFIER_ALL_NETWORKS", default_value_t = Limits::default().sends_per_identifier_all_networks)]
    pub limit_sends_per_identifier_all_networks: u32,

    /// User lookups (E2) per client network per window.
    #[arg(long, env = "LIMIT_LOOKUPS_PER_IP", default_value_t = Limits::default().lookups_per_ip)]
    pub limit_lookups_per_ip: u32,

    /// User creations (E3) per client network per window.
    #[arg(long, env = "LIMIT_USER_CREATIONS_PER_IP", default_value_t = Limits::default().user_creations_per_ip)]
    pub limit_user_creations_per_ip: u32,

    /// Passkey ceremony starts (E4 + E6) per client network per window.
    #[arg(long, env = "LIMIT_CEREMONY_STARTS_PER_IP", default_value_t = Limits::default().ceremony_starts_per_ip)]
    pub limit_ceremony_starts_per_ip: u32,

    /// Magic-link status polls (E13) per client network per window.
    #[arg(long, env = "LIMIT_POLLS_PER_IP", default_value_t = Limits::default().polls_per_ip)]
    pub limit_polls_per_ip: u32,

    /// Token refreshes (E18) per client network per window.
    #[arg(long, env = "LIMIT_REFRESHES_PER_IP", default_value_t = Limits::default().refreshes_per_ip)]
    pub limit_refreshes_per_ip: u32,

    /// Rate-limit counters kept in memory at most (bounds memory under a flood of distinct clients).
    #[arg(long, env = "LIMIT_MAX_TRACKED_KEYS", default_value_t = Limits::default().max_tracked_keys)]
    pub limit_max_tracked_keys: u64,

    /// Consecutive wrong codes per account and client network before no more are accepted from that network.
    #[arg(long, env = "LIMIT_OTP_FAILURES_PER_NETWORK", default_value_t = Limits::default().otp_failures_per_network)]
    pub limit_otp_failures_per_network: u32,

    /// Consecutive wrong codes per account from the networks the user never signed in from, before no more are
    /// accepted from such networks (at most 100).
    #[arg(long, env = "LIMIT_OTP_FAILURES_PER_ACCOUNT", default_value_t = Limits::default().otp_failures_per_account)]
    pub limit_otp_failures_per_account: u32,

    /// Seconds a client may take to send a request's headers; a slower connection is closed.
    #[arg(long, env = "HEADER_READ_TIMEOUT_SECS", default_value_t = 10)]
    pub header_read_timeout_secs: u64,

    /// Seconds a request may take from its headers to the response (408 after that).
    #[arg(long, env = "REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,

    /// Serve Prometheus metrics at `GET /metrics` on this address (its own listener, never the API's port; port 0
    /// picks a free port, printed). Unset: no metrics listener.
    #[arg(long, env = "METRICS_BIND")]
    pub metrics_bind: Option<SocketAddr>,

    /// `text` (one readable line per event) or `json` (one JSON object per line, for a log collector).
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value_t = ops::logging::LogFormat::Text, global = true)]
    pub log_format: ops::logging::LogFormat,

    /// Address to listen on (port 0 picks a free port; the chosen address is printed).
    #[arg(long, env = "BIND", default_value = "127.0.0.1:8081")]
    pub bind: SocketAddr,

    /// Address of the management API (Passage's server SDKs, API key per app; port 0 picks a free port). Default:
    /// 127.0.0.1:8083, or a free loopback port when --bind's port is 0 (tests start many servers side by side).
    /// Loopback by default: only servers of the operator call it. Its SDK base URL is http://ADDRESS/v1.
    #[arg(long, env = "MANAGEMENT_BIND")]
    pub management_bind: Option<SocketAddr>,

    /// sqlite://FILE (created if missing) or postgres://...
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://.data/auth.sqlite3", global = true)]
    pub database_url: String,

    /// File holding the 32-byte key that encrypts the signing keys at rest (base64, hex or raw; e.g. `openssl rand
    /// -base64 32`). Instead, the key itself may be given in the KEY_ENCRYPTION_KEY env variable. Required outside
    /// --dev; --dev creates one next to the SQLite file.
    #[arg(long, env = "KEY_ENCRYPTION_KEY_FILE", global = true)]
    pub key_encryption_key_file: Option<PathBuf>,

    /// Let --dev listen on a non-loopback address. The dev mailbox shows every code and link to anyone who can
    /// reach it: only on a network you trust.
    #[arg(long, env = "DEV_ALLOW_REMOTE")]
    pub dev_allow_remote: bool,
}

/// The env variable that may hold the key-encryption key itself (read directly, so it never shows in `--help`).
pub const KEY_ENCRYPTION_KEY_ENV: &str = "KEY_ENCRYPTION_KEY";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate a new signing key; the previous one stays in the JWKS so issued tokens keep verifying.
    RotateKey {
        /// Also revoke: every previous key is deleted at once, so tokens it signed stop verifying (for a key that
        /// may have leaked).
        #[arg(long)]
        revoke: bool,
        /// With --revoke: replace the keys even if this key-encryption key cannot read them (the old one is lost).
        #[arg(long, requires = "revoke")]
        replace_unreadable: bool,
    },
    /// Print a new random management API key and the SHA-256 to put in the config file.
    GenerateApiKey,
    /// Import users exported from Passage (CSV from its console, or the JSON of the management API's list call),
    /// keeping their user ids. Re-running it changes nothing; refused rows are listed with their line numbers.
    Import {
        /// The app (of --config, or `dev-app` with --dev) the users belong to.
        #[arg(long)]
        app: String,
        /// The export file (`-` for standard input).
        file: PathBuf,
        /// csv or json (default: told from the first character).
        #[arg(long, value_enum)]
        format: Option<crate::import::Format>,
        /// Check everything against the database, report, and write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Users per transaction.
        #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=100_000))]
        batch_size: u64,
        /// Import users that have a phone number or an external id without it (this server keeps neither),
        /// instead of refusing them.
        #[arg(long)]
        drop_unsupported: bool,
    },
}

/// Run the command line. Errors are returned as text for `main` to print.
pub async fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Some(Command::RotateKey { revoke, replace_unreadable }) => rotate_key(&cli, revoke, replace_unreadable).await,
        Some(Command::GenerateApiKey) => {
            let key = ids::random_secret();
            println!("api key:   {key}");
            println!("sha256:    {}", ids::sha256_hex(&key));
            println!("config:    management_api_key_sha256 = [\"{}\"]", ids::sha256_hex(&key));
            Ok(())
        }
        Some(Command::Import { ref app, ref file, format, dry_run, batch_size, drop_unsupported }) => {
            let options = crate::import::ImportOptions {
                app_id: app.clone(),
                dry_run,
                batch_size: batch_size as usize,
                policy: crate::import::Policy { drop_unsupported },
            };
            import(&cli, file, format, &options).await
        }
        None => serve(cli).await,
    }
}

async fn import(
    cli: &Cli,
    file: &Path,
    format: Option<crate::import::Format>,
    options: &crate::import::ImportOptions,
) -> Result<(), String> {
    let known = if cli.dev {
        vec![crate::config::DEV_APP_ID.to_owned()]
    } else if let Some(path) = &cli.config {
        ConfigFile::load(path).map_err(|e| e.to_string())?.apps.into_iter().map(|app| app.id).collect()
    } else {
        return Err("pass --config FILE (or AUTH_CONFIG), or --dev, so the app id is checked".into());
    };
    if !known.contains(&options.app_id) {
        return Err(format!(
            "--app {}: not an app of this server (its apps: {})",
            crate::log_text::Untrusted(&options.app_id),
            known.join(", ")
        ));
    }
    let text = if file == Path::new("-") {
        std::io::read_to_string(std::io::stdin()).map_err(|e| format!("standard input: {e}"))?
    } else {
        std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?
    };
    let format = format.unwrap_or_else(|| crate::import::Format::detect(&text));
    let pool = db::connect(&cli.database_url).await.map_err(|e| e.to_string())?;
    let report = crate::import::import_text(&pool, &text, format, options, ids::now())
        .await
        .map_err(|e| format!("{}: {e}", file.display()))?;
    println!("{report}");
    if report.refused.is_empty() {
        Ok(())
    } else {
        Err(format!("{} row(s) refused (listed above); fix them and run the import again", report.refused.len()))
    }
}

async fn rotate_key(cli: &Cli, revoke: bool, replace_unreadable: bool) -> Result<(), String> {
    let kek = kek_for_rotation(cli)?;
    let pool = db::connect(&cli.database_url).await.map_err(|e| e.to_string())?;
    // Checks that this KEK reads the stored keys (and seals legacy plaintext ones); makes sure a first key exists,
    // so a plain rotation always leaves a previous key behind. Skipped only to replace keys of a lost KEK.
    if !replace_unreadable {
        tokens::SigningKeys::load_or_create(&pool, &kek).await.map_err(|e| e.to_string())?;
    }
    if revoke {
        let (kid, removed) = tokens::rotate_revoking_previous(&pool, &kek).await.map_err(|e| e.to_string())?;
        println!(
            "new signing key: kid {kid}; {removed} previous key(s) revoked: removed from the database and the JWKS. \
             Tokens they signed stop verifying once running servers reload their keys (within a minute) and once \
             backends refetch the JWKS (their JWKS_MAX_AGE)"
        );
    } else {
        let kid = tokens::rotate(&pool, &kek).await.map_err(|e| e.to_string())?;
        println!("new signing key: kid {kid} (the previous key stays in the JWKS; running servers pick it up within a minute)");
    }
    Ok(())
}

/// The KEK from `--key-encryption-key-file` or `KEY_ENCRYPTION_KEY`, if one is given (not both).
fn configured_kek(cli: &Cli) -> Result<Option<KeyEncryptionKey>, String> {
    let from_env = std::env::var(KEY_ENCRYPTION_KEY_ENV).ok().filter(|text| !text.trim().is_empty());
    match (&cli.key_encryption_key_file, from_env) {
        (Some(_), Some(_)) => {
            Err(format!("give the key-encryption key once: --key-encryption-key-file or {KEY_ENCRYPTION_KEY_ENV}"))
        }
        (Some(path), None) => {
            let key = KeyEncryptionKey::from_file(path).map_err(|e| format!("{}: {e}", path.display()))?;
            if key_encryption::readable_by_others(path) {
                eprintln!(
                    "auth-server: WARNING: the key-encryption key file {} can be read by other users (chmod 600 it)",
                    path.display()
                );
            }
            Ok(Some(key))
        }
        (None, Some(text)) => {
            KeyEncryptionKey::from_text(&text).map(Some).map_err(|e| format!("{KEY_ENCRYPTION_KEY_ENV}: {e}"))
        }
        (None, None) => Ok(None),
    }
}

/// Where `--dev` keeps its KEK: next to the SQLite file (`auth.sqlite3` → `auth.sqlite3.kek`), or under `.data/`
/// for Postgres and in-memory databases.
pub fn dev_kek_path(database_url: &str) -> PathBuf {
    let rest = database_url.trim_start_matches("sqlite:").trim_start_matches("//");
    let path = rest.split_once('?').map_or(rest, |(path, _)| path);
    if database_url.starts_with("sqlite:") && !path.is_empty() && !path.starts_with(":memory:") {
        PathBuf::from(format!("{path}.kek"))
    } else {
        Path::new(".data").join("dev-key-encryption-key")
    }
}

/// The KEK a server runs with. ASVS 5.0 V13.3.1 (secrets in a secret store, not beside the data): outside `--dev`
/// one must be configured, or the server refuses to start; `--dev` creates its own under `.data/`.
fn kek_for_serve(cli: &Cli) -> Result<KeyEncryptionKey, String> {
    if let Some(key) = configured_kek(cli)? {
        return Ok(key);
    }
    if !cli.dev {
        return Err(format!("{} (or run with --dev)", crate::state::StateError::NoKeyEncryptionKey));
    }
    let path = dev_kek_path(&cli.database_url);
    let (key, created) = KeyEncryptionKey::load_or_create_file(&path).map_err(|e| e.to_string())?;
    if created {
        println!("dev key-encryption key created at {} (signing keys are encrypted with it)", path.display());
    }
    Ok(key)
}

/// `rotate-key` uses the configured KEK, or the one a `--dev` server created next to this database.
fn kek_for_rotation(cli: &Cli) -> Result<KeyEncryptionKey, String> {
    if let Some(key) = configured_kek(cli)? {
        return Ok(key);
    }
    let path = dev_kek_path(&cli.database_url);
    if path.exists() {
        println!("using the dev key-encryption key at {}", path.display());
        return KeyEncryptionKey::from_file(&path).map_err(|e| e.to_string());
    }
    Err(crate::state::StateError::NoKeyEncryptionKey.to_string())
}

/// `--dev` listens on loopback only, unless forced: its mailbox hands out every code and link.
fn check_dev_bind(cli: &Cli) -> Result<(), String> {
    // ASVS 5.0 V13.4.2: "debug modes are disabled ... to prevent exposure of debugging features". The dev mailbox
    // is an account-takeover tool for anyone who can reach it, so it stays on this machine unless forced.
    if cli.dev && !cli.bind.ip().to_canonical().is_loopback() && !cli.dev_allow_remote {
        return Err(format!(
            "--dev listens on loopback addresses only (127.0.0.1, ::1): its dev mailbox (GET /dev/mailbox) shows every \
             one-time code and magic link to anyone who can reach it, and --bind {} is reachable from other hosts. \
             Bind to 127.0.0.1, or pass --dev-allow-remote (DEV_ALLOW_REMOTE=true) on a network you trust",
            cli.bind
        ));
    }
    Ok(())
}

fn apps_from(cli: &Cli) -> Result<Vec<AppConfig>, String> {
    check_dev_bind(cli)?;
    if cli.dev {
        let key = cli.dev_api_key.clone().unwrap_or_else(ids::random_secret);
        let mut app = dev_app(&cli.dev_origin, &key, cli.dev_fallback);
        if let Some(lifetime) = cli.dev_auth_token_lifetime_secs {
            app.auth_token_lifetime_secs = lifetime;
        }
        app.validate().map_err(|e| format!("--dev-origin: {e}"))?;
        println!(
            "dev app `{}` for {} (RP ID {}); management API key: {key}",
            app.id,
            app.normalized_origin(),
            app.rp_id().map_err(|e| e.to_string())?
        );
        Ok(vec![app])
    } else if let Some(path) = &cli.config {
        Ok(ConfigFile::load(path).map_err(|e| e.to_string())?.apps)
    } else {
        Err("nothing to serve: pass --config FILE (or AUTH_CONFIG) or --dev".into())
    }
}

/// Mail transport, limits and proxy trust from the flags.
fn server_options(cli: &Cli, apps: &[AppConfig]) -> Result<ServerOptions, String> {
    let mut options = if cli.dev {
        println!("dev mailbox: codes and links are printed here and listed at GET /dev/mailbox?to=<address>");
        ServerOptions::dev()
    } else {
        ServerOptions::default()
    };
    if let Some(host) = &cli.smtp_host {
        let mailer = SmtpMailer::new(&SmtpConfig {
            host: host.clone(),
            port: cli.smtp_port,
            tls: cli.smtp_tls,
            username: cli.smtp_username.clone().filter(|u| !u.is_empty()),
            password: cli.smtp_password.clone(),
            from: cli.mail_from.clone(),
        })
        .map_err(|e| format!("SMTP settings: {e}"))?;
        // In dev mode with SMTP, mail is really sent; the dev mailbox route stays but stays empty.
        options.mailer = std::sync::Arc::new(mailer);
    } else if !cli.dev && apps.iter().any(|a| a.auth_methods.otp.is_some() || a.auth_methods.magic_link.is_some()) {
        eprintln!(
            "auth-server: WARNING: an app offers one-time codes or magic links but no SMTP server is configured \
             (--smtp-host): sending them will fail"
        );
    }
    options.limits = Limits {
        window_secs: cli.limit_window_secs.max(1),
        sends_per_ip: cli.limit_sends_per_ip,
        sends_per_identifier: cli.limit_sends_per_identifier,
        activations_per_ip: cli.limit_activations_per_ip,
        activations_per_identifier: cli.limit_activations_per_identifier,
        sends_per_identifier_all_networks: cli.limit_sends_per_identifier_all_networks,
        lookups_per_ip: cli.limit_lookups_per_ip,
        user_creations_per_ip: cli.limit_user_creations_per_ip,
        ceremony_starts_per_ip: cli.limit_ceremony_starts_per_ip,
        polls_per_ip: cli.limit_polls_per_ip,
        refreshes_per_ip: cli.limit_refreshes_per_ip,
        max_tracked_keys: cli.limit_max_tracked_keys.max(1),
        otp_failures_per_network: cli.limit_otp_failures_per_network,
        otp_failures_per_account: cli.limit_otp_failures_per_account,
        ..Limits::default()
    };
    if cli.limit_otp_failures_per_network > 100 {
        // NIST SP 800-63B §5.2.2: no more than 100 consecutive failed attempts on a single account.
        return Err("--limit-otp-failures-per-network: at most 100 (NIST SP 800-63B §5.2.2)".into());
    }
    if cli.limit_otp_failures_per_account > 100 {
        // NIST SP 800-63B §5.2.2 again: this cap is what a stranger on many networks gets per account.
        return Err("--limit-otp-failures-per-account: at most 100 (NIST SP 800-63B §5.2.2)".into());
    }
    if let Some(url) = &cli.redis_url {
        let store = RedisStore::connect(url, &cli.redis_key_prefix).map_err(|e| format!("--redis-url: {e}"))?;
        options.limit_store = Some(std::sync::Arc::new(store));
    }
    options.trust_forwarded_for = cli.trust_forwarded_for;
    options.public_url = Some(match &cli.public_url {
        Some(url) => url::Url::parse(url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
            .map(|_| url.clone())
            .ok_or_else(|| format!("--public-url {url:?} is not an http(s) URL"))?,
        None => {
            if !cli.bind.ip().is_loopback() {
                eprintln!(
                    "auth-server: WARNING: --public-url is not set: passkey confirmation links will point to \
                     http://localhost:{}",
                    cli.bind.port()
                );
            }
            format!("http://localhost:{}", cli.bind.port())
        }
    });
    options.key_encryption_key = Some(kek_for_serve(cli)?);
    Ok(options)
}

async fn serve(cli: Cli) -> Result<(), String> {
    let apps = apps_from(&cli)?;
    let options = server_options(&cli, &apps)?;
    let pool = db::connect(&cli.database_url).await.map_err(|e| e.to_string())?;
    let state = AppState::with_options(pool, apps, options).await.map_err(|e| e.to_string())?;
    spawn_housekeeping(state.clone());
    spawn_key_refresh(state.clone());
    let listener = bind(cli.bind).await?;
    let management = bind(management_addr(&cli)).await?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let management_addr = management.local_addr().map_err(|e| e.to_string())?;
    println!(
        "auth-server listening on http://{addr} (apps: {}; rate limits in {})",
        state.app_ids().join(", "),
        state.rate_limiter().store().name()
    );
    if let Err(err) = state.rate_limiter().store().ping().await {
        // Not fatal: the instance starts and reports not ready (GET /readyz) until the store answers.
        tracing::warn!(%err, "the rate limit store does not answer yet; requests that need a budget get 503");
    }
    println!("auth-server management API on http://{management_addr} (SDK host: http://{management_addr}/v1)");
    let metrics = match cli.metrics_bind {
        Some(addr) => Some(bind(addr).await?),
        None => None,
    };
    if let Some(metrics) = &metrics {
        let addr = metrics.local_addr().map_err(|e| e.to_string())?;
        println!("auth-server metrics on http://{addr}/metrics");
    }
    let timeouts = Timeouts {
        header_read: Duration::from_secs(cli.header_read_timeout_secs.max(1)),
        request: Duration::from_secs(cli.request_timeout_secs.max(1)),
    };
    // Every listener stops accepting on the one signal and drains its requests in flight.
    let shutdown = ops::Shutdown::on_signals();
    let serve = |listener, name, router| {
        let router = crate::serving(router, name, timeouts.request);
        let shutdown = shutdown.wait();
        async move { ops::serve(listener, router, timeouts.header_read, shutdown).await.map_err(|e| e.to_string()) }
    };
    let metrics = async {
        match metrics {
            Some(listener) => serve_metrics(listener, state.clone(), timeouts, shutdown.clone()).await,
            None => Ok(()),
        }
    };
    // Two listeners, two routers: the element API and the management API share paths with different meanings.
    tokio::try_join!(
        serve(listener, "api", crate::app(state.clone())),
        serve(management, "management", crate::management_app(state.clone())),
        metrics,
    )?;
    println!("auth-server stopped");
    Ok(())
}

/// The default management port beside the element API's 8081 and the backend's 8082.
pub const DEFAULT_MANAGEMENT_BIND: &str = "127.0.0.1:8083";

/// `--management-bind`, or its default (see the flag).
pub fn management_addr(cli: &Cli) -> SocketAddr {
    cli.management_bind.unwrap_or_else(|| {
        let default: SocketAddr = DEFAULT_MANAGEMENT_BIND.parse().expect("a socket address");
        if cli.bind.port() == 0 {
            SocketAddr::new(default.ip(), 0)
        } else {
            default
        }
    })
}

async fn bind(addr: SocketAddr) -> Result<tokio::net::TcpListener, String> {
    tokio::net::TcpListener::bind(addr).await.map_err(|e| format!("cannot listen on {addr}: {e}"))
}

/// How long a client may take (OWASP ASVS 5.0 V2.4 / slow-client denial of service, e.g. Slowloris).
#[derive(Debug, Clone, Copy)]
struct Timeouts {
    /// To send a request's line and headers; after that hyper closes the connection (`ops::serve`).
    header_read: Duration,
    /// From the headers to the response (a slow body included): 408 in the API's error shape.
    request: Duration,
}

/// The metrics listener of `--metrics-bind`, until `shutdown`; the pool gauges are sampled at each scrape.
async fn serve_metrics(
    listener: tokio::net::TcpListener,
    state: AppState,
    timeouts: Timeouts,
    shutdown: ops::Shutdown,
) -> Result<(), String> {
    let handle = ops::metrics::recorder();
    ops::metrics::spawn_upkeep(handle.clone());
    let sample_pool = move || ops::metrics::set_pool_gauges(state.db().size(), state.db().num_idle());
    let router = ops::metrics::router(handle, sample_pool);
    ops::serve(listener, router, timeouts.header_read, shutdown.wait()).await.map_err(|e| e.to_string())
}

/// Every minute: drop expired handshakes, codes, links and rate-limit windows.
fn spawn_housekeeping(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            if let Err(err) = crate::store::challenges::sweep_expired(state.db()).await {
                tracing::warn!(%err, "sweeping expired handshakes failed");
            }
            let now = state.now();
            if let Err(err) = crate::store::users::sweep_expired_pending(state.db(), now).await {
                tracing::warn!(%err, "sweeping expired pending users failed");
            }
            if let Err(err) = crate::store::otps::sweep_expired(state.db(), now).await {
                tracing::warn!(%err, "sweeping expired codes failed");
            }
            let max_ttl = crate::config::MAX_CODE_TTL_SECS as i64;
            if let Err(err) = crate::store::magic_links::sweep_expired(state.db(), now, max_ttl).await {
                tracing::warn!(%err, "sweeping expired magic links failed");
            }
            state.rate_limiter().sweep();
        }
    });
}

/// Every [`crate::state::KEY_REFRESH_SECS`]: pick up a signing key rotated by another instance (or `rotate-key`),
/// so the whole fleet signs with it within that time.
fn spawn_key_refresh(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(crate::state::KEY_REFRESH_SECS));
        loop {
            tick.tick().await;
            match state.refresh_keys_if_changed().await {
                Ok(true) => tracing::info!(kid = state.keys().current_kid(), "loaded rotated signing keys"),
                Ok(false) => {}
                Err(err) => tracing::warn!(%err, "checking for rotated signing keys failed"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cli(args: &[&str]) -> Cli {
        Cli::try_parse_from(std::iter::once("auth-server").chain(args.iter().copied())).expect("flags parse")
    }

    #[test]
    fn the_management_listener_defaults_to_8083_on_loopback_or_a_free_port_beside_an_ephemeral_bind() {
        assert_eq!(management_addr(&cli(&[])).to_string(), "127.0.0.1:8083");
        assert_eq!(management_addr(&cli(&["--bind", "0.0.0.0:8081"])).to_string(), "127.0.0.1:8083");
        assert_eq!(management_addr(&cli(&["--bind", "127.0.0.1:0"])).to_string(), "127.0.0.1:0");
        let given = cli(&["--bind", "127.0.0.1:0", "--management-bind", "10.0.0.5:9000"]);
        assert_eq!(management_addr(&given).to_string(), "10.0.0.5:9000");
    }
}
