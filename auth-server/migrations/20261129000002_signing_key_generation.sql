-- Order signing keys by a generation number, not by timestamps: two rotations within one second must still leave
-- exactly one "previous" key.
ALTER TABLE signing_keys ADD COLUMN generation BIGINT NOT NULL DEFAULT 0;
