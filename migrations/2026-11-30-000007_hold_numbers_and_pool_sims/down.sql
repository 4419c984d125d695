DELETE FROM auth_attempts WHERE kind = 'sim_code';
ALTER TABLE auth_attempts DROP CONSTRAINT auth_attempts_kind_check;
ALTER TABLE auth_attempts ADD CONSTRAINT auth_attempts_kind_check
    CHECK (kind IN ('login', 'register', 'reset', 'password_change'));
ALTER TABLE order_items DROP COLUMN sim_card_id, DROP COLUMN activation, DROP COLUMN number;
DROP INDEX cart_items_number_ref_idx;
DROP INDEX cart_items_number_idx;
ALTER TABLE cart_items DROP COLUMN sim_card_id, DROP COLUMN activation, DROP COLUMN number;
DROP TABLE esim_profiles;
DROP TABLE sim_cards;
DROP INDEX numbers_activate_by_idx;
DROP INDEX numbers_held_by_idx;
DROP INDEX numbers_order_idx;
DROP INDEX numbers_owner_idx;
ALTER TABLE numbers DROP COLUMN reminded_at, DROP COLUMN activated_at, DROP COLUMN activate_by, DROP COLUMN sim,
    DROP COLUMN order_id;
UPDATE numbers SET status = 'available' WHERE status IN ('reserved', 'active');
ALTER TABLE numbers DROP CONSTRAINT numbers_status_check;
ALTER TABLE numbers ADD CONSTRAINT numbers_status_check CHECK (status IN ('available', 'held', 'sold', 'retired'));
