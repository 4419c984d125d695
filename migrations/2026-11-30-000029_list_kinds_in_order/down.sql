DROP INDEX products_kinds_grouped_idx;
ALTER TABLE products DROP COLUMN kind_rank;
