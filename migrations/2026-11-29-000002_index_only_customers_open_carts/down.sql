DROP INDEX carts_account_open_idx;
CREATE INDEX carts_account_open_idx ON carts (account_id, updated_at DESC) WHERE status = 'open';
