-- The directory of units (đơn vị): agencies, districts, communes, enterprises.
CREATE TABLE units (
    id             uuid PRIMARY KEY,
    name           text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 300),
    kind           text NOT NULL CHECK (kind IN ('agency', 'district', 'commune', 'enterprise', 'other')),
    parent_id      uuid REFERENCES units (id),
    admin_code     text CHECK (char_length(admin_code) BETWEEN 1 AND 20),
    address        text CHECK (char_length(address) <= 500),
    contact_person text CHECK (char_length(contact_person) <= 200),
    phone          text CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
    email          text CHECK (char_length(email) <= 254),
    -- Accent- and case-folded name (see text::fold), for search and import matching.
    search_name    text NOT NULL,
    version        integer NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT units_not_own_parent CHECK (parent_id <> id),
    CONSTRAINT units_admin_code_key UNIQUE (admin_code)
);
-- Two units under the same parent cannot share a name (same-named communes in different
-- districts are fine).
CREATE UNIQUE INDEX units_name_per_parent_key
    ON units (coalesce(parent_id, '00000000-0000-0000-0000-000000000000'::uuid), search_name);
CREATE INDEX units_parent_idx ON units (parent_id);
CREATE INDEX units_created_at_id_idx ON units (created_at, id);
CREATE INDEX units_search_trgm_idx ON units USING gin (search_name gin_trgm_ops);

-- No cycles in the hierarchy, whatever the number of replicas: parent changes are
-- serialised by an advisory lock and checked against the ancestors of the new parent.
CREATE FUNCTION units_reject_cycles() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.parent_id IS NULL THEN
        RETURN NEW;
    END IF;
    PERFORM pg_advisory_xact_lock(7370826);
    IF EXISTS (
        WITH RECURSIVE ancestors(id) AS (
            SELECT NEW.parent_id
            UNION
            SELECT u.parent_id FROM units u JOIN ancestors a ON u.id = a.id WHERE u.parent_id IS NOT NULL
        )
        SELECT 1 FROM ancestors WHERE id = NEW.id
    ) THEN
        RAISE EXCEPTION 'unit % would be its own ancestor', NEW.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'units_no_cycles';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER units_no_cycles
    BEFORE INSERT OR UPDATE OF parent_id ON units
    FOR EACH ROW EXECUTE FUNCTION units_reject_cycles();
