-- One-time codes (E8-E10). Only a hash of the code is stored; a row is deleted when used, and refused after
-- expires_at or after too many wrong attempts.
CREATE TABLE otps (
    id         TEXT PRIMARY KEY,              -- public otp_id (random); the element keeps it in localStorage
    app_id     TEXT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL,                 -- SHA-256 (hex) of "<id>:<code>"
    attempts   BIGINT NOT NULL DEFAULT 0,     -- activation attempts so far (wrong or right)
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX otps_expiry ON otps (expires_at);

-- Magic links (E11-E14). The public id (polled by the requesting tab) and the secret token (in the e-mailed link)
-- are different values; only a hash of the token is stored.
CREATE TABLE magic_links (
    id           TEXT PRIMARY KEY,            -- public id, returned by E11/E12 and polled through E13
    app_id       TEXT NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash   TEXT NOT NULL UNIQUE,        -- SHA-256 (hex) of the secret psg_magic_link token
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    activated_at BIGINT,                      -- set once by E14 (single use)
    collected_at BIGINT                       -- set once E13 has handed the polling tab its AuthResult
);
CREATE INDEX magic_links_expiry ON magic_links (expires_at);

-- Refresh-token families: every token issued by rotation inherits the family and the session start, so reuse of a
-- rotated token can revoke the whole family, and the absolute session lifetime counts from the first login.
ALTER TABLE refresh_tokens ADD COLUMN family_id TEXT;
ALTER TABLE refresh_tokens ADD COLUMN session_started_at BIGINT;
UPDATE refresh_tokens SET family_id = token_hash WHERE family_id IS NULL;
UPDATE refresh_tokens SET session_started_at = created_at WHERE session_started_at IS NULL;
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
