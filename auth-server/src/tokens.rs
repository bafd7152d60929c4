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
use crate::state::{AppState, RegisteredApp};
use crate::store;

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
}

impl SigningKeys {
    /// Load the keys, generating and persisting the first one when the database has none.
    pub async fn load_or_create(db: &Db) -> Result<Self, KeyError> {
        install_crypto_provider();
        let (mut current, mut previous) = store::keys::current_and_previous(db).await?;
        if current.is_none() {
            let (kid, pem) = generate_key()?;
            store::keys::insert_if_none(db, &kid, &pem).await?;
            (current, previous) = store::keys::current_and_previous(db).await?;
        }
        let current = current.ok_or(KeyError::Missing)?;
        let signing_key = PKey::private_key_from_pem(current.private_key_pem.as_bytes())?;
        let header = json!({ "alg": "RS256", "typ": "JWT", "kid": current.kid });
        let encoded_header = ids::b64url(header.to_string().as_bytes());
        let mut verifying = vec![verification_key(&current)?];
        if let Some(previous) = previous {
            verifying.push(verification_key(&previous)?);
        }
        Ok(Self { current_kid: current.kid, signing_key, encoded_header, verifying })
    }

    pub fn current_kid(&self) -> &str {
        &self.current_kid
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
        let header = jsonwebtoken::decode_header(token).map_err(|_| ApiError::invalid_token())?;
        // Only RS256: accepting the header's algorithm would allow algorithm-confusion attacks.
        if header.alg != Algorithm::RS256 {
            return Err(ApiError::invalid_token());
        }
        let kid = header.kid.ok_or_else(ApiError::invalid_token)?;
        let key = self.verifying.iter().find(|k| k.kid == kid).ok_or_else(ApiError::invalid_token)?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_audience(&[app_id]);
        validation.set_issuer(&[app_id]);
        validation.validate_nbf = true;
        validation.set_required_spec_claims(&["exp", "nbf", "iat", "sub", "aud", "iss"]);
        jsonwebtoken::decode::<Claims>(token, &key.decoding, &validation)
            .map(|data| data.claims)
            .map_err(|_| ApiError::invalid_token())
    }
}

/// Select aws-lc for jsonwebtoken explicitly, so a workspace build that also enables another backend still works.
fn install_crypto_provider() {
    let _ = jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER.install_default();
}

/// A new RSA-2048 key: `(kid, PKCS#8 PEM)`. The kid is random (24 URL-safe characters, like Passage's).
pub fn generate_key() -> Result<(String, String), KeyError> {
    let rsa = openssl::rsa::Rsa::generate(2048)?;
    let pkey = openssl::pkey::PKey::from_rsa(rsa)?;
    let pem = String::from_utf8(pkey.private_key_to_pem_pkcs8()?).expect("PEM is ASCII");
    Ok((ids::random_id(), pem))
}

/// Generate a new current key; the old current key stays in the JWKS as the previous key.
pub async fn rotate(db: &Db) -> Result<String, KeyError> {
    let (kid, pem) = generate_key()?;
    store::keys::install_current(db, &kid, &pem).await?;
    Ok(kid)
}

fn verification_key(stored: &store::keys::StoredKey) -> Result<VerificationKey, KeyError> {
    let rsa = openssl::rsa::Rsa::private_key_from_pem(stored.private_key_pem.as_bytes())?;
    let n = ids::b64url(&rsa.n().to_vec());
    let e = ids::b64url(&rsa.e().to_vec());
    let decoding = DecodingKey::from_rsa_components(&n, &e).map_err(|_| KeyError::Missing)?;
    let jwk = json!({ "kty": "RSA", "kid": stored.kid, "alg": "RS256", "use": "sig", "n": n, "e": e });
    Ok(VerificationKey { kid: stored.kid.clone(), decoding, jwk })
}

/// Sign an auth token for `user_id`, start a new session (refresh-token family), and shape the AuthResult.
/// Reusable by every login method: call it once the user is proven.
pub async fn issue_auth_result(state: &AppState, app: &RegisteredApp, user_id: &str) -> Result<AuthResult, ApiError> {
    issue_in_session(state, app, user_id, &store::refresh_tokens::Session::start(state.now(), None)).await
}

/// As [`issue_auth_result`] for a passkey sign-in: the session remembers the passkey, so removing the passkey ends it.
pub async fn issue_after_passkey(
    state: &AppState,
    app: &RegisteredApp,
    user_id: &str,
    credential_id: &str,
) -> Result<AuthResult, ApiError> {
    let session = store::refresh_tokens::Session::start(state.now(), Some(credential_id));
    issue_in_session(state, app, user_id, &session).await
}

/// Issue tokens in `session`: a new one, or the presented token's on a refresh, so the absolute lifetime still
/// counts from the sign-in, `auth_time` stays the sign-in time, and reuse detection covers the new token.
pub async fn issue_in_session(
    state: &AppState,
    app: &RegisteredApp,
    user_id: &str,
    session: &store::refresh_tokens::Session,
) -> Result<AuthResult, ApiError> {
    // JWT times follow the system clock: that is what every verifier of the token compares them with.
    let now = ids::now();
    let claims = Claims {
        sub: user_id.to_owned(),
        aud: vec![app.origin.clone(), app.config.id.clone()],
        iss: app.config.id.clone(),
        iat: now,
        nbf: now,
        exp: now + app.config.auth_token_lifetime_secs as i64,
        // The server clock, as the reauthentication check compares it with `state.now()` (equal outside tests).
        auth_time: Some(session.started_at),
        sid: Some(session.family_id.clone()),
    };
    let auth_token = state.keys().sign(&claims)?;
    let (refresh_token, refresh_token_expiration) = store::refresh_tokens::create(
        state.db(),
        &app.config.id,
        user_id,
        session,
        app.config.refresh_token_lifetime_secs as i64,
        app.config.session_absolute_lifetime_secs as i64,
        state.now(),
    )
    .await?;
    Ok(AuthResult {
        auth_token,
        redirect_url: app.config.redirect_url.clone(),
        refresh_token,
        refresh_token_expiration,
    })
}

/// Parse `Authorization: Bearer <token>`.
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    let value = headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty()).then(|| token.trim())
}
