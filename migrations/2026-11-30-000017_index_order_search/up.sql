-- Staff find orders by the buyer's email (its start, any case) and by the delivery phone
-- (its 8 digits, however it was typed).
CREATE INDEX orders_email_search_idx ON orders (lower(email) text_pattern_ops);
CREATE INDEX orders_phone_search_idx ON orders ((regexp_replace(delivery_address ->> 'phone', '[^0-9]', '', 'g')))
    WHERE delivery_address IS NOT NULL;
CREATE INDEX orders_branch_idx ON orders (branch_id, created_at DESC) WHERE branch_id IS NOT NULL;
