-- A product's pictures, uploaded by staff: each checked, decoded and written again (no
-- metadata kept) at a few widths for `srcset`.
CREATE TABLE product_images (
    id uuid PRIMARY KEY,
    product_id uuid NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    position integer NOT NULL DEFAULT 0,
    alt_mn text NOT NULL DEFAULT '',
    alt_en text NOT NULL DEFAULT '',
    width integer NOT NULL CHECK (width > 0),
    height integer NOT NULL CHECK (height > 0),
    created_by uuid REFERENCES accounts (id),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX product_images_product_idx ON product_images (product_id, position, created_at);

-- The files served: named by the hash of their bytes, so a name always means the same bytes
-- and browsers may keep them for good.
CREATE TABLE image_files (
    image_id uuid NOT NULL REFERENCES product_images (id) ON DELETE CASCADE,
    width integer NOT NULL CHECK (width > 0),
    height integer NOT NULL CHECK (height > 0),
    hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
    content_type text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png')),
    bytes bytea NOT NULL,
    PRIMARY KEY (image_id, width)
);
CREATE INDEX image_files_hash_idx ON image_files (hash);
