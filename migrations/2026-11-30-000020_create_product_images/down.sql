DROP TABLE image_files;
DROP TABLE product_images;
