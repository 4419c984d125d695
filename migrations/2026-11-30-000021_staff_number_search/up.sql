-- Staff search every number, whatever its state, by pattern and status: a trigram index for
-- digits anywhere, and status with the number for a state's list in order.
CREATE INDEX numbers_all_trgm_idx ON numbers USING gin (msisdn gin_trgm_ops);
CREATE INDEX numbers_status_idx ON numbers (status, msisdn);

-- Staff take numbers out of the pool and put them back; the number's history says so.
ALTER TABLE number_events DROP CONSTRAINT number_events_event_check;
ALTER TABLE number_events ADD CONSTRAINT number_events_event_check
    CHECK (event IN ('reminded', 'lapsed', 'retired', 'released'));
