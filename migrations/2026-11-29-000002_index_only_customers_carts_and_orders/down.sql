DROP INDEX carts_account_open_idx;
CREATE INDEX carts_account_open_idx ON carts (account_id, updated_at DESC) WHERE status = 'open';
DROP INDEX orders_account_idx;
CREATE INDEX orders_account_idx ON orders (account_id, created_at DESC);
