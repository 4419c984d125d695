-- A state and a tier together (sold gold numbers) are found and counted in the index alone,
-- instead of visiting every number of the state to read its tier.
DROP INDEX numbers_status_idx;
CREATE INDEX numbers_status_tier_idx ON numbers (status, tier, msisdn);
