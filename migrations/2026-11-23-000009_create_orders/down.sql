DROP TABLE order_events; DROP TABLE order_items; DROP TABLE orders; DROP SEQUENCE order_number_seq;
