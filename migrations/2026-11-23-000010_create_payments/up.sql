-- Payment attempts of an order (a declined one leaves the order payable by a new attempt) and
-- the provider events already applied, so a replayed webhook changes nothing twice.
CREATE TABLE payments (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    order_id         uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    provider         text NOT NULL,
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed', 'refunded')),
    amount           numeric(12, 2) NOT NULL CHECK (amount >= 0),
    refunded_amount  numeric(12, 2) NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0 AND refunded_amount <= amount),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payments_order_idx ON payments (order_id, created_at);
-- At most one attempt of an order can be waiting for the provider at a time.
CREATE UNIQUE INDEX payments_one_pending_idx ON payments (order_id) WHERE status = 'pending';

CREATE TABLE payment_events (
    provider     text NOT NULL,
    event_id     text NOT NULL,
    payment_id   uuid REFERENCES payments (id) ON DELETE CASCADE,
    kind         text NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, event_id)
);
