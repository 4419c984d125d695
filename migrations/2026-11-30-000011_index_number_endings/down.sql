DROP INDEX numbers_open_tail_idx;
