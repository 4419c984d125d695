ALTER TABLE branches DROP CONSTRAINT branches_hours_order, DROP CONSTRAINT branches_hours_both,
    DROP COLUMN closes_at, DROP COLUMN opens_at, DROP COLUMN open_days;
