CREATE INDEX numbers_open_trgm_idx ON numbers USING gin (msisdn gin_trgm_ops) WHERE status IN ('available', 'held');
