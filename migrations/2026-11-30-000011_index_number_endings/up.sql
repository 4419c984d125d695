-- A search with both a start and an end (`88*11`) walks the numbers ending in the same two
-- digits in number order, from the start's range: its page stops after its rows.
CREATE INDEX numbers_open_tail_idx ON numbers (right(msisdn, 2), msisdn) INCLUDE (tier, status, held_until)
    WHERE status IN ('available', 'held');
