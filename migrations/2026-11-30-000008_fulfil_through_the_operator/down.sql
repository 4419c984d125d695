DROP TABLE sandbox_operator_ledger;
DROP TABLE sandbox_subscribers;
ALTER TABLE order_items DROP COLUMN failure, DROP COLUMN fulfilled_at;
