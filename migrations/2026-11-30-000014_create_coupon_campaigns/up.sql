-- Coupon campaigns, their codes and every use of a code by an order.
--
-- A code is reserved by the order that carries it (in the order's transaction), redeemed when
-- that order is paid, released when it is cancelled or expires unpaid, and marked refunded
-- (still used, no longer counted) when the order is refunded in full. Limits hold in the
-- database: the campaign's counters are changed under its row's lock with CHECKs that refuse
-- going past the limit or the budget, and partial unique indexes keep a personal code to one
-- live order and a once-per-customer code to one live order per customer.
CREATE TABLE campaigns (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name              text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    discount_type     text NOT NULL CHECK (discount_type IN ('percent', 'fixed')),
    discount_value    numeric(12, 2) NOT NULL
                          CHECK (discount_value > 0 AND (discount_type = 'fixed' OR discount_value <= 100)),
    code_policy       text NOT NULL CHECK (code_policy IN ('personal', 'once_per_customer', 'limited')),
    max_redemptions   integer CHECK (max_redemptions > 0),
    budget            numeric(12, 2) CHECK (budget > 0),
    min_subtotal      numeric(12, 2) CHECK (min_subtotal >= 0),
    -- NULL: every kind (every product).
    applies_kinds     text[],
    applies_products  uuid[],
    -- Whether an order may carry this campaign's code beside another stackable one.
    stackable         boolean NOT NULL DEFAULT false,
    starts_at         timestamptz,
    ends_at           timestamptz,
    -- Uses by orders placed and not given back, and the discounts they took.
    uses              integer NOT NULL DEFAULT 0 CHECK (uses >= 0),
    discount_used     numeric(12, 2) NOT NULL DEFAULT 0 CHECK (discount_used >= 0),
    created_by        uuid REFERENCES accounts (id) ON DELETE SET NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (max_redemptions IS NULL OR uses <= max_redemptions),
    CHECK (budget IS NULL OR discount_used <= budget),
    CHECK (starts_at IS NULL OR ends_at IS NULL OR ends_at > starts_at)
);
CREATE INDEX campaigns_created_idx ON campaigns (created_at DESC);

CREATE TABLE coupon_codes (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    campaign_id  uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    -- Stored upper-case; shoppers may type it in any case.
    code         text NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9][A-Z0-9-]{2,31}$'),
    -- A personal code's customer.
    account_id   uuid REFERENCES accounts (id) ON DELETE CASCADE,
    assigned_at  timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CHECK ((account_id IS NULL) = (assigned_at IS NULL))
);
CREATE INDEX coupon_codes_campaign_idx ON coupon_codes (campaign_id, created_at, code);
CREATE INDEX coupon_codes_account_idx ON coupon_codes (account_id, created_at DESC) WHERE account_id IS NOT NULL;

CREATE TABLE coupon_redemptions (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    campaign_id  uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    code_id      uuid NOT NULL REFERENCES coupon_codes (id) ON DELETE CASCADE,
    order_id     uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    account_id   uuid REFERENCES accounts (id) ON DELETE SET NULL,
    -- The campaign's code policy, copied so the unique indexes below can tell.
    policy       text NOT NULL CHECK (policy IN ('personal', 'once_per_customer', 'limited')),
    status       text NOT NULL DEFAULT 'reserved' CHECK (status IN ('reserved', 'redeemed', 'released', 'refunded')),
    discount     numeric(12, 2) NOT NULL CHECK (discount >= 0),
    created_at   timestamptz NOT NULL DEFAULT now(),
    redeemed_at  timestamptz,
    released_at  timestamptz,
    UNIQUE (order_id, code_id)
);
CREATE UNIQUE INDEX coupon_redemptions_personal_once_idx ON coupon_redemptions (code_id)
    WHERE policy = 'personal' AND status <> 'released';
CREATE UNIQUE INDEX coupon_redemptions_customer_once_idx ON coupon_redemptions (code_id, account_id)
    WHERE policy = 'once_per_customer' AND status <> 'released';
CREATE INDEX coupon_redemptions_campaign_idx ON coupon_redemptions (campaign_id, created_at);
CREATE INDEX coupon_redemptions_code_idx ON coupon_redemptions (code_id, created_at);

-- The codes a cart carries (at most a few), read with the cart's row.
ALTER TABLE carts ADD COLUMN coupon_ids uuid[] NOT NULL DEFAULT '{}';

-- The part of the order's discount each line took.
ALTER TABLE order_items ADD COLUMN discount numeric(12, 2) NOT NULL DEFAULT 0 CHECK (discount >= 0);
