-- Orders: the cart frozen at checkout, with its prices, fulfilment choice and every state it
-- passed through. Stock is taken from `branch_id` when the order is placed and given back if
-- it is cancelled, expires unpaid or is refunded before it left the shop.
CREATE SEQUENCE order_number_seq START 1001;

CREATE TABLE orders (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    number              text NOT NULL UNIQUE DEFAULT ('TS-' || lpad(nextval('order_number_seq')::text, 6, '0')),
    account_id          uuid REFERENCES accounts (id) ON DELETE SET NULL,
    cart_id             uuid REFERENCES carts (id) ON DELETE SET NULL,
    email               text NOT NULL CHECK (email LIKE '%_@_%'),
    lang                text NOT NULL DEFAULT 'mn' CHECK (lang IN ('mn', 'en')),
    status              text NOT NULL DEFAULT 'pending_payment' CHECK (status IN
                            ('pending_payment', 'paid', 'fulfilling', 'shipped', 'ready_for_pickup',
                             'completed', 'cancelled', 'refunded')),
    payment_status      text NOT NULL DEFAULT 'unpaid' CHECK (payment_status IN
                            ('unpaid', 'paid', 'partially_refunded', 'refunded')),
    fulfillment_method  text CHECK (fulfillment_method IN ('delivery', 'pickup')),
    -- Where the devices were reserved: the pickup branch or the delivery warehouse.
    branch_id           uuid REFERENCES branches (id) ON DELETE RESTRICT,
    delivery_address    jsonb,
    tracking_number     text,
    subtotal            numeric(12, 2) NOT NULL CHECK (subtotal >= 0),
    discount            numeric(12, 2) NOT NULL DEFAULT 0 CHECK (discount >= 0),
    shipping            numeric(12, 2) NOT NULL DEFAULT 0 CHECK (shipping >= 0),
    total               numeric(12, 2) NOT NULL CHECK (total >= 0),
    refunded_total      numeric(12, 2) NOT NULL DEFAULT 0 CHECK (refunded_total >= 0 AND refunded_total <= total),
    -- The secret of the tracking link in the order's mails (as a shop's order-status link, it
    -- only shows this order and cancels it while unpaid; every mail about the order repeats it).
    access_token        text NOT NULL CHECK (length(access_token) >= 32),
    -- Whether the reserved stock went back (cancel, expiry, refund before shipping): at most once.
    stock_released      boolean NOT NULL DEFAULT false,
    expires_at          timestamptz NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CHECK ((fulfillment_method IS NULL) = (branch_id IS NULL)),
    CHECK ((fulfillment_method = 'delivery') = (delivery_address IS NOT NULL))
);
CREATE INDEX orders_account_idx ON orders (account_id, created_at DESC);
CREATE INDEX orders_status_idx ON orders (status, created_at DESC);
CREATE INDEX orders_created_idx ON orders (created_at DESC);
CREATE INDEX orders_expiry_idx ON orders (expires_at) WHERE status = 'pending_payment';

CREATE TABLE order_items (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    order_id            uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id          uuid NOT NULL REFERENCES products (id) ON DELETE RESTRICT,
    kind                text NOT NULL,
    name_mn             text NOT NULL,
    name_en             text NOT NULL,
    quantity            integer NOT NULL CHECK (quantity BETWEEN 1 AND 99),
    unit_price          numeric(12, 2) NOT NULL CHECK (unit_price >= 0),
    total               numeric(12, 2) NOT NULL CHECK (total >= 0),
    msisdn              text CHECK (msisdn ~ '^[0-9]{8}$'),
    fulfillment_status  text NOT NULL DEFAULT 'pending' CHECK (fulfillment_status IN ('pending', 'in_progress', 'done', 'failed')),
    position            integer NOT NULL
);
CREATE INDEX order_items_order_idx ON order_items (order_id, position);

-- Every move of an order, with who made it: the tracking page's timeline and the audit trail.
CREATE TABLE order_events (
    id           bigserial PRIMARY KEY,
    order_id     uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    from_status  text,
    to_status    text NOT NULL,
    -- customer | staff | payment | system
    actor        text NOT NULL,
    actor_id     uuid,
    note         text,
    at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX order_events_order_idx ON order_events (order_id, id);
