DROP INDEX orders_branch_idx;
DROP INDEX orders_phone_search_idx;
DROP INDEX orders_email_search_idx;
