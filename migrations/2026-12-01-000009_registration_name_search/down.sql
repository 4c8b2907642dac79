CREATE INDEX registrations_search_trgm_idx ON registrations USING gin (search_text gin_trgm_ops);
DROP INDEX registrations_name_folded_idx;
DROP INDEX registrations_search_words_idx;
DROP INDEX registrations_name_words_idx;
ALTER TABLE registrations DROP COLUMN search_words, DROP COLUMN name_words, DROP COLUMN name_folded;
