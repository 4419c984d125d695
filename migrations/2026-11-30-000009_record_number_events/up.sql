-- What happened to a number beyond the orders that sold it: a reminder to activate it, and a
-- number that was not activated in time going back to the pool (staff see both).
CREATE TABLE number_events (
    id          bigserial PRIMARY KEY,
    msisdn      text COLLATE "C" NOT NULL REFERENCES numbers (msisdn) ON DELETE CASCADE,
    event       text NOT NULL CHECK (event IN ('reminded', 'lapsed')),
    account_id  uuid REFERENCES accounts (id) ON DELETE SET NULL,
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX number_events_msisdn_idx ON number_events (msisdn, id);
CREATE INDEX numbers_remind_idx ON numbers (activate_by) WHERE status = 'sold' AND reminded_at IS NULL;
