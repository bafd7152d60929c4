//! Shared server state: the database, the apps (each with its own WebAuthn relying party) and the signing keys.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use webauthn_rs::{Webauthn, WebauthnBuilder};

use crate::config::{AppConfig, ConfigError};
use crate::db::Db;
use crate::error::ApiError;
use crate::ids;
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
        let webauthn = WebauthnBuilder::new(&rp_id, &origin_url)
            .and_then(|b| b.rp_name(&config.name).build())
            .map_err(|e| ConfigError::Invalid {
                app: config.id.clone(),
                problem: format!("WebAuthn relying party: {e}"),
            })?;
        let api_key_hashes = config
            .management_api_key_sha256
            .iter()
            .filter_map(|h| ids::parse_hex_32(h))
            .collect();
        Ok(Self {
            origin: config.normalized_origin(),
            rp_id,
            webauthn,
            api_key_hashes,
            config,
        })
    }

    /// Whether `key` is one of this app's management API keys. Compares SHA-256 digests in constant time, so
    /// response timing does not reveal how much of a guessed key matched.
    pub fn accepts_api_key(&self, key: &str) -> bool {
        use subtle::ConstantTimeEq;
        let presented = ids::sha256(key);
        self.api_key_hashes
            .iter()
            .fold(0u8, |found, hash| found | presented.ct_eq(hash).unwrap_u8())
            == 1
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
}

struct Inner {
    db: Db,
    apps: HashMap<String, Arc<RegisteredApp>>,
    keys: RwLock<Arc<SigningKeys>>,
    challenge_ttl_secs: i64,
}

/// Cheap to clone; handlers receive it through axum's `State`.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl AppState {
    /// Build the state: validate every app, build its relying party, and load (or create) the signing key.
    pub async fn new(db: Db, apps: Vec<AppConfig>) -> Result<Self, StateError> {
        let apps = apps
            .into_iter()
            .map(|config| {
                RegisteredApp::new(config).map(|app| (app.config.id.clone(), Arc::new(app)))
            })
            .collect::<Result<HashMap<_, _>, _>>()?;
        let keys = SigningKeys::load_or_create(&db).await?;
        Ok(Self(Arc::new(Inner {
            db,
            apps,
            keys: RwLock::new(Arc::new(keys)),
            challenge_ttl_secs: 300,
        })))
    }

    pub fn db(&self) -> &Db {
        &self.0.db
    }

    pub fn app(&self, app_id: &str) -> Result<Arc<RegisteredApp>, ApiError> {
        self.0
            .apps
            .get(app_id)
            .cloned()
            .ok_or_else(ApiError::app_not_found)
    }

    pub fn app_ids(&self) -> Vec<String> {
        self.0.apps.keys().cloned().collect()
    }

    pub fn keys(&self) -> Arc<SigningKeys> {
        self.0
            .keys
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Re-read the keys from the database (picks up `auth-server rotate-key` without a restart).
    pub async fn reload_keys(&self) -> Result<(), KeyError> {
        let keys = SigningKeys::load_or_create(&self.0.db).await?;
        *self
            .0
            .keys
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(keys);
        Ok(())
    }

    /// How long a WebAuthn handshake stays valid (seconds).
    pub fn challenge_ttl_secs(&self) -> i64 {
        self.0.challenge_ttl_secs
    }
}
