-- Every change staff make, with who, when, what, and the record before and after it; and every
-- staff change of a branch's stock as a movement with its reason.
CREATE TABLE audit_log (
    id            bigserial PRIMARY KEY,
    at            timestamptz NOT NULL DEFAULT now(),
    actor_id      uuid REFERENCES accounts (id) ON DELETE SET NULL,
    -- Kept as it was, so the trail still names a staff member whose account is gone.
    actor_email   text NOT NULL,
    action        text NOT NULL,
    subject_type  text NOT NULL,
    subject_id    text NOT NULL,
    before        jsonb,
    after         jsonb
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_subject_idx ON audit_log (subject_type, subject_id, at DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, at DESC);
CREATE INDEX audit_log_action_idx ON audit_log (action, at DESC);

CREATE TABLE stock_movements (
    id              bigserial PRIMARY KEY,
    product_id      uuid NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    branch_id       uuid NOT NULL REFERENCES branches (id) ON DELETE CASCADE,
    delta           integer NOT NULL,
    quantity_after  integer NOT NULL CHECK (quantity_after >= 0),
    reason          text NOT NULL DEFAULT '',
    actor_id        uuid REFERENCES accounts (id) ON DELETE SET NULL,
    at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stock_movements_stock_idx ON stock_movements (product_id, branch_id, at DESC);
CREATE INDEX stock_movements_branch_idx ON stock_movements (branch_id, at DESC);
