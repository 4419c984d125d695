DROP INDEX carts_guest_idle_idx;
DROP INDEX browser_sessions_expires_idx;
DROP INDEX password_resets_expires_idx;
DROP INDEX api_tokens_expires_idx;
