-- A product's first picture kept with it, so a card in any list shows it without a join: its
-- id, size, alternative texts and files (width, hash, type; narrowest first). Kept by triggers,
-- so every way a picture comes or goes (an upload, a removal, a product deleted) keeps it.
ALTER TABLE products ADD COLUMN cover jsonb;

CREATE FUNCTION product_cover(p_product uuid) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
               'id', i.id, 'width', i.width, 'height', i.height, 'alt_mn', i.alt_mn, 'alt_en', i.alt_en,
               'files', (SELECT coalesce(jsonb_agg(jsonb_build_array(f.width, f.hash, f.content_type)
                                                   ORDER BY f.width), '[]'::jsonb)
                         FROM image_files f WHERE f.image_id = i.id))
    FROM product_images i WHERE i.product_id = p_product
    ORDER BY i.position, i.created_at LIMIT 1
$$;

CREATE FUNCTION image_files_refresh_cover() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE products p SET cover = product_cover(p.id)
    WHERE p.id = (SELECT i.product_id FROM product_images i WHERE i.id = NEW.image_id);
    RETURN NULL;
END $$;

CREATE TRIGGER image_files_cover AFTER INSERT ON image_files
    FOR EACH ROW EXECUTE FUNCTION image_files_refresh_cover();

CREATE FUNCTION product_images_refresh_cover() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE products p SET cover = product_cover(p.id) WHERE p.id = OLD.product_id;
    RETURN NULL;
END $$;

CREATE TRIGGER product_images_cover AFTER DELETE OR UPDATE OF position, alt_mn, alt_en ON product_images
    FOR EACH ROW EXECUTE FUNCTION product_images_refresh_cover();

UPDATE products p SET cover = product_cover(p.id)
WHERE EXISTS (SELECT 1 FROM product_images i WHERE i.product_id = p.id);
