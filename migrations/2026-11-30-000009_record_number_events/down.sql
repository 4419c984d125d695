DROP INDEX numbers_remind_idx;
DROP TABLE number_events;
