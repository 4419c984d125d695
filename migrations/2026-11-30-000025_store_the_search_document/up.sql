-- What a search reads of a product, kept with it: its names and slug, its kind, and its
-- category's and that category's parent's names and slugs, lower-cased. Computed per row at
-- every search it made the search page three times slower than the list; kept by triggers it
-- is one column, indexed for trigram matching.
ALTER TABLE products ADD COLUMN search_doc text NOT NULL DEFAULT '';

CREATE FUNCTION product_search_doc(p_search_text text, p_kind text, p_category uuid) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT p_search_text || ' ' || replace(p_kind, '_', '-') || ' ' || coalesce((
        SELECT lower(c.name_mn || ' ' || c.name_en || ' ' || c.slug || ' '
                     || coalesce(pc.name_mn || ' ' || pc.name_en || ' ' || pc.slug, ''))
        FROM categories c LEFT JOIN categories pc ON pc.id = c.parent_id WHERE c.id = p_category), '')
$$;

CREATE FUNCTION products_keep_search_doc() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_doc := product_search_doc(lower(NEW.name_mn || ' ' || NEW.name_en || ' ' || NEW.slug),
                                         NEW.kind, NEW.category_id);
    RETURN NEW;
END $$;

CREATE TRIGGER products_search_doc BEFORE INSERT OR UPDATE OF name_mn, name_en, slug, kind, category_id
    ON products FOR EACH ROW EXECUTE FUNCTION products_keep_search_doc();

-- A category renamed or moved changes the documents of its products and its children's.
CREATE FUNCTION categories_refresh_search_docs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE products p SET search_doc = product_search_doc(p.search_text, p.kind, p.category_id)
    WHERE p.category_id = NEW.id OR p.category_id IN (SELECT id FROM categories WHERE parent_id = NEW.id);
    RETURN NULL;
END $$;

CREATE TRIGGER categories_search_docs AFTER UPDATE OF name_mn, name_en, slug, parent_id
    ON categories FOR EACH ROW EXECUTE FUNCTION categories_refresh_search_docs();

UPDATE products SET search_doc = product_search_doc(search_text, kind, category_id);
CREATE INDEX products_search_doc_trgm_idx ON products USING gin (search_doc gin_trgm_ops);
