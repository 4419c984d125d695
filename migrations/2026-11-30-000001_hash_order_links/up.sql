-- An order's tracking link carries a secret; like API and reset tokens, only its SHA-256 is
-- kept now. Each link handed out (the guest's checkout answer, every mail as it is sent) has a
-- secret of its own, so a mail sent again, even days later, carries a link that works, while
-- the links already sent keep working.
CREATE TABLE order_links (
    token_hash  bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    order_id    uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX order_links_order_idx ON order_links (order_id);

-- The links already mailed keep working.
INSERT INTO order_links (token_hash, order_id, created_at)
SELECT sha256(convert_to(access_token, 'UTF8')), id, created_at FROM orders;

ALTER TABLE orders DROP COLUMN access_token;

-- No secret waits in the queue any more: a mail mints its link when it is sent. A reset mail
-- names its account instead of carrying the token.
UPDATE jobs SET payload = jsonb_set(payload - 'secret', '{account_id}', to_jsonb(a.id::text))
FROM accounts a
WHERE jobs.kind = 'password_reset' AND a.email = jobs.payload ->> 'to';
UPDATE jobs SET payload = payload - 'secret' WHERE payload ? 'secret';

-- Checkout answers kept under idempotency keys held the order with its secret.
UPDATE idempotency_keys
SET response_body = ((response_body::jsonb) #- '{order,access_token}')::text
WHERE status_code = 1 AND response_body LIKE '%"access_token"%';

-- Idempotency keys are kept as their SHA-256 (hex): a guest's link in a stored answer is
-- sealed under the key itself, which the database must therefore not hold.
UPDATE idempotency_keys SET key = encode(sha256(convert_to(key, 'UTF8')), 'hex');
