-- Shoppers and staff. Emails are stored trimmed and lower-cased, unique.
CREATE TABLE accounts (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email           text NOT NULL CHECK (email = lower(btrim(email)) AND email LIKE '%_@_%' AND length(email) <= 254),
    name            text NOT NULL DEFAULT '' CHECK (length(name) <= 200),
    password_hash   text NOT NULL,
    role            text NOT NULL DEFAULT 'customer' CHECK (role IN ('customer', 'staff', 'admin')),
    -- Bumped by a password change or "sign out everywhere": older session cookies stop working.
    session_epoch   integer NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX accounts_email_key ON accounts (email);
