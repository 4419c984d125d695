-- Attempts at signing in, registering and resetting passwords, counted per account and per
-- address to rate-limit them across every server process.
CREATE TABLE auth_attempts (
    id          bigserial PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('login', 'register', 'reset')),
    account_key text,
    ip          text NOT NULL,
    succeeded   boolean NOT NULL DEFAULT false,
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX auth_attempts_account_idx ON auth_attempts (kind, account_key, at) WHERE NOT succeeded;
CREATE INDEX auth_attempts_ip_idx ON auth_attempts (kind, ip, at) WHERE NOT succeeded;
CREATE INDEX auth_attempts_at_idx ON auth_attempts (at);
