-- A contains search (`2233`) looks the digits' first four up where they may start: the first
-- window is a range of the digits' own index; the other four have an index each, ordered by the
-- number, so a page merges five short index-only walks instead of rechecking trigram matches.
CREATE INDEX numbers_open_window2_idx ON numbers (substr(msisdn, 2, 4), msisdn) INCLUDE (tier, status, held_until)
    WHERE status IN ('available', 'held');
CREATE INDEX numbers_open_window3_idx ON numbers (substr(msisdn, 3, 4), msisdn) INCLUDE (tier, status, held_until)
    WHERE status IN ('available', 'held');
CREATE INDEX numbers_open_window4_idx ON numbers (substr(msisdn, 4, 4), msisdn) INCLUDE (tier, status, held_until)
    WHERE status IN ('available', 'held');
CREATE INDEX numbers_open_window5_idx ON numbers (substr(msisdn, 5, 4), msisdn) INCLUDE (tier, status, held_until)
    WHERE status IN ('available', 'held');
-- The last window serves a suffix of four or more digits in number order, where the reversed
-- digits' index needed a sort; shorter suffixes walk the endings' index.
DROP INDEX numbers_open_suffix_cover_idx;
