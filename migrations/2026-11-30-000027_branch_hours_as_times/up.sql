-- Opening hours a program can read, beside the texts shoppers read: the days a branch opens
-- (counted from Monday: 7 every day, 6 Monday to Saturday, 5 Monday to Friday) and the times it
-- opens and closes, Ulaanbaatar time. They say whether an order can be collected today. A
-- branch without them (times NULL) promises nothing.
ALTER TABLE branches
    ADD COLUMN open_days smallint NOT NULL DEFAULT 7 CHECK (open_days BETWEEN 1 AND 7),
    ADD COLUMN opens_at time,
    ADD COLUMN closes_at time,
    ADD CONSTRAINT branches_hours_both CHECK ((opens_at IS NULL) = (closes_at IS NULL)),
    ADD CONSTRAINT branches_hours_order CHECK (opens_at < closes_at);

UPDATE branches SET open_days = 7, opens_at = '09:00', closes_at = '21:00' WHERE slug = 'central';
UPDATE branches SET open_days = 7, opens_at = '10:00', closes_at = '20:00' WHERE slug = 'zaisan';
UPDATE branches SET open_days = 6, opens_at = '09:00', closes_at = '20:00' WHERE slug = '3-4-khoroolol';
UPDATE branches SET open_days = 6, opens_at = '10:00', closes_at = '19:00' WHERE slug = '13-khoroolol';
UPDATE branches SET open_days = 5, opens_at = '08:00', closes_at = '18:00' WHERE delivery_warehouse;
