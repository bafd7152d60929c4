//! Auth tokens (RS256 JWT), the JWKS, refresh tokens, and `issue_auth_result`, the one place every
//! successful login (passkey today; OTP and magic links later) turns into an AuthResult (spec §5).

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::db::Db;
use crate::error::ApiError;
use crate::ids;
use crate::key_encryption::{KekError, KeyEncryptionKey};
use crate::log_text::Untrusted;
use crate::store;
use crate::store::keys::StoredSecret;

/// JWT claims (spec §8.3): `aud` carries both the origin (old SDKs) and the app id (current SDKs).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub sub: String,
    pub aud: Vec<String>,
    pub iss: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    /// When the user last really signed in (OIDC Core §2 `auth_time`, Unix seconds): the start of the session,
    /// unchanged by refreshes. Endpoints that change the account require it to be recent (ASVS 5.0 V7
    /// re-authentication). Absent in tokens minted before it existed: they count as stale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_time: Option<i64>,
    /// The session (refresh-token family) the token was issued in (OIDC `sid`), so this server can refuse the auth
    /// tokens of a session that was signed out or revoked before they expire.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
}

/// `{"auth_result": {...}}` body of every successful auth.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthResult {
    pub auth_token: String,
    /// Never empty: the element silently drops a result without it (spec §5.1).
    pub redirect_url: String,
    pub refresh_token: String,
    /// Unix seconds.
    pub refresh_token_expiration: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot generate or read an RSA key: {0}")]
    Crypto(#[from] openssl::error::ErrorStack),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error("no current signing key in the database")]
    Missing,
    #[error(
        "{0}: start with the key-encryption key the signing keys were encrypted with. The server does not replace \
         them on its own (every issued token would stop verifying); if that key is lost, `auth-server rotate-key \
         --revoke --replace-unreadable` with a new one replaces every signing key"
    )]
    WrongKek(KekError),
    #[error(transparent)]
    Kek(KekError),
}

impl From<KekError> for KeyError {
    fn from(err: KekError) -> Self {
        match err {
            KekError::Open { .. } => Self::WrongKek(err),
            other => Self::Kek(other),
        }
    }
}

struct VerificationKey {
    kid: String,
    decoding: DecodingKey,
    jwk: Value,
}

/// The keys in use: the current one signs; current and previous verify and are published in the JWKS.
///
/// Signing uses the parsed OpenSSL key directly: jsonwebtoken re-parses and re-validates an RSA private key on every
/// `encode` (about 1.5 ms, three times the signature itself), and signing is on the path of every login.
/// Verification, where mistakes are costly, stays with jsonwebtoken (and the tests verify our tokens with it).
pub struct SigningKeys {
    current_kid: String,
    signing_key: PKey<Private>,
    /// base64url of `{"alg":"RS256","typ":"JWT","kid":...}`, the same for every token of this key.
    encoded_header: String,
    verifying: Vec<VerificationKey>,
    /// The database's key set these were loaded from (read before the keys, so a change in between is noticed).
    version: store::keys::KeySetVersion,
}

impl SigningKeys {
    /// Load the keys, decrypting them with `kek`; generate and persist the first one when the database has none.
    ///
    /// Keys stored in plaintext by an older version are encrypted in place first (the migration path). A KEK that
    /// does not open the stored keys is an error, never a reason to generate new ones.
    pub async fn load_or_create(db: &Db, kek: &KeyEncryptionKey) -> Result<Self, KeyError> {
        install_crypto_provider();
        let mut version = store::keys::version(db).await?;
        let mut keys = store::keys::all(db).await?;
        if keys.iter().any(|k| matches!(k.secret, StoredSecret::LegacyPem(_))) {
            seal_legacy_keys(db, kek, &keys).await?;
            version = store::keys::version(db).await?;
            keys = store::keys::all(db).await?;
        }
        if store::keys::current_and_previous(&keys).0.is_none() {
            let (kid, private_key) = generate_key()?;
            store::keys::insert_if_none(db, &kid, &kek.seal(&kid, &private_key)?).await?;
            version = store::keys::version(db).await?;
            keys = store::keys::all(db).await?;
        }
        let (current, previous) = store::keys::current_and_previous(&keys);
        let current = current.ok_or(KeyError::Missing)?;
        let signing_key = open_key(kek, current)?;
        let header = json!({ "alg": "RS256", "typ": "JWT", "kid": current.kid });
        let encoded_header = ids::b64url(header.to_string().as_bytes());
        let mut verifying = vec![verification_key(&current.kid, &signing_key)?];
        if let Some(previous) = previous {
            verifying.push(verification_key(&previous.kid, &open_key(kek, previous)?)?);
        }
        Ok(Self { current_kid: current.kid.clone(), signing_key, encoded_header, verifying, version })
    }

    pub fn current_kid(&self) -> &str {
        &self.current_kid
    }

    /// The database key set these keys were loaded from.
    pub fn version(&self) -> store::keys::KeySetVersion {
        self.version
    }

    /// Whether `token`'s header names a key held here. `false` for a token signed by a key another instance
    /// created moments ago (`rotate-key`): the caller reloads the keys before refusing it.
    pub fn knows_kid_of(&self, token: &str) -> bool {
        jsonwebtoken::decode_header(token)
            .ok()
            .and_then(|header| header.kid)
            .is_some_and(|kid| self.verifying.iter().any(|k| k.kid == kid))
    }

    /// `{"keys": [...]}`: current first, then the previous key so tokens signed before a rotation still verify.
    pub fn jwks(&self) -> Value {
        json!({ "keys": self.verifying.iter().map(|k| k.jwk.clone()).collect::<Vec<_>>() })
    }

    /// A compact JWS (RFC 7515): base64url(header) . base64url(claims) . base64url(RSASSA-PKCS1-v1_5 SHA-256).
    pub fn sign(&self, claims: &Claims) -> Result<String, ApiError> {
        let payload = serde_json::to_vec(claims).map_err(ApiError::internal)?;
        let signing_input = format!("{}.{}", self.encoded_header, ids::b64url(&payload));
        let mut signer =
            openssl::sign::Signer::new(MessageDigest::sha256(), &self.signing_key).map_err(ApiError::internal)?;
        signer.update(signing_input.as_bytes()).map_err(ApiError::internal)?;
        let signature = signer.sign_to_vec().map_err(ApiError::internal)?;
        Ok(format!("{signing_input}.{}", ids::b64url(&signature)))
    }

    /// Verify an auth token for `app`: RS256 only, known `kid`, signature, `exp`/`nbf`, `iss` = app id and `aud`
    /// containing the app id (a token of another app must not open this one).
    pub fn verify(&self, app_id: &str, token: &str) -> Result<Claims, ApiError> {
        let refuse = |reason: &str| refused_token(app_id, token, reason);
        let header = jsonwebtoken::decode_header(token).map_err(|_| refuse("malformed header or unknown alg"))?;
        // Only RS256: accepting the header's algorithm would allow algorithm-confusion attacks.
        if header.alg != Algorithm::RS256 {
            return Err(refuse("alg is not RS256"));
        }
        let kid = header.kid.ok_or_else(|| refuse("no kid"))?;
        let key = self.verifying.iter().find(|k| k.kid == kid).ok_or_else(|| refuse("unknown or revoked kid"))?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_audience(&[app_id]);
        validation.set_issuer(&[app_id]);
        validation.validate_nbf = true;
        validation.set_required_spec_claims(&["exp", "nbf", "iat", "sub", "aud", "iss"]);
        jsonwebtoken::decode::<Claims>(token, &key.decoding, &validation).map(|data| data.claims).map_err(|err| {
            use jsonwebtoken::errors::ErrorKind;
            refuse(match err.kind() {
                ErrorKind::InvalidSignature => "bad signature",
                ErrorKind::ExpiredSignature => "expired",
                ErrorKind::ImmatureSignature => "not yet valid",
                ErrorKind::InvalidAudience => "wrong audience",
                ErrorKind::InvalidIssuer => "wrong issuer",
                _ => "invalid claims",
            })
        })
    }
}

/// Log a refused auth token and answer 401. ASVS 5.0 V16.3.1: failed authentication is logged. Every value from the
/// token is attacker-controlled, so it is escaped onto one line and cut short (ASVS 5.0 V16.4.1, OWASP log
/// injection): a header `alg` of "RS256\n<fake log line>" must not start a line of its own.
fn refused_token(app_id: &str, token: &str, reason: &str) -> ApiError {
    let header = token
        .split('.')
        .next()
        .and_then(|part| base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, part).ok())
        .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok());
    let field = |name: &str| match header.as_ref().and_then(|h| h.get(name)) {
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let (alg, kid) = (field("alg"), field("kid"));
    tracing::info!(
        app = %Untrusted(app_id),
        alg = %Untrusted(&alg),
        kid = %Untrusted(&kid),
        reason = %Untrusted(reason),
        "auth token refused"
    );
    ApiError::invalid_token()
}

/// Select aws-lc for jsonwebtoken explicitly, so a workspace build that also enables another backend still works.
fn install_crypto_provider() {
    let _ = jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER.install_default();
}

/// A new RSA-2048 key: `(kid, PKCS#8 DER)`. The kid is random (24 URL-safe characters, like Passage's).
pub fn generate_key() -> Result<(String, Vec<u8>), KeyError> {
    let rsa = openssl::rsa::Rsa::generate(2048)?;
    let pkey = openssl::pkey::PKey::from_rsa(rsa)?;
    Ok((ids::random_id(), pkey.private_key_to_pkcs8()?))
}

/// Generate a new current key, stored encrypted under `kek`; the old current key stays in the JWKS as the previous
/// key, so tokens it signed keep verifying until they expire.
pub async fn rotate(db: &Db, kek: &KeyEncryptionKey) -> Result<String, KeyError> {
    let (kid, private_key) = generate_key()?;
    store::keys::install_current(db, &kid, &kek.seal(&kid, &private_key)?).await?;
    Ok(kid)
}

/// Retire a possibly leaked key in one step: a new current key, and every other key deleted at once, so tokens
/// signed before stop verifying as soon as a server reloads its keys. Needs no old key to be readable, so it also
/// replaces keys whose KEK was lost. Returns the new kid and how many keys were removed.
pub async fn rotate_revoking_previous(db: &Db, kek: &KeyEncryptionKey) -> Result<(String, u64), KeyError> {
    let (kid, private_key) = generate_key()?;
    let removed = store::keys::install_current_revoking_others(db, &kid, &kek.seal(&kid, &private_key)?).await?;
    Ok((kid, removed))
}

/// Decrypt a stored key (only sealed keys are read: legacy rows were sealed first).
fn open_key(kek: &KeyEncryptionKey, stored: &store::keys::StoredKey) -> Result<PKey<Private>, KeyError> {
    match &stored.secret {
        StoredSecret::Sealed(sealed) => Ok(PKey::private_key_from_pkcs8(&kek.open(&stored.kid, sealed)?)?),
        StoredSecret::LegacyPem(_) => Err(KeyError::Missing),
    }
}

/// Seal every plaintext row under `kek`. The KEK must first open every key already sealed: a database must never
/// end up with keys under two different KEKs.
async fn seal_legacy_keys(db: &Db, kek: &KeyEncryptionKey, keys: &[store::keys::StoredKey]) -> Result<(), KeyError> {
    let mut sealed = Vec::new();
    for key in keys {
        match &key.secret {
            StoredSecret::Sealed(existing) => {
                kek.open(&key.kid, existing)?;
            }
            StoredSecret::LegacyPem(pem) => {
                let der = PKey::private_key_from_pem(pem.as_bytes())?.private_key_to_pkcs8()?;
                sealed.push((key.kid.clone(), kek.seal(&key.kid, &der)?));
            }
        }
    }
    store::keys::seal_legacy_rows(db, &sealed).await?;
    tracing::info!(count = sealed.len(), "signing keys stored in plaintext were encrypted with the key-encryption key");
    Ok(())
}

fn verification_key(kid: &str, private_key: &PKey<Private>) -> Result<VerificationKey, KeyError> {
    let rsa = private_key.rsa()?;
    let n = ids::b64url(&rsa.n().to_vec());
    let e = ids::b64url(&rsa.e().to_vec());
    let decoding = DecodingKey::from_rsa_components(&n, &e).map_err(|_| KeyError::Missing)?;
    let jwk = json!({ "kty": "RSA", "kid": kid, "alg": "RS256", "use": "sig", "n": n, "e": e });
    Ok(VerificationKey { kid: kid.to_owned(), decoding, jwk })
}
