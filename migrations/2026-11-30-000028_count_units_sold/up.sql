-- How many units of a product have been paid for, the shop's "popular" order. Counted when an
-- order's payment turns to paid (by a trigger, so the payment path need not know the catalog),
-- never taken back: a refund does not make a product less wanted.
ALTER TABLE products ADD COLUMN sold integer NOT NULL DEFAULT 0;

UPDATE products p SET sold = s.units
FROM (SELECT i.product_id, sum(i.quantity)::int AS units
      FROM order_items i JOIN orders o ON o.id = i.order_id
      WHERE o.payment_status <> 'unpaid'
      GROUP BY i.product_id) s
WHERE p.id = s.product_id;

CREATE FUNCTION orders_count_units_sold() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE products p SET sold = p.sold + s.units
    FROM (SELECT product_id, sum(quantity)::int AS units FROM order_items
          WHERE order_id = NEW.id GROUP BY product_id) s
    WHERE p.id = s.product_id;
    RETURN NULL;
END $$;

CREATE TRIGGER orders_units_sold AFTER UPDATE OF payment_status ON orders
    FOR EACH ROW WHEN (OLD.payment_status = 'unpaid' AND NEW.payment_status = 'paid')
    EXECUTE FUNCTION orders_count_units_sold();

CREATE INDEX products_sold_idx ON products (sold DESC) WHERE active;
