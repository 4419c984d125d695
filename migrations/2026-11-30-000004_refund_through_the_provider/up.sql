-- Refunds are paid out by the payment provider through a job queued with the refund, so the
-- money moves even when the provider is remote and down for a while.
ALTER TABLE jobs DROP CONSTRAINT jobs_queue_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_queue_check CHECK (queue IN ('mail', 'operator', 'payments'));

-- What the sandbox provider paid back, as a real provider keeps on its own side: each refund
-- the shop asked for, once.
CREATE TABLE sandbox_refunds (
    refund_id   uuid PRIMARY KEY,
    payment_id  uuid NOT NULL REFERENCES payments (id) ON DELETE CASCADE,
    amount      numeric(12, 2) NOT NULL CHECK (amount > 0),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sandbox_refunds_payment_idx ON sandbox_refunds (payment_id);
