-- Pruning (`domain::pruning`) deletes along these, a batch at a time.
CREATE INDEX api_tokens_expires_idx ON api_tokens (expires_at);
CREATE INDEX password_resets_expires_idx ON password_resets (expires_at);
CREATE INDEX browser_sessions_expires_idx ON browser_sessions (expires_at);
CREATE INDEX carts_guest_idle_idx ON carts (updated_at) WHERE account_id IS NULL AND status IN ('open', 'merged');
