CREATE INDEX numbers_open_idx ON numbers (msisdn) WHERE status IN ('available', 'held');
CREATE INDEX numbers_open_suffix_idx ON numbers (reverse(msisdn) text_pattern_ops) WHERE status IN ('available', 'held');
DROP INDEX numbers_open_suffix_cover_idx;
DROP INDEX numbers_open_cover_idx;
