DELETE FROM number_events WHERE event IN ('retired', 'released');
ALTER TABLE number_events DROP CONSTRAINT number_events_event_check;
ALTER TABLE number_events ADD CONSTRAINT number_events_event_check CHECK (event IN ('reminded', 'lapsed'));
DROP INDEX numbers_status_idx;
DROP INDEX numbers_all_trgm_idx;
