-- A unit's name is part of every bundle entry of its delegates. Renaming the unit stamps them
-- as changed, like any other change of theirs: deltas then carry the new name, and the bundle's
-- ETag, a digest of the registrations' `changed_xid` (src/db/bundles.rs), moves with it.
CREATE FUNCTION units_stamp_registrations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE registrations SET changed_xid = pg_current_xact_id()::text::bigint WHERE unit_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER units_renamed AFTER UPDATE OF name ON units FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION units_stamp_registrations();
