-- A shopper's saved delivery addresses, offered at checkout.
CREATE TABLE addresses (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    phone       text NOT NULL CHECK (phone ~ '^[0-9]{8}$'),
    city        text NOT NULL CHECK (length(city) BETWEEN 1 AND 100),
    district    text NOT NULL CHECK (length(district) BETWEEN 1 AND 100),
    line1       text NOT NULL CHECK (length(line1) BETWEEN 1 AND 300),
    line2       text CHECK (length(line2) <= 300),
    is_default  boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX addresses_account_id_idx ON addresses (account_id, created_at);
CREATE UNIQUE INDEX addresses_one_default_idx ON addresses (account_id) WHERE is_default;
