DROP INDEX accounts_staff_idx;
ALTER TABLE accounts DROP COLUMN disabled_at;
