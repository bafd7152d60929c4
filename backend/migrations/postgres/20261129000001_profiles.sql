-- One profile per auth-server user. `user_id` is the token's `sub`; the primary key makes the upsert's
-- ON CONFLICT target, so concurrent saves for one user can never create a second row.
-- `save_count` counts saves: the upsert returns it, and 1 means "this statement created the row" (201 vs 200
-- decided inside the database, not by a racy read before the write).
CREATE TABLE profiles (
    user_id    TEXT        NOT NULL PRIMARY KEY,
    name       TEXT        NOT NULL,
    save_count BIGINT      NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
