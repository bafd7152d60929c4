-- Pre-account hijacking (Sudhodanan & Paverd, USENIX Security 2022): a passkey registered while its user's address
-- was never proven is provisional (confirmed_at NULL) until the owner keeps it through the link mailed at
-- registration; the owner's first proof of the address (code, magic link) removes every passkey still provisional.
ALTER TABLE credentials ADD COLUMN confirmed_at BIGINT;
-- SHA-256 (hex) of the secret in the confirmation link; NULL once used (single use).
ALTER TABLE credentials ADD COLUMN confirm_token_hash TEXT;
ALTER TABLE credentials ADD COLUMN confirm_expires_at BIGINT;
-- The browser that registered the passkey (sanitised User-Agent), named in the mails about it.
ALTER TABLE credentials ADD COLUMN user_agent TEXT;
-- The signature counter as a column, so a login's update can be conditional on it (WebAuthn L3 §7.2 step 21).
ALTER TABLE credentials ADD COLUMN sign_count BIGINT NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX credentials_confirm_token ON credentials (confirm_token_hash);
-- Passkeys of users whose address was proven stay as they were; the others were registered before any proof.
UPDATE credentials SET confirmed_at = created_at WHERE user_id IN (SELECT id FROM users WHERE email_verified = 1);

-- The passkey that started a session (NULL for code and link sign-ins), so removing a passkey ends its sessions.
ALTER TABLE refresh_tokens ADD COLUMN credential_id TEXT;
CREATE INDEX refresh_tokens_credential ON refresh_tokens (credential_id);

-- What the account page shows the owner: removed passkeys, added passkeys (issue 10 reads them).
CREATE TABLE user_notices (
    id         TEXT PRIMARY KEY,
    app_id     TEXT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,                 -- provisional_passkeys_removed | passkey_added | passkey_removed
    text       TEXT NOT NULL,                 -- plain text for the owner (never HTML)
    data       TEXT NOT NULL,                 -- JSON details (the passkeys concerned)
    created_at BIGINT NOT NULL,
    read_at    BIGINT
);
CREATE INDEX user_notices_user ON user_notices (user_id, created_at);

-- Sweeping expired pending users (E3, never activated) scans by status and age.
CREATE INDEX users_status_created ON users (status, created_at);
