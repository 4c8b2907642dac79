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

-- The seat rule, in SQL for the one path that decides inside the database (self-registration,
-- below). Its definition is domain::seats::decide in Rust; tests/api/seat_functions.rs checks
-- that the two agree on every combination.
CREATE FUNCTION seat_decision(p_capacity integer, p_confirmed integer, p_waitlist boolean,
                              p_approval_required boolean) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN p_approval_required THEN 'pending_approval'
        WHEN p_capacity IS NULL OR p_confirmed < p_capacity THEN 'confirmed'
        WHEN p_waitlist THEN 'waitlisted'
        ELSE 'refused'
    END
$$;

-- A registration's reference from the conference's prefix and its number, as
-- domain::common::reference writes it (checked by the same tests): SXSH-0042, SXSH-12345.
CREATE FUNCTION registration_reference(p_prefix text, p_number integer) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT p_prefix || '-' || CASE WHEN p_number < 10000 THEN lpad(p_number::text, 4, '0')
                                   ELSE p_number::text END
$$;

-- One online self-registration, in one statement run outside any transaction block, so that
-- the seat row is locked only while this function runs: no round trip to the application
-- while it is held, and the commit at the end of the statement does not wait for the WAL
-- flush (the application waits for it afterwards, before answering: db::durability).
--
-- The application has checked everything else before the call: the person, the consent, and
-- the conference's status, mode and window. It passes the four values it checked; if the seat
-- row's copies differ (an organizer's change committed meanwhile), nothing is written and the
-- outcome is `conference_changed`: the application checks again. Otherwise the seat rule
-- decides (`capacity_reached` when the conference is full without a waitlist), the next number
-- is taken, and the row is written with its reference in the search text (where the
-- application put chr(1)), the database clock as its waitlist time, and the consent; the
-- delegate's link is attached to the email the insert queued.
CREATE FUNCTION self_register_v1(
    p_conference_id uuid, p_seen_status text, p_seen_mode text, p_seen_opens_at timestamptz,
    p_seen_closes_at timestamptz, p_id uuid, p_full_name text, p_position text, p_unit_id uuid,
    p_organization text, p_category text, p_email text, p_phone text, p_search_text text,
    p_name_folded text, p_language text, p_reference_prefix text, p_qr_secret text,
    p_delegate_token_hash bytea, p_notice_version integer, p_delegate_token text)
RETURNS TABLE (o_outcome text, o_number integer, o_status text, o_waitlisted_at timestamptz,
               o_version integer, o_created_at timestamptz, o_updated_at timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
    s conference_seats;
    v_status text;
    v_number integer;
BEGIN
    PERFORM set_config('synchronous_commit', 'off', true);
    SELECT * INTO s FROM conference_seats c WHERE c.conference_id = p_conference_id FOR UPDATE;
    IF NOT FOUND
       OR (s.status, s.registration_mode, s.registration_opens_at, s.registration_closes_at)
          IS DISTINCT FROM (p_seen_status, p_seen_mode, p_seen_opens_at, p_seen_closes_at) THEN
        o_outcome := 'conference_changed';
        RETURN NEXT;
        RETURN;
    END IF;
    v_status := seat_decision(s.capacity, s.confirmed_count, s.waitlist_enabled,
                              s.registration_mode = 'approval_required');
    IF v_status = 'refused' THEN
        o_outcome := 'capacity_reached';
        RETURN NEXT;
        RETURN;
    END IF;
    v_number := s.registration_seq + 1;
    UPDATE conference_seats c
    SET registration_seq = v_number,
        confirmed_count = c.confirmed_count + (v_status = 'confirmed')::integer
    WHERE c.conference_id = p_conference_id;
    INSERT INTO registrations AS r (id, conference_id, number, full_name, position, unit_id,
        organization, category, email, phone, search_text, name_folded, language, status, source,
        qr_secret, delegate_token_hash, waitlisted_at, legal_basis, consent_notice_version,
        consent_at)
    VALUES (p_id, p_conference_id, v_number, p_full_name, p_position, p_unit_id, p_organization,
        p_category, p_email, p_phone,
        replace(p_search_text, chr(1), lower(registration_reference(p_reference_prefix, v_number))),
        p_name_folded, p_language, v_status, 'self', p_qr_secret, p_delegate_token_hash,
        CASE WHEN v_status = 'waitlisted' THEN clock_timestamp() END,
        'consent', p_notice_version, now())
    RETURNING 'ok', r.number, r.status, r.waitlisted_at, r.version, r.created_at, r.updated_at
    INTO o_outcome, o_number, o_status, o_waitlisted_at, o_version, o_created_at, o_updated_at;
    -- The insert's trigger queued the delegate's email (when there is an address); it carries
    -- the link only this call knows (as db::outbox::attach_link_tokens does for the others).
    IF p_email IS NOT NULL THEN
        UPDATE outbox o SET link_token = p_delegate_token
        WHERE o.registration_id = p_id AND o.channel = 'email' AND o.link_token IS NULL
          AND o.state = 'pending';
    END IF;
    RETURN NEXT;
END
$$;
