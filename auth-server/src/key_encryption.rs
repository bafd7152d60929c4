//! Encryption at rest of the token-signing keys: AES-256-GCM (OpenSSL's AEAD, already linked) under a 32-byte
//! key-encryption key (KEK) that lives outside the database (a file or an env variable).
//!
//! ASVS 5.0 V13.3 (secret management): key material is not stored in the clear beside the data it protects, so a
//! database dump alone cannot mint tokens. Each sealed key has its own random 96-bit nonce, and its `kid` is the
//! associated data: a row copied under another kid does not decrypt.

use std::path::Path;

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine;
use openssl::symm::{decrypt_aead, encrypt_aead, Cipher};

/// The value of the `encryption` column for keys sealed by this module.
pub const AES_256_GCM: &str = "aes-256-gcm";
/// GCM's recommended nonce length (NIST SP 800-38D §8.2), random per sealed key.
pub const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
/// Prefix of the associated data, so a ciphertext made for another purpose with the same KEK never opens here.
const AAD_PREFIX: &[u8] = b"auth-server signing key v1\0";

/// The 32-byte KEK. Never printed: `Debug` shows only that it is there.
#[derive(Clone)]
pub struct KeyEncryptionKey([u8; 32]);

impl std::fmt::Debug for KeyEncryptionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyEncryptionKey(..)")
    }
}

/// A private key as stored: nonce and ciphertext (with the 16-byte GCM tag at its end).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedKey {
    pub nonce: Vec<u8>,
    pub ciphertext: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum KekError {
    #[error(
        "the key-encryption key must be 32 bytes, written as 64 hex characters or base64 (e.g. `openssl rand \
         -base64 32`)"
    )]
    Format,
    #[error("cannot read the key-encryption key file {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("cannot create the dev key-encryption key file {path}: {source}")]
    Create { path: String, source: std::io::Error },
    #[error("cannot encrypt a signing key: {0}")]
    Seal(#[source] openssl::error::ErrorStack),
    /// Wrong KEK, or a row that was modified or moved to another kid: GCM cannot tell these apart, by design.
    #[error("signing key {kid} cannot be decrypted with this key-encryption key")]
    Open { kid: String },
}

impl KeyEncryptionKey {
    /// A random KEK (tests, and the first `--dev` start).
    pub fn generate() -> Self {
        let mut key = [0u8; 32];
        key.copy_from_slice(&crate::ids::random_bytes(32));
        Self(key)
    }

    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Parse `KEY_ENCRYPTION_KEY` or a key file's text: 64 hex characters, or base64 (standard or URL-safe, padded
    /// or not) of exactly 32 bytes. Surrounding whitespace is ignored.
    pub fn from_text(text: &str) -> Result<Self, KekError> {
        let text = text.trim();
        if let Some(bytes) = crate::ids::parse_hex_32(text) {
            return Ok(Self(bytes));
        }
        [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
            .iter()
            .find_map(|engine| engine.decode(text).ok())
            .and_then(|bytes| <[u8; 32]>::try_from(bytes.as_slice()).ok())
            .map(Self)
            .ok_or(KekError::Format)
    }

    /// Read a key file: its text as [`Self::from_text`], or exactly 32 raw bytes.
    pub fn from_file(path: &Path) -> Result<Self, KekError> {
        let bytes =
            std::fs::read(path).map_err(|source| KekError::Read { path: path.display().to_string(), source })?;
        // No text form is 32 bytes long (hex is 64 characters, base64 43 or 44), so this length means raw bytes.
        if let Ok(raw) = <[u8; 32]>::try_from(bytes.as_slice()) {
            return Ok(Self(raw));
        }
        Self::from_text(std::str::from_utf8(&bytes).map_err(|_| KekError::Format)?)
    }

    /// `--dev`: read the KEK at `path`, or create it (base64, owner-only permissions) when it does not exist.
    /// Returns the key and whether it was created.
    pub fn load_or_create_file(path: &Path) -> Result<(Self, bool), KekError> {
        if path.exists() {
            return Self::from_file(path).map(|key| (key, false));
        }
        let shown = || path.display().to_string();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| KekError::Create { path: shown(), source })?;
        }
        let key = Self::generate();
        let mut options = std::fs::OpenOptions::new();
        // create_new: two servers starting at once must not each write their own key.
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(path) {
            Ok(mut file) => {
                use std::io::Write;
                writeln!(file, "{}", STANDARD.encode(key.0))
                    .map_err(|source| KekError::Create { path: shown(), source })?;
                Ok((key, true))
            }
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => Self::from_file(path).map(|k| (k, false)),
            Err(source) => Err(KekError::Create { path: shown(), source }),
        }
    }

    /// Encrypt `private_key` (PKCS#8 DER) for the key `kid`, under a fresh random nonce.
    pub fn seal(&self, kid: &str, private_key: &[u8]) -> Result<SealedKey, KekError> {
        // A random 96-bit nonce per key: there are a handful of keys per KEK, far below GCM's 2^32 random-nonce
        // bound (NIST SP 800-38D §8.3).
        let nonce = crate::ids::random_bytes(NONCE_LEN);
        let mut tag = [0u8; TAG_LEN];
        let mut ciphertext =
            encrypt_aead(Cipher::aes_256_gcm(), &self.0, Some(&nonce), &aad(kid), private_key, &mut tag)
                .map_err(KekError::Seal)?;
        ciphertext.extend_from_slice(&tag);
        Ok(SealedKey { nonce, ciphertext })
    }

    /// Decrypt and authenticate a sealed key of `kid`. Fails for a wrong KEK, a changed byte, or another kid.
    pub fn open(&self, kid: &str, sealed: &SealedKey) -> Result<Vec<u8>, KekError> {
        let fail = || KekError::Open { kid: kid.to_owned() };
        if sealed.nonce.len() != NONCE_LEN || sealed.ciphertext.len() < TAG_LEN {
            return Err(fail());
        }
        let (data, tag) = sealed.ciphertext.split_at(sealed.ciphertext.len() - TAG_LEN);
        decrypt_aead(Cipher::aes_256_gcm(), &self.0, Some(&sealed.nonce), &aad(kid), data, tag).map_err(|_| fail())
    }
}

fn aad(kid: &str) -> Vec<u8> {
    [AAD_PREFIX, kid.as_bytes()].concat()
}

/// Whether a key file can be read by other local users (then the KEK is hardly better than no KEK).
#[cfg(unix)]
pub fn readable_by_others(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o077 != 0)
}

#[cfg(not(unix))]
pub fn readable_by_others(_path: &Path) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_keys_open_only_with_the_same_kek_and_kid() {
        let kek = KeyEncryptionKey::generate();
        let sealed = kek.seal("kid-a", b"secret key bytes").unwrap();
        assert_eq!(kek.open("kid-a", &sealed).unwrap(), b"secret key bytes");
        assert!(!sealed.ciphertext.windows(6).any(|w| w == b"secret"), "the plaintext is not in the ciphertext");
        // Another KEK, another kid (a swapped row) or a flipped bit: refused.
        assert!(matches!(KeyEncryptionKey::generate().open("kid-a", &sealed), Err(KekError::Open { .. })));
        assert!(kek.open("kid-b", &sealed).is_err());
        let mut tampered = sealed.clone();
        tampered.ciphertext[0] ^= 1;
        assert!(kek.open("kid-a", &tampered).is_err());
        // A fresh nonce each time.
        assert_ne!(kek.seal("kid-a", b"x").unwrap().nonce, kek.seal("kid-a", b"x").unwrap().nonce);
    }

    #[test]
    fn keks_are_read_as_hex_base64_or_raw_bytes() {
        let bytes: [u8; 32] = std::array::from_fn(|i| i as u8 * 7);
        let same = |kek: KeyEncryptionKey| assert_eq!(kek.0, bytes);
        same(KeyEncryptionKey::from_text(&crate::ids::hex_lower(&bytes)).unwrap());
        same(KeyEncryptionKey::from_text(&format!(" {}\n", STANDARD.encode(bytes))).unwrap());
        same(KeyEncryptionKey::from_text(&URL_SAFE_NO_PAD.encode(bytes)).unwrap());
        for bad in ["", "abc", &STANDARD.encode([0u8; 16]), &"0".repeat(63)] {
            assert!(matches!(KeyEncryptionKey::from_text(bad), Err(KekError::Format)), "{bad:?}");
        }
        let dir = tempfile::tempdir().unwrap();
        let raw = dir.path().join("raw");
        std::fs::write(&raw, bytes).unwrap();
        same(KeyEncryptionKey::from_file(&raw).unwrap());
        assert!(format!("{:?}", KeyEncryptionKey::from_bytes(bytes)).contains(".."), "Debug hides the key");
    }

    #[test]
    fn the_dev_kek_file_is_created_once_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/kek");
        let (first, created) = KeyEncryptionKey::load_or_create_file(&path).unwrap();
        assert!(created);
        let (again, created) = KeyEncryptionKey::load_or_create_file(&path).unwrap();
        assert!(!created);
        assert_eq!(first.0, again.0);
        assert!(!readable_by_others(&path));
    }
}
