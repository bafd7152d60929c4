-- One schema for SQLite and Postgres: only TEXT and BIGINT columns (the sqlx `Any` driver maps both the same way).
-- Times are Unix seconds; flags are 0/1; binary values are base64url text.

CREATE TABLE users (
    id             TEXT PRIMARY KEY,          -- public user id (random, URL-safe)
    app_id         TEXT NOT NULL,
    email          TEXT NOT NULL,             -- trimmed, lower-cased identifier
    email_verified BIGINT NOT NULL DEFAULT 0,
    status         TEXT NOT NULL,             -- pending | active | inactive
    webauthn_handle TEXT NOT NULL,            -- WebAuthn user handle (UUID), never shown as the user id
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    last_login_at  BIGINT,
    login_count    BIGINT NOT NULL DEFAULT 0,
    UNIQUE (app_id, email)
);

CREATE TABLE credentials (
    id            TEXT PRIMARY KEY,           -- device id shown in webauthn_devices
    app_id        TEXT NOT NULL,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    cred_id       TEXT NOT NULL UNIQUE,       -- base64url credential id: one credential, one user, ever
    passkey       TEXT NOT NULL,              -- webauthn-rs Passkey (public key, counter) as JSON
    friendly_name TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    last_login_at BIGINT,
    usage_count   BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX credentials_user ON credentials (user_id);

-- Server-side WebAuthn ceremony state: deleted on the first finish attempt (single use), ignored after expires_at.
CREATE TABLE webauthn_challenges (
    id         TEXT PRIMARY KEY,              -- handshake id
    app_id     TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    kind       TEXT NOT NULL,                 -- register | login | add_device
    state      TEXT NOT NULL,                 -- webauthn-rs ceremony state as JSON
    expires_at BIGINT NOT NULL
);
CREATE INDEX webauthn_challenges_expiry ON webauthn_challenges (expires_at);

CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,              -- SHA-256 (hex) of the opaque token; the token itself is never stored
    app_id     TEXT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);

-- RS256 signing keys. retired_at NULL = current; the newest retired key stays in the JWKS as "previous".
CREATE TABLE signing_keys (
    kid             TEXT PRIMARY KEY,
    private_key_pem TEXT NOT NULL,            -- PKCS#8 PEM
    created_at      BIGINT NOT NULL,
    retired_at      BIGINT
);
