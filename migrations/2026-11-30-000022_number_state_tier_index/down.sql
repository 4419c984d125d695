DROP INDEX numbers_status_tier_idx;
CREATE INDEX numbers_status_idx ON numbers (status, msisdn);
