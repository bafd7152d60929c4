-- Consecutive wrong one-time codes per (account, client network) (NIST SP 800-63B §5.2.2). Persisted, so a restart
-- does not hand a guesser a fresh budget. A successful sign-in of the user ends every run of failures: rows of
-- unknown networks are deleted, known ones zeroed, and the network signed in from becomes known.
-- The account-wide total is the sum over the user's rows of unknown networks (known = 0).
CREATE TABLE otp_failures (
    app_id          TEXT NOT NULL,
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    network         TEXT NOT NULL,            -- the client's IPv4 address or IPv6 /64
    failures        BIGINT NOT NULL,          -- consecutive attempts that were not a successful sign-in
    last_failure_at BIGINT NOT NULL,
    known           BIGINT NOT NULL DEFAULT 0, -- Unix time of the user's latest sign-in from this network; 0 = never
    PRIMARY KEY (app_id, user_id, network)
);
