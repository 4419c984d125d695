DROP INDEX numbers_open_window2_idx;
DROP INDEX numbers_open_window3_idx;
DROP INDEX numbers_open_window4_idx;
DROP INDEX numbers_open_window5_idx;
CREATE INDEX numbers_open_suffix_cover_idx ON numbers (reverse(msisdn) text_pattern_ops)
    INCLUDE (msisdn, tier, status, held_until) WHERE status IN ('available', 'held');
