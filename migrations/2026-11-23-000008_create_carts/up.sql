-- Carts: a guest's (no account, reached by its id) or a customer's. Lines keep only what the
-- shopper chose; prices are always read from the catalog, never stored from a client.
CREATE TABLE carts (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id  uuid REFERENCES accounts (id) ON DELETE CASCADE,
    -- open → checked_out when an order is placed from it, or → merged into an account's cart.
    status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'checked_out', 'merged')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX carts_account_open_idx ON carts (account_id, updated_at DESC) WHERE status = 'open';

CREATE TABLE cart_items (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    cart_id     uuid NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
    product_id  uuid NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    quantity    integer NOT NULL CHECK (quantity BETWEEN 1 AND 99),
    -- The subscriber number a top-up, data pack, plan or service is for.
    msisdn      text CHECK (msisdn ~ '^[0-9]{8}$'),
    -- What the shopper chose to pay for a free-amount top-up.
    amount      numeric(12, 2) CHECK (amount > 0),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cart_items_cart_id_idx ON cart_items (cart_id, created_at);
CREATE INDEX cart_items_product_id_idx ON cart_items (product_id);
