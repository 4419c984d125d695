DROP TRIGGER categories_search_docs ON categories;
DROP FUNCTION categories_refresh_search_docs();
DROP TRIGGER products_search_doc ON products;
DROP FUNCTION products_keep_search_doc();
DROP FUNCTION product_search_doc(text, text, uuid);
ALTER TABLE products DROP COLUMN search_doc;
