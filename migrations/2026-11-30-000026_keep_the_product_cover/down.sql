DROP TRIGGER product_images_cover ON product_images;
DROP FUNCTION product_images_refresh_cover();
DROP TRIGGER image_files_cover ON image_files;
DROP FUNCTION image_files_refresh_cover();
DROP FUNCTION product_cover(uuid);
ALTER TABLE products DROP COLUMN cover;
