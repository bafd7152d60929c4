-- Issue 11, the management API. One schema for SQLite and Postgres (TEXT and BIGINT only), as the earlier migrations.

-- user_metadata of Passage's user objects: a JSON object as text, set by the management API (create, update).
-- NULL = never set (shown as null, as Passage did for apps without metadata fields).
ALTER TABLE users ADD COLUMN user_metadata TEXT;
-- The management list pages by (app, created_at) and counts per app.
CREATE INDEX users_app_created ON users (app_id, created_at);
