//! Verifies the auth server's bearer tokens (passage-auth-api.md §8): RS256 only, `kid` from the JWKS, `exp`,
//! `nbf`, `aud`, `iss` (the configured issuer, by default the app id; unless turned off), non-empty `sub`.
//!
//! Keys are cached; an unknown `kid` triggers a JWKS download at most once per `min_refetch_interval`, so forged
//! tokens cannot turn this server into a load generator against the auth server. Tokens that passed are
//! remembered by SHA-256 digest until they expire, which saves the RSA verification on the next request with the
//! same token; the remembered `exp`/`nbf` are checked again on every use, and the memory is wiped whenever the
//! key set changes so a withdrawn key stops being trusted at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::auth_server::AuthServer;
use crate::log_text::Untrusted;

/// The longest token accepted; real ones are under 1 KiB. Bounds the work an attacker can cause per request.
const MAX_TOKEN_BYTES: usize = 8 * 1024;
/// The longest `sub` accepted: it becomes a primary key.
const MAX_SUBJECT_CHARS: usize = 255;
/// How many verified tokens are remembered at most.
const VERIFIED_CACHE_CAPACITY: usize = 50_000;

/// Why a token was refused. Logged, never sent to the client (it would help an attacker tune a forgery). The
/// text may quote the attacker's token (a `kid`, a serde message naming an unknown `alg`): log it only through
/// [`crate::log_text::Untrusted`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("token longer than {MAX_TOKEN_BYTES} bytes")]
    TooLong,
    #[error("malformed token: {0}")]
    Malformed(String),
    #[error("algorithm {0} is not RS256")]
    WrongAlgorithm(String),
    #[error("token header has no kid")]
    MissingKid,
    #[error("kid `{0}` is not in the auth server's JWKS")]
    UnknownKid(String),
    #[error("bad signature")]
    BadSignature,
    #[error("token expired")]
    Expired,
    #[error("token not valid yet (nbf in the future)")]
    NotYetValid,
    #[error("aud does not contain the app id")]
    WrongAudience,
    #[error("iss is not the configured issuer")]
    WrongIssuer,
    #[error("required claim `{0}` is missing")]
    MissingClaim(String),
    #[error("sub is empty or longer than {MAX_SUBJECT_CHARS} characters")]
    BadSubject,
}

/// What a verified token tells the API: who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedToken {
    pub user_id: String,
    /// The auth server's session (`sid` claim), when the token names one: a new sign-in is a new session.
    pub session_id: Option<String>,
}

#[derive(Deserialize)]
struct Claims {
    // Optional here so a missing claim is reported by the validation as "missing", not as a parse error.
    sub: Option<String>,
    exp: Option<u64>,
    nbf: Option<u64>,
    sid: Option<String>,
}

/// Settings of the verifier, from the configuration.
#[derive(Debug, Clone)]
pub struct VerifierSettings {
    pub app_id: String,
    pub issuer: Option<String>,
    pub leeway: Duration,
    pub min_refetch_interval: Duration,
    pub max_age: Duration,
}

struct KeySet {
    keys: HashMap<String, Arc<DecodingKey>>,
    /// When the last successful download finished.
    fetched_at: Option<Instant>,
    /// When the last download was started, successful or not (the refetch rate limit counts attempts).
    attempted_at: Option<Instant>,
}

struct RememberedToken {
    verified: VerifiedToken,
    exp: u64,
    nbf: Option<u64>,
}

pub struct TokenVerifier {
    auth_server: AuthServer,
    settings: VerifierSettings,
    validation: Validation,
    keys: RwLock<KeySet>,
    /// Held while downloading so concurrent requests with an unknown `kid` cause one download, not many.
    download: tokio::sync::Mutex<()>,
    verified: Mutex<HashMap<[u8; 32], RememberedToken>>,
}

impl TokenVerifier {
    pub fn new(auth_server: AuthServer, settings: VerifierSettings) -> Self {
        // RS256 only: `decode` refuses any header `alg` not in this list before looking at the key, which rules
        // out `none` and the HS256-with-the-public-key confusion.
        let mut validation = Validation::new(Algorithm::RS256);
        validation.leeway = settings.leeway.as_secs();
        validation.validate_exp = true;
        validation.validate_nbf = true;
        // `aud` may be a string or an array; it must contain our app id (a token for another app is refused).
        validation.set_audience(&[settings.app_id.as_str()]);
        // A token without `exp` would never expire; without `aud`/`sub` it names no app or no user.
        validation.set_required_spec_claims(&["exp", "aud", "sub"]);
        if let Some(issuer) = &settings.issuer {
            // When an issuer is configured, a token that names none is as wrong as one naming another.
            validation.set_issuer(&[issuer.as_str()]);
            validation.set_required_spec_claims(&["exp", "aud", "sub", "iss"]);
        }
        TokenVerifier {
            auth_server,
            settings,
            validation,
            keys: RwLock::new(KeySet { keys: HashMap::new(), fetched_at: None, attempted_at: None }),
            download: tokio::sync::Mutex::new(()),
            verified: Mutex::new(HashMap::new()),
        }
    }

    /// Downloads the JWKS now unless the rate limit forbids it (startup warm-up, load test).
    pub async fn warm_up(&self) -> bool {
        self.refresh_keys().await
    }

    pub async fn verify(&self, token: &str) -> Result<VerifiedToken, TokenError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(TokenError::TooLong);
        }
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let now = unix_now();
        // An old key set is refreshed first (below), so a withdrawn key is noticed even for remembered tokens.
        if !self.keys_are_stale() {
            if let Some(verified) = self.remembered(&digest, now) {
                return Ok(verified);
            }
        }

        let header = jsonwebtoken::decode_header(token).map_err(|e| TokenError::Malformed(e.to_string()))?;
        if header.alg != Algorithm::RS256 {
            return Err(TokenError::WrongAlgorithm(format!("{:?}", header.alg)));
        }
        let kid = header.kid.filter(|kid| !kid.is_empty()).ok_or(TokenError::MissingKid)?;
        let key = self.key_for(&kid).await?;

        let data = jsonwebtoken::decode::<Claims>(token, &key, &self.validation).map_err(map_jwt_error)?;
        let Claims { sub, exp, nbf, sid } = data.claims;
        let sub = sub.ok_or_else(|| TokenError::MissingClaim("sub".into()))?;
        let exp = exp.ok_or_else(|| TokenError::MissingClaim("exp".into()))?;
        // `sub` becomes the profile's primary key: it must name someone.
        if sub.trim().is_empty() || sub.chars().count() > MAX_SUBJECT_CHARS {
            return Err(TokenError::BadSubject);
        }
        let verified = VerifiedToken { user_id: sub, session_id: sid };
        self.remember(digest, RememberedToken { verified: verified.clone(), exp, nbf });
        Ok(verified)
    }

    fn keys_are_stale(&self) -> bool {
        let keys = self.keys.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        keys.fetched_at.is_none_or(|at| at.elapsed() >= self.settings.max_age)
    }

    fn remembered(&self, digest: &[u8; 32], now: u64) -> Option<VerifiedToken> {
        let leeway = self.settings.leeway.as_secs();
        let verified = self.verified.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let token = verified.get(digest)?;
        // Time-dependent checks are repeated; everything else about these exact bytes was already proven.
        let live = now < token.exp.saturating_add(leeway) && token.nbf.is_none_or(|nbf| nbf <= now + leeway);
        live.then(|| token.verified.clone())
    }

    fn remember(&self, digest: [u8; 32], token: RememberedToken) {
        let mut verified = self.verified.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if verified.len() >= VERIFIED_CACHE_CAPACITY {
            let now = unix_now();
            verified.retain(|_, token| now < token.exp.saturating_add(self.settings.leeway.as_secs()));
            if verified.len() >= VERIFIED_CACHE_CAPACITY {
                verified.clear();
            }
        }
        verified.insert(digest, token);
    }

    /// The key for `kid`: from the cache, after a (rate-limited) download if it is unknown or the cache is old.
    async fn key_for(&self, kid: &str) -> Result<Arc<DecodingKey>, TokenError> {
        let (cached, stale) = {
            let keys = self.keys.read().unwrap_or_else(|poisoned| poisoned.into_inner());
            let stale = keys.fetched_at.is_none_or(|at| at.elapsed() >= self.settings.max_age);
            (keys.keys.get(kid).cloned(), stale)
        };
        match cached {
            Some(key) if !stale => return Ok(key),
            Some(key) => {
                // Old but known: refresh unless another request already is; that request's download must not
                // hold this one up, since the key is still usable while we wait.
                match self.download.try_lock() {
                    Ok(_one_download_at_a_time) => {
                        self.download_keys().await;
                    }
                    Err(_) => return Ok(key),
                }
            }
            None => {
                self.refresh_keys().await;
            }
        }
        let keys = self.keys.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        // The kid is attacker-controlled: cut short here, escaped where it is logged (`log_text::Untrusted`).
        keys.keys.get(kid).cloned().ok_or_else(|| TokenError::UnknownKid(kid.chars().take(64).collect()))
    }

    /// Downloads the JWKS, waiting for a download already under way. See [`Self::download_keys`].
    async fn refresh_keys(&self) -> bool {
        let _one_download_at_a_time = self.download.lock().await;
        self.download_keys().await
    }

    /// Downloads the JWKS unless one was attempted less than `min_refetch_interval` ago; the caller holds
    /// `self.download`. Returns whether a download happened and succeeded. On failure the old keys stay in use.
    async fn download_keys(&self) -> bool {
        {
            let mut keys = self.keys.write().unwrap_or_else(|poisoned| poisoned.into_inner());
            if keys.attempted_at.is_some_and(|at| at.elapsed() < self.settings.min_refetch_interval) {
                return false;
            }
            keys.attempted_at = Some(Instant::now());
        }
        match self.auth_server.fetch_jwks().await {
            Ok(fetched) => {
                let fresh: HashMap<String, Arc<DecodingKey>> =
                    fetched.into_iter().map(|k| (k.kid, Arc::new(k.key))).collect();
                let mut keys = self.keys.write().unwrap_or_else(|poisoned| poisoned.into_inner());
                let mut old_kids: Vec<&String> = keys.keys.keys().collect();
                let mut new_kids: Vec<&String> = fresh.keys().collect();
                old_kids.sort();
                new_kids.sort();
                let changed = old_kids != new_kids;
                if changed {
                    tracing::info!(kids = ?new_kids, url = self.auth_server.jwks_url(), "loaded signing keys");
                }
                keys.keys = fresh;
                keys.fetched_at = Some(Instant::now());
                drop(keys);
                if changed {
                    // A key may have been withdrawn: tokens verified with it must be checked again.
                    self.verified.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clear();
                }
                true
            }
            Err(error) => {
                // The error may quote the auth server's (or a spoofer's) answer.
                let url = self.auth_server.jwks_url();
                tracing::warn!(error = %Untrusted(&error), url, "could not download the JWKS");
                false
            }
        }
    }
}

fn map_jwt_error(error: jsonwebtoken::errors::Error) -> TokenError {
    match error.kind() {
        ErrorKind::InvalidSignature => TokenError::BadSignature,
        ErrorKind::ExpiredSignature => TokenError::Expired,
        ErrorKind::ImmatureSignature => TokenError::NotYetValid,
        ErrorKind::InvalidAudience => TokenError::WrongAudience,
        ErrorKind::InvalidIssuer => TokenError::WrongIssuer,
        ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => TokenError::WrongAlgorithm("not RS256".into()),
        ErrorKind::MissingRequiredClaim(claim) => TokenError::MissingClaim(claim.clone()),
        _ => TokenError::Malformed(error.to_string()),
    }
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}
