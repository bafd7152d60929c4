-- Issue 14, mails in the user's language. One schema for SQLite and Postgres (TEXT and BIGINT only), as the earlier
-- migrations.

-- The language of the user's last code or link request (a shipped mail language tag such as "fr" or "pt-BR", from
-- the element's `language`): notices nobody asked for at that moment (passkey added or removed, e-mail changed, a
-- link the app sends) are written in it. NULL = never asked with a shipped language: the app's default_language.
ALTER TABLE users ADD COLUMN language TEXT;
