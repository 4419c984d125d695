-- Fulfilment through the operator: when each digital line was done, and why the operator
-- refused one (for staff; the shopper is told in their language).
ALTER TABLE order_items ADD COLUMN fulfilled_at timestamptz;
ALTER TABLE order_items ADD COLUMN failure text;

-- The built-in operator sandbox's own state: what each number has (balance, data, plan, SIM),
-- and a ledger with one row per request key, which is what makes a retried request change
-- nothing the second time (and what the exactly-once tests count).
CREATE TABLE sandbox_subscribers (
    msisdn      text PRIMARY KEY CHECK (msisdn ~ '^[0-9]{8}$'),
    balance     numeric(12, 2) NOT NULL DEFAULT 0,
    data_mb     bigint NOT NULL DEFAULT 0,
    plan        text,
    plan_until  timestamptz,
    sim         text CHECK (sim IN ('esim', 'physical')),
    iccid       text,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sandbox_operator_ledger (
    key         text PRIMARY KEY,
    msisdn      text NOT NULL,
    operation   text NOT NULL,
    amount      numeric(12, 2),
    detail      jsonb NOT NULL DEFAULT '{}',
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sandbox_operator_ledger_msisdn_idx ON sandbox_operator_ledger (msisdn, at);
