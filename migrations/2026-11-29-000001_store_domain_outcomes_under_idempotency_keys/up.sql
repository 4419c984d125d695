-- Keys now hold the domain's outcome (0 claimed, 1 answered, 2 refused; the body is its JSON),
-- fingerprinted over the operation and its parsed input, instead of an HTTP status and body.
-- Answers stored the old way cannot be read the new way; clients retry within minutes, so the
-- few that are less than a day old are dropped rather than translated.
DELETE FROM idempotency_keys;
ALTER TABLE idempotency_keys ADD CONSTRAINT idempotency_keys_state_check CHECK (status_code IN (0, 1, 2));
COMMENT ON COLUMN idempotency_keys.status_code IS '0 claimed, 1 answered, 2 refused';
COMMENT ON COLUMN idempotency_keys.response_body IS 'the outcome as JSON: the answer or the refusal';
