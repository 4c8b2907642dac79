-- Name search that ignores word order and missing middle names: every query word must be a
-- prefix of a word of the folded name (or of the folded unit, reference, email and phone).
-- The application writes `name_folded` with the same fold as `search_text` (src/domain/text.rs);
-- the word vectors are derived from those two columns, word for word (no parser, no stemming).
ALTER TABLE registrations ADD COLUMN name_folded text NOT NULL DEFAULT '';

-- Existing rows: NFD, combining marks dropped, đ → d, lower case, spaces collapsed; the same
-- result as the Rust fold for Vietnamese names. New writes come from the application.
UPDATE registrations
SET name_folded = lower(translate(
        regexp_replace(btrim(regexp_replace(normalize(full_name, NFD), '[\u0300-\u036f]', '', 'g')), '\s+', ' ', 'g'),
        'đĐ', 'dd'));

ALTER TABLE registrations ALTER COLUMN name_folded DROP DEFAULT,
    ADD COLUMN name_words tsvector GENERATED ALWAYS AS
        (array_to_tsvector(string_to_array(name_folded, ' '))) STORED,
    ADD COLUMN search_words tsvector GENERATED ALWAYS AS
        (array_to_tsvector(string_to_array(search_text, ' '))) STORED;

-- No pending list (fastupdate): after an import of 100,000 delegates it held hundreds of pages
-- that every search scanned linearly until the next vacuum (3 to 9 ms a lookup instead of
-- microseconds). Inserts pay for it instead, once.
CREATE INDEX registrations_name_words_idx ON registrations USING gin (name_words) WITH (fastupdate = off);
CREATE INDEX registrations_search_words_idx ON registrations USING gin (search_words) WITH (fastupdate = off);
-- The exact full-name match, ranked first.
CREATE INDEX registrations_name_folded_idx ON registrations (conference_id, name_folded);
-- Substring search on registrations is gone; conferences and units keep their trigram indexes.
DROP INDEX registrations_search_trgm_idx;
