-- The catalog: categories, products of every kind, branches and the device stock they hold.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE categories (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    parent_id   uuid REFERENCES categories (id) ON DELETE RESTRICT,
    name_mn     text NOT NULL CHECK (name_mn <> ''),
    name_en     text NOT NULL CHECK (name_en <> ''),
    position    integer NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (parent_id IS DISTINCT FROM id)
);
CREATE INDEX categories_parent_id_idx ON categories (parent_id);

CREATE TABLE products (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug            text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    kind            text NOT NULL CHECK (kind IN ('device', 'number', 'esim', 'data_pack', 'top_up', 'plan', 'service')),
    category_id     uuid NOT NULL REFERENCES categories (id) ON DELETE RESTRICT,
    name_mn         text NOT NULL CHECK (name_mn <> ''),
    name_en         text NOT NULL CHECK (name_en <> ''),
    description_mn  text NOT NULL DEFAULT '',
    description_en  text NOT NULL DEFAULT '',
    price           numeric(12, 2) NOT NULL CHECK (price >= 0),
    attributes      jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(attributes) = 'object'),
    featured        boolean NOT NULL DEFAULT false,
    active          boolean NOT NULL DEFAULT true,
    position        integer NOT NULL DEFAULT 0,
    -- What the search box matches: both names and the slug, lower-cased once on write.
    search_text     text GENERATED ALWAYS AS (lower(name_mn || ' ' || name_en || ' ' || slug)) STORED,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
-- The listing is ordered by (position, slug); these partial indexes serve the unfiltered,
-- per-kind and per-category pages without a sort.
CREATE INDEX products_listing_idx ON products (position, slug) WHERE active;
CREATE INDEX products_kind_listing_idx ON products (kind, position, slug) WHERE active;
CREATE INDEX products_category_listing_idx ON products (category_id, position, slug) WHERE active;
CREATE INDEX products_featured_idx ON products (position, slug) WHERE active AND featured;
CREATE INDEX products_search_trgm_idx ON products USING gin (search_text gin_trgm_ops);

CREATE TABLE branches (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug                text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    name_mn             text NOT NULL CHECK (name_mn <> ''),
    name_en             text NOT NULL CHECK (name_en <> ''),
    address_mn          text NOT NULL,
    address_en          text NOT NULL,
    opening_hours       text NOT NULL,
    pickup              boolean NOT NULL DEFAULT true,
    delivery_warehouse  boolean NOT NULL DEFAULT false,
    position            integer NOT NULL DEFAULT 0,
    created_at          timestamptz NOT NULL DEFAULT now()
);
-- Exactly one branch ships deliveries: at most one here, at least one kept by the code that moves the flag.
CREATE UNIQUE INDEX branches_one_delivery_warehouse_idx ON branches ((true)) WHERE delivery_warehouse;

CREATE TABLE stock (
    product_id  uuid NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    branch_id   uuid NOT NULL REFERENCES branches (id) ON DELETE CASCADE,
    quantity    integer NOT NULL CHECK (quantity >= 0),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (product_id, branch_id)
);
CREATE INDEX stock_branch_id_idx ON stock (branch_id);
