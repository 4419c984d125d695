-- Numbers are digits: in byte order ("C") one btree serves a prefix `LIKE '88%'`, the list's
-- order and its LIMIT, so a page of a broad search stops after its rows instead of sorting
-- every match.
ALTER TABLE numbers ALTER COLUMN msisdn TYPE text COLLATE "C";
DROP INDEX numbers_open_prefix_idx;
CREATE INDEX numbers_open_idx ON numbers (msisdn) WHERE status IN ('available', 'held');
