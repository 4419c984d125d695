ALTER TABLE order_items DROP COLUMN discount;
ALTER TABLE carts DROP COLUMN coupon_ids;
DROP TABLE coupon_redemptions;
DROP TABLE coupon_codes;
DROP TABLE campaigns;
