-- Unknown coupon codes are limited per shopper and per address, like wrong SIM codes: a
-- generated code must not be found by trying one after another.
ALTER TABLE auth_attempts DROP CONSTRAINT auth_attempts_kind_check;
ALTER TABLE auth_attempts ADD CONSTRAINT auth_attempts_kind_check
    CHECK (kind IN ('login', 'register', 'reset', 'password_change', 'sim_code', 'coupon'));
