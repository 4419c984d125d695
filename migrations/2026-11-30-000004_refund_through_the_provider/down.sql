DROP TABLE sandbox_refunds;
DELETE FROM jobs WHERE queue = 'payments';
ALTER TABLE jobs DROP CONSTRAINT jobs_queue_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_queue_check CHECK (queue IN ('mail', 'operator'));
