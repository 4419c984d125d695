DELETE FROM auth_attempts WHERE kind = 'coupon';
ALTER TABLE auth_attempts DROP CONSTRAINT auth_attempts_kind_check;
ALTER TABLE auth_attempts ADD CONSTRAINT auth_attempts_kind_check
    CHECK (kind IN ('login', 'register', 'reset', 'password_change', 'sim_code'));
