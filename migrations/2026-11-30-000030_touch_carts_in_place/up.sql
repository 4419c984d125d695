-- Every change to a cart touches its row (`updated_at`: when it was last used, and the row
-- lock that orders changes). With `updated_at` in two indexes, every touch was a new row
-- version with new entries in all three of the table's indexes. Indexed by what a touch does
-- not change, and with room left on each page, the touch is a heap-only update: the row is
-- rewritten in place and no index is written.
-- Idle guests' carts are found by age: a cart last used before the cut-off was also made
-- before it, so pruning reads the made-before ones and keeps those used since.
DROP INDEX carts_guest_idle_idx;
CREATE INDEX carts_guest_age_idx ON carts (created_at) WHERE account_id IS NULL AND status IN ('open', 'merged');
-- A customer has a few open carts; the latest is picked among them.
DROP INDEX carts_account_open_idx;
CREATE INDEX carts_account_open_idx ON carts (account_id) WHERE status = 'open' AND account_id IS NOT NULL;
ALTER TABLE carts SET (fillfactor = 70);
