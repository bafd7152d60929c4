-- Signing keys encrypted at rest (AES-256-GCM under a key-encryption key kept outside the database).
-- encryption: 'none' = legacy plaintext in private_key_pem (encrypted in place on the first start with a KEK);
-- 'aes-256-gcm' = nonce and ciphertext (PKCS#8 DER, GCM tag appended; the kid is the associated data) hold the key,
-- and private_key_pem is '' (the column stays NOT NULL: SQLite cannot drop the constraint without a table rebuild).
ALTER TABLE signing_keys ADD COLUMN encryption TEXT NOT NULL DEFAULT 'none';
ALTER TABLE signing_keys ADD COLUMN nonce TEXT;       -- base64url, 12 bytes
ALTER TABLE signing_keys ADD COLUMN ciphertext TEXT;  -- base64url
