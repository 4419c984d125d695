DELETE FROM auth_attempts WHERE kind = 'password_change';
ALTER TABLE auth_attempts DROP CONSTRAINT auth_attempts_kind_check;
ALTER TABLE auth_attempts ADD CONSTRAINT auth_attempts_kind_check CHECK (kind IN ('login', 'register', 'reset'));
