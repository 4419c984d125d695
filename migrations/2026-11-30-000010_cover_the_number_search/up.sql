-- The number search reads its filters (tier, status, hold) from the index itself: a page and
-- its total over a million numbers are index-only scans, without a visit to the table.
CREATE INDEX numbers_open_cover_idx ON numbers (msisdn) INCLUDE (tier, status, held_until)
    WHERE status IN ('available', 'held');
CREATE INDEX numbers_open_suffix_cover_idx ON numbers (reverse(msisdn) text_pattern_ops)
    INCLUDE (msisdn, tier, status, held_until) WHERE status IN ('available', 'held');
DROP INDEX numbers_open_idx;
DROP INDEX numbers_open_suffix_idx;
