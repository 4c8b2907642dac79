-- Seats in a row of their own. The counters used to live on the conference row, so every
-- registration locked it (with its audit and outbox triggers) from the first statement to the
-- commit's flush. This narrow row, without triggers, is the only row all registrations of a
-- conference share; a self-registration locks it as late as it can (see
-- db::seats::take_self_registration) and releases it without waiting for the disk.
--
-- It also keeps copies of the conference columns that decide whether a self-registration may
-- take a seat at all (status, mode, window, capacity, waitlist). A self-registration does not
-- lock the conference row; the copies are what it re-checks under this row's lock, so a
-- registration committed after an organizer closed registration, lowered the capacity or
-- turned off the waitlist cannot happen: the organizer's update rewrites this row through the
-- trigger below, and waits for (or is waited for by) every registration holding it.
CREATE TABLE conference_seats (
    conference_id          uuid PRIMARY KEY REFERENCES conferences (id) ON DELETE CASCADE,
    confirmed_count        integer NOT NULL DEFAULT 0 CHECK (confirmed_count >= 0),
    registration_seq       integer NOT NULL DEFAULT 0 CHECK (registration_seq >= 0),
    capacity               integer,
    waitlist_enabled       boolean NOT NULL,
    status                 text NOT NULL,
    registration_mode      text NOT NULL,
    registration_opens_at  timestamptz,
    -- The effective close: registration_closes_at, or the conference's end.
    registration_closes_at timestamptz NOT NULL,
    CONSTRAINT conference_seats_within_capacity CHECK (capacity IS NULL OR confirmed_count <= capacity)
);

INSERT INTO conference_seats (conference_id, confirmed_count, registration_seq, capacity,
                              waitlist_enabled, status, registration_mode,
                              registration_opens_at, registration_closes_at)
SELECT id, confirmed_count, registration_seq, capacity, waitlist_enabled, status,
       registration_mode, registration_opens_at, coalesce(registration_closes_at, ends_at)
FROM conferences;

ALTER TABLE conferences
    DROP CONSTRAINT conferences_within_capacity,
    DROP COLUMN confirmed_count,
    DROP COLUMN registration_seq;

CREATE FUNCTION conference_seats_copy() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO conference_seats (conference_id, capacity, waitlist_enabled, status,
                                      registration_mode, registration_opens_at,
                                      registration_closes_at)
        VALUES (NEW.id, NEW.capacity, NEW.waitlist_enabled, NEW.status, NEW.registration_mode,
                NEW.registration_opens_at, coalesce(NEW.registration_closes_at, NEW.ends_at));
    ELSIF (NEW.capacity, NEW.waitlist_enabled, NEW.status, NEW.registration_mode,
           NEW.registration_opens_at, NEW.registration_closes_at, NEW.ends_at)
          IS DISTINCT FROM
          (OLD.capacity, OLD.waitlist_enabled, OLD.status, OLD.registration_mode,
           OLD.registration_opens_at, OLD.registration_closes_at, OLD.ends_at) THEN
        UPDATE conference_seats
        SET capacity = NEW.capacity,
            waitlist_enabled = NEW.waitlist_enabled,
            status = NEW.status,
            registration_mode = NEW.registration_mode,
            registration_opens_at = NEW.registration_opens_at,
            registration_closes_at = coalesce(NEW.registration_closes_at, NEW.ends_at)
        WHERE conference_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER conference_seats_copy AFTER INSERT OR UPDATE ON conferences
    FOR EACH ROW EXECUTE FUNCTION conference_seats_copy();

-- The audit trigger named the counters as columns to ignore; they are gone from the table.
DROP TRIGGER audit ON conferences;
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON conferences FOR EACH ROW
    EXECUTE FUNCTION audit_row_change('version', 'updated_at', 'search_text');
