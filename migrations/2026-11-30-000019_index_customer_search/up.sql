-- Staff find customers by the start of their email.
CREATE INDEX accounts_email_search_idx ON accounts (email text_pattern_ops);
