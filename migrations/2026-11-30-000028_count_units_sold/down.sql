DROP INDEX products_sold_idx;
DROP TRIGGER orders_units_sold ON orders;
DROP FUNCTION orders_count_units_sold();
ALTER TABLE products DROP COLUMN sold;
