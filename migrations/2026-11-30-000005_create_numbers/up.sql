-- The operator's pool of subscriber numbers (MSISDN, 8 digits) that the shop sells, each with
-- the tier set on import. A number is `available`, `held` by one cart until `held_until` (an
-- expired hold counts as available at once, without a sweeper), `sold`, or `retired` by staff.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE numbers (
    msisdn      text PRIMARY KEY CHECK (msisdn ~ '^[0-9]{8}$'),
    tier        text NOT NULL CHECK (tier IN ('ordinary', 'silver', 'gold', 'platinum')),
    status      text NOT NULL DEFAULT 'available' CHECK (status IN ('available', 'held', 'sold', 'retired')),
    held_by     uuid REFERENCES carts (id) ON DELETE SET NULL,
    held_until  timestamptz,
    owner_id    uuid REFERENCES accounts (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Search serves shoppers only numbers that may be sold: anchored patterns by the digits
-- (`88*`), suffixes by the reversed digits (`*2233`), anything else by trigrams (`2233`).
CREATE INDEX numbers_open_prefix_idx ON numbers (msisdn text_pattern_ops) WHERE status IN ('available', 'held');
CREATE INDEX numbers_open_suffix_idx ON numbers (reverse(msisdn) text_pattern_ops) WHERE status IN ('available', 'held');
CREATE INDEX numbers_open_trgm_idx ON numbers USING gin (msisdn gin_trgm_ops) WHERE status IN ('available', 'held');
CREATE INDEX numbers_tier_idx ON numbers (tier, msisdn) WHERE status IN ('available', 'held');
