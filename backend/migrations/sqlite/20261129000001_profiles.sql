-- One profile per auth-server user. `user_id` is the token's `sub`; the primary key makes the upsert's
-- ON CONFLICT target, so concurrent saves for one user can never create a second row.
-- `save_count` counts saves: the upsert returns it, and 1 means "this statement created the row" (201 vs 200
-- decided inside the database, not by a racy read before the write).
-- Timestamps are RFC 3339 UTC text with microseconds (`2026-11-29T12:00:00.000000Z`), which sorts by time.
CREATE TABLE profiles (
    user_id    TEXT    NOT NULL PRIMARY KEY,
    name       TEXT    NOT NULL,
    save_count INTEGER NOT NULL DEFAULT 1,
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
);
