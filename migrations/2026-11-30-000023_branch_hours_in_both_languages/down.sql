ALTER TABLE branches DROP COLUMN opening_hours_mn;
ALTER TABLE branches RENAME COLUMN opening_hours_en TO opening_hours;
