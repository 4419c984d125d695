-- A number's life: available → held by a cart (until `held_until`) → reserved by a placed,
-- unpaid order → sold to its owner (inactive until activated, by `activate_by`) → active on a
-- SIM or eSIM. Cancelled or expired orders and lapsed activations give it back; staff retire.
ALTER TABLE numbers DROP CONSTRAINT numbers_status_check;
ALTER TABLE numbers ADD CONSTRAINT numbers_status_check
    CHECK (status IN ('available', 'held', 'reserved', 'sold', 'active', 'retired'));
ALTER TABLE numbers ADD COLUMN order_id uuid REFERENCES orders (id) ON DELETE SET NULL;
ALTER TABLE numbers ADD COLUMN sim text CHECK (sim IN ('esim', 'physical'));
ALTER TABLE numbers ADD COLUMN activate_by timestamptz;
ALTER TABLE numbers ADD COLUMN activated_at timestamptz;
ALTER TABLE numbers ADD COLUMN reminded_at timestamptz;
CREATE INDEX numbers_owner_idx ON numbers (owner_id, msisdn) WHERE owner_id IS NOT NULL;
CREATE INDEX numbers_order_idx ON numbers (order_id) WHERE order_id IS NOT NULL;
CREATE INDEX numbers_held_by_idx ON numbers (held_by) WHERE held_by IS NOT NULL;
CREATE INDEX numbers_activate_by_idx ON numbers (activate_by) WHERE status = 'sold';

-- Physical SIM cards. The 8-digit code printed with a card is kept only as a keyed hash
-- (HMAC-SHA256 under the shop's INVENTORY_KEY): a leaked table gives no usable code, and ten
-- million codes cannot be tried against it without the key.
CREATE TABLE sim_cards (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    iccid       text NOT NULL UNIQUE CHECK (iccid ~ '^89[0-9]{17,18}$'),
    code_hash   bytea NOT NULL UNIQUE,
    status      text NOT NULL DEFAULT 'available' CHECK (status IN ('available', 'reserved', 'used', 'retired')),
    -- The order that took it (reserved until paid) and the number it carries once used.
    order_id    uuid REFERENCES orders (id) ON DELETE SET NULL,
    msisdn      text COLLATE "C" REFERENCES numbers (msisdn),
    used_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sim_cards_order_idx ON sim_cards (order_id) WHERE order_id IS NOT NULL;

-- eSIM profiles. The activation code (LPA:1$…) is shown to its owner, so it cannot be a hash:
-- it is sealed (AES-256-GCM under INVENTORY_KEY); `code_hash` finds duplicates on import.
CREATE TABLE esim_profiles (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    iccid        text NOT NULL UNIQUE CHECK (iccid ~ '^89[0-9]{17,18}$'),
    code_sealed  bytea NOT NULL,
    code_hash    bytea NOT NULL UNIQUE,
    status       text NOT NULL DEFAULT 'available' CHECK (status IN ('available', 'reserved', 'assigned', 'revoked')),
    order_id     uuid REFERENCES orders (id) ON DELETE SET NULL,
    msisdn       text COLLATE "C" REFERENCES numbers (msisdn),
    assigned_at  timestamptz,
    revoked_at   timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
-- The pool hands out its oldest profile first; concurrent orders skip each other's (SKIP LOCKED).
CREATE INDEX esim_profiles_pool_idx ON esim_profiles (created_at, id) WHERE status = 'available';
CREATE INDEX esim_profiles_order_idx ON esim_profiles (order_id) WHERE order_id IS NOT NULL;
CREATE INDEX esim_profiles_msisdn_idx ON esim_profiles (msisdn) WHERE msisdn IS NOT NULL;

-- A number line: the chosen number (held while in the cart) and how it is to be activated;
-- a physical SIM line names the card its code found.
ALTER TABLE cart_items ADD COLUMN number text COLLATE "C" REFERENCES numbers (msisdn) ON DELETE CASCADE;
ALTER TABLE cart_items ADD COLUMN activation text CHECK (activation IN ('later', 'esim', 'physical'));
ALTER TABLE cart_items ADD COLUMN sim_card_id uuid REFERENCES sim_cards (id) ON DELETE SET NULL;
CREATE UNIQUE INDEX cart_items_number_idx ON cart_items (cart_id, number) WHERE number IS NOT NULL;
CREATE INDEX cart_items_number_ref_idx ON cart_items (number) WHERE number IS NOT NULL;

ALTER TABLE order_items ADD COLUMN number text COLLATE "C";
ALTER TABLE order_items ADD COLUMN activation text CHECK (activation IN ('later', 'esim', 'physical'));
ALTER TABLE order_items ADD COLUMN sim_card_id uuid REFERENCES sim_cards (id) ON DELETE SET NULL;

-- Wrong SIM codes are limited per customer and per address, like sign-ins.
ALTER TABLE auth_attempts DROP CONSTRAINT auth_attempts_kind_check;
ALTER TABLE auth_attempts ADD CONSTRAINT auth_attempts_kind_check
    CHECK (kind IN ('login', 'register', 'reset', 'password_change', 'sim_code'));
