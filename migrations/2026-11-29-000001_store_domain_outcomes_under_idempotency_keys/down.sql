ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_state_check;
COMMENT ON COLUMN idempotency_keys.status_code IS NULL;
COMMENT ON COLUMN idempotency_keys.response_body IS NULL;
DELETE FROM idempotency_keys;
