-- Browser sessions known to the server: the cookie carries a random secret, this table its
-- SHA-256. Signing out ends the row, so a copy of the cookie stops working; a session lives at
-- most `expires_at` (14 days from sign-in) whatever the cookie says.
CREATE TABLE browser_sessions (
    secret_hash  bytea PRIMARY KEY CHECK (length(secret_hash) = 32),
    account_id   uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    ended_at     timestamptz,
    CHECK (expires_at > created_at)
);
CREATE INDEX browser_sessions_account_idx ON browser_sessions (account_id) WHERE ended_at IS NULL;
