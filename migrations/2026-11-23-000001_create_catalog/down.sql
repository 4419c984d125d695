DROP TABLE stock;
DROP TABLE branches;
DROP TABLE products;
DROP TABLE categories;
