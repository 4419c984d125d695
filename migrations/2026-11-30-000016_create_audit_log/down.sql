DROP TABLE stock_movements;
DROP TABLE audit_log;
