-- A disabled account signs in no more: its sessions and tokens stop working at once.
ALTER TABLE accounts ADD COLUMN disabled_at timestamptz;
CREATE INDEX accounts_staff_idx ON accounts (role, email) WHERE role <> 'customer';
