-- Issue 10, the account page. One schema for SQLite and Postgres (TEXT and BIGINT only), as the earlier migrations.

-- The session list (GET /currentuser/sessions) names each session by how it began: the browser's User-Agent at the
-- sign-in (sanitised, see credentials::sanitize_user_agent) and the method (passkey | otp | magic_link). Every token
-- a refresh issues copies both from the presented one, so each token row of a family carries them. NULL in rows
-- written before this migration: shown as "" and "unknown".
ALTER TABLE refresh_tokens ADD COLUMN user_agent TEXT;
ALTER TABLE refresh_tokens ADD COLUMN sign_in_method TEXT;
CREATE INDEX refresh_tokens_app_user ON refresh_tokens (app_id, user_id);

-- E-mail change (P8): a magic link whose proof moves the account to new_email instead of signing in as it is.
-- purpose: sign_in (E11/E12) | email_change (P8).
ALTER TABLE magic_links ADD COLUMN purpose TEXT NOT NULL DEFAULT 'sign_in';
ALTER TABLE magic_links ADD COLUMN new_email TEXT;
CREATE INDEX magic_links_user ON magic_links (user_id);
