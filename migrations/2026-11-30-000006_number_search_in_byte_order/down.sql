DROP INDEX numbers_open_idx;
ALTER TABLE numbers ALTER COLUMN msisdn TYPE text COLLATE "default";
CREATE INDEX numbers_open_prefix_idx ON numbers (msisdn text_pattern_ops) WHERE status IN ('available', 'held');
