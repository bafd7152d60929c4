//! Shared server state: the database, the apps (each with its own WebAuthn relying party) and the signing keys.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use webauthn_rs::{Webauthn, WebauthnBuilder};

use crate::clock::Clock;
use crate::config::{AppConfig, ConfigError};
use crate::db::{Db, WriteQueue};
use crate::error::ApiError;
use crate::ids;
use crate::key_encryption::KeyEncryptionKey;
use crate::limits::{LimitStore, Limits, RateLimiter};
use crate::mail::{DevMailbox, Mailer, NoMailer};
use crate::tokens::{KeyError, SigningKeys};

/// One configured app, ready to serve.
pub struct RegisteredApp {
    pub config: AppConfig,
    /// `auth_origin` without a trailing slash.
    pub origin: String,
    pub rp_id: String,
    /// Relying party bound to this app's RP ID and origin: webauthn-rs refuses any other `clientDataJSON.origin`.
    pub webauthn: Webauthn,
    api_key_hashes: Vec<[u8; 32]>,
}

impl RegisteredApp {
    pub fn new(config: AppConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        let origin_url = config.origin_url()?;
        let rp_id = config.rp_id()?;
        let webauthn =
            WebauthnBuilder::new(&rp_id, &origin_url).and_then(|b| b.rp_name(&config.name).build()).map_err(|e| {
                ConfigError::Invalid { app: config.id.clone(), problem: format!("WebAuthn relying party: {e}") }
            })?;
        let api_key_hashes = config.management_api_key_sha256.iter().filter_map(|h| ids::parse_hex_32(h)).collect();
        Ok(Self { origin: config.normalized_origin(), rp_id, webauthn, api_key_hashes, config })
    }

    /// Whether `key` is one of this app's management API keys. Compares SHA-256 digests in constant time, so
    /// response timing does not reveal how much of a guessed key matched.
    pub fn accepts_api_key(&self, key: &str) -> bool {
        use subtle::ConstantTimeEq;
        let presented = ids::sha256(key);
        self.api_key_hashes.iter().fold(0u8, |found, hash| found | presented.ct_eq(hash).unwrap_u8()) == 1
    }

    pub fn passkeys_enabled(&self) -> bool {
        self.config.auth_methods.passkeys.is_some()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("signing keys: {0}")]
    Keys(#[from] KeyError),
    #[error(
        "no key-encryption key: signing keys are stored encrypted (AES-256-GCM) and a server outside --dev will not \
         store them in the clear. Pass --key-encryption-key-file FILE (or KEY_ENCRYPTION_KEY_FILE), or set \
         KEY_ENCRYPTION_KEY: 32 random bytes as base64 or hex, e.g. from `openssl rand -base64 32`"
    )]
    NoKeyEncryptionKey,
}

struct Inner {
    db: Db,
    writes: WriteQueue,
    apps: HashMap<String, Arc<RegisteredApp>>,
    keys: RwLock<Arc<SigningKeys>>,
    key_encryption_key: KeyEncryptionKey,
    challenge_ttl_secs: i64,
    mailer: Arc<dyn Mailer>,
    dev_mailbox: Option<Arc<DevMailbox>>,
    limits: Limits,
    rate_limiter: RateLimiter,
    trust_forwarded_for: bool,
    clock: Clock,
    public_url: String,
}

/// Server-wide settings beside the apps. `Default`: no mail transport, default limits, socket peer IPs, system clock.
#[derive(Clone)]
pub struct ServerOptions {
    pub mailer: Arc<dyn Mailer>,
    /// Set in `--dev` mode: serves `GET /dev/mailbox`. Usually also the `mailer`.
    pub dev_mailbox: Option<Arc<DevMailbox>>,
    pub limits: Limits,
    /// Where the abuse counters live. `None`: this process's memory, right for one instance only; a fleet passes
    /// one shared store (`--redis-url`), so a budget of N is N for all instances together.
    pub limit_store: Option<Arc<dyn LimitStore>>,
    /// Take the client IP for per-IP limits from `X-Forwarded-For` (only behind a proxy that sets it).
    pub trust_forwarded_for: bool,
    pub clock: Clock,
    /// Where browsers reach this server (`--public-url`), for links it mails that open the server itself (passkey
    /// confirmation). `None`: [`DEFAULT_PUBLIC_URL`]. Never taken from a request's Host header: whoever sends the
    /// request would choose where a victim's secret link points.
    pub public_url: Option<String>,
    /// Encrypts the signing keys at rest. Required: `None` makes [`AppState::with_options`] fail (secure by default).
    pub key_encryption_key: Option<KeyEncryptionKey>,
}

/// The public URL of a dev server on its default port (the SPA's `auth_url` in config.json).
pub const DEFAULT_PUBLIC_URL: &str = "http://localhost:8081";

impl Default for ServerOptions {
    fn default() -> Self {
        Self {
            mailer: Arc::new(NoMailer),
            dev_mailbox: None,
            limits: Limits::default(),
            limit_store: None,
            trust_forwarded_for: false,
            clock: Clock::system(),
            public_url: None,
            key_encryption_key: None,
        }
    }
}

impl ServerOptions {
    /// `--dev`: every message goes to the dev mailbox (console + `GET /dev/mailbox`). The KEK is a random one for
    /// this process only (the binary replaces it with the one in `.data/`, so keys survive a restart).
    pub fn dev() -> Self {
        let mailbox = Arc::new(DevMailbox::default());
        Self {
            mailer: mailbox.clone(),
            dev_mailbox: Some(mailbox),
            key_encryption_key: Some(KeyEncryptionKey::generate()),
            ..Self::default()
        }
    }
}

/// How often each instance looks for a rotated signing key (seconds): the bound on how long an instance keeps
/// signing with the old key after `rotate-key` (both verify meanwhile). README "Key rotation".
pub const KEY_REFRESH_SECS: u64 = 5;

/// Cheap to clone; handlers receive it through axum's `State`.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl AppState {
    /// Build the state: validate every app, build its relying party, and load (or create) the signing key.
    pub async fn new(db: Db, apps: Vec<AppConfig>) -> Result<Self, StateError> {
        Self::with_options(db, apps, ServerOptions::default()).await
    }

    /// As [`AppState::new`], with mail, limits, proxy trust and clock.
    pub async fn with_options(db: Db, apps: Vec<AppConfig>, options: ServerOptions) -> Result<Self, StateError> {
        let apps = apps
            .into_iter()
            .map(|config| RegisteredApp::new(config).map(|app| (app.config.id.clone(), Arc::new(app))))
            .collect::<Result<HashMap<_, _>, _>>()?;
        let key_encryption_key = options.key_encryption_key.ok_or(StateError::NoKeyEncryptionKey)?;
        let keys = SigningKeys::load_or_create(&db, &key_encryption_key).await?;
        Ok(Self(Arc::new(Inner {
            writes: WriteQueue::for_pool(&db),
            db,
            apps,
            keys: RwLock::new(Arc::new(keys)),
            key_encryption_key,
            challenge_ttl_secs: 300,
            mailer: options.mailer,
            dev_mailbox: options.dev_mailbox,
            limits: options.limits,
            rate_limiter: match options.limit_store {
                Some(store) => RateLimiter::with_store(options.limits, store),
                None => RateLimiter::in_memory(options.limits),
            },
            trust_forwarded_for: options.trust_forwarded_for,
            clock: options.clock,
            public_url: options
                .public_url
                .map(|url| url.trim_end_matches('/').to_owned())
                .unwrap_or_else(|| DEFAULT_PUBLIC_URL.to_owned()),
        })))
    }

    pub fn db(&self) -> &Db {
        &self.0.db
    }

    /// Run `write`, a write transaction, in this process's turn (see [`WriteQueue`]).
    pub async fn queued_write<F: std::future::Future>(&self, write: F) -> F::Output {
        self.0.writes.run(write).await
    }

    pub fn app(&self, app_id: &str) -> Result<Arc<RegisteredApp>, ApiError> {
        self.0.apps.get(app_id).cloned().ok_or_else(ApiError::app_not_found)
    }

    pub fn app_ids(&self) -> Vec<String> {
        self.0.apps.keys().cloned().collect()
    }

    pub fn keys(&self) -> Arc<SigningKeys> {
        self.0.keys.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// Re-read the keys from the database (picks up `auth-server rotate-key` without a restart).
    pub async fn reload_keys(&self) -> Result<(), KeyError> {
        let keys = SigningKeys::load_or_create(&self.0.db, &self.0.key_encryption_key).await?;
        *self.0.keys.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(keys);
        Ok(())
    }

    /// Reload the keys if the database's key set changed since they were loaded (another instance, or
    /// `auth-server rotate-key`, rotated or revoked one). One aggregate query when nothing changed; run every
    /// [`KEY_REFRESH_SECS`] and before serving the JWKS or refusing a token for an unknown `kid`, so every instance
    /// of a fleet signs with a new key within that time and publishes and accepts it at once.
    pub async fn refresh_keys_if_changed(&self) -> Result<bool, KeyError> {
        let version = crate::store::keys::version(&self.0.db).await?;
        if version == self.keys().version() {
            return Ok(false);
        }
        self.reload_keys().await?;
        Ok(true)
    }

    /// The key that encrypts the signing keys at rest (for `tokens::rotate`).
    pub fn key_encryption_key(&self) -> &KeyEncryptionKey {
        &self.0.key_encryption_key
    }

    /// How long a WebAuthn handshake stays valid (seconds).
    pub fn challenge_ttl_secs(&self) -> i64 {
        self.0.challenge_ttl_secs
    }

    pub fn mailer(&self) -> &dyn Mailer {
        self.0.mailer.as_ref()
    }

    pub fn dev_mailbox(&self) -> Option<&Arc<DevMailbox>> {
        self.0.dev_mailbox.as_ref()
    }

    pub fn limits(&self) -> Limits {
        self.0.limits
    }

    pub fn rate_limiter(&self) -> &RateLimiter {
        &self.0.rate_limiter
    }

    pub fn trust_forwarded_for(&self) -> bool {
        self.0.trust_forwarded_for
    }

    pub fn clock(&self) -> &Clock {
        &self.0.clock
    }

    /// This server's public URL, without a trailing slash (see [`ServerOptions::public_url`]).
    pub fn public_url(&self) -> &str {
        &self.0.public_url
    }

    /// Now by the server clock (Unix seconds).
    pub fn now(&self) -> i64 {
        self.0.clock.now()
    }
}
