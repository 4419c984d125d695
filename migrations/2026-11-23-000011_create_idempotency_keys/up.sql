-- `Idempotency-Key`s per caller: the first answer to a request, replayed to its retries.
-- The row is written in the same transaction as the work, so a concurrent retry waits on the
-- primary key and then reads the answer instead of doing the work twice.
CREATE TABLE idempotency_keys (
    caller         text NOT NULL,
    key            text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    -- SHA-256 of method, path and body: the same key with another request is refused.
    fingerprint    bytea NOT NULL,
    status_code    smallint NOT NULL,
    response_body  text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (caller, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
