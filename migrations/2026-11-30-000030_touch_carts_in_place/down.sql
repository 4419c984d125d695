ALTER TABLE carts RESET (fillfactor);
DROP INDEX carts_account_open_idx;
CREATE INDEX carts_account_open_idx ON carts (account_id, updated_at DESC)
    WHERE status = 'open' AND account_id IS NOT NULL;
DROP INDEX carts_guest_age_idx;
CREATE INDEX carts_guest_idle_idx ON carts (updated_at) WHERE account_id IS NULL AND status IN ('open', 'merged');
