-- Open carts are looked up by account only for customers; a guest's cart is reached by its id.
-- Indexing guests' carts too meant every line a guest added (which touches updated_at) also
-- rewrote an index entry nobody reads.
DROP INDEX carts_account_open_idx;
CREATE INDEX carts_account_open_idx ON carts (account_id, updated_at DESC)
    WHERE status = 'open' AND account_id IS NOT NULL;
-- Likewise orders are listed by account only for customers; guests reach theirs by the link.
DROP INDEX orders_account_idx;
CREATE INDEX orders_account_idx ON orders (account_id, created_at DESC) WHERE account_id IS NOT NULL;
