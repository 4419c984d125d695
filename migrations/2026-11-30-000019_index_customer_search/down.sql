DROP INDEX accounts_email_search_idx;
