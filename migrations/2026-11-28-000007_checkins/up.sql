-- Check-in devices: a phone at a door, holding a revocable token (only its hash is stored).
CREATE TABLE checkin_devices (
    id            uuid PRIMARY KEY,
    conference_id uuid NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    name          text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    gate          text CHECK (char_length(gate) <= 100),
    -- Sessions this device serves; empty means the door and every session.
    session_ids   uuid[] NOT NULL DEFAULT '{}',
    token_hash    bytea NOT NULL UNIQUE,
    revoked_at    timestamptz,
    last_seen_at  timestamptz,
    created_by    uuid REFERENCES accounts (id),
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX checkin_devices_conference_idx ON checkin_devices (conference_id, created_at);

-- Every scan, accepted or not; history is never deleted (undo marks a row).
CREATE TABLE checkins (
    id              uuid PRIMARY KEY,
    conference_id   uuid NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    registration_id uuid REFERENCES registrations (id) ON DELETE CASCADE,
    session_id      uuid REFERENCES conference_sessions (id) ON DELETE CASCADE,
    device_id       uuid REFERENCES checkin_devices (id),
    -- The client's scan UUID: the same nonce twice is one scan.
    nonce           uuid NOT NULL UNIQUE,
    direction       text NOT NULL CHECK (direction IN ('in', 'out')),
    outcome         text NOT NULL CHECK (outcome IN ('ok', 'already_checked_in', 'cancelled', 'pending_approval',
                    'waitlisted', 'unknown_code', 'other_conference', 'not_signed_up_for_session', 'outside_window')),
    method          text NOT NULL CHECK (method IN ('scan', 'manual', 'offline')),
    -- Offline scans are recorded even when the server would have refused them: why they conflict.
    conflict        text CHECK (char_length(conflict) <= 100),
    occurred_at     timestamptz NOT NULL,
    received_at     timestamptz NOT NULL DEFAULT now(),
    -- Door time's calendar date in the conference's time zone: the door counts once a day.
    local_day       date NOT NULL,
    undone_at       timestamptz,
    undone_by       uuid REFERENCES accounts (id),
    undo_reason     text CHECK (char_length(undo_reason) <= 500),
    CONSTRAINT checkins_undo_complete CHECK ((undone_at IS NULL) = (undo_reason IS NULL))
);
-- At most one live successful entry per registration per session, and per local day at the door.
CREATE UNIQUE INDEX checkins_once ON checkins (
    registration_id,
    coalesce(session_id, '00000000-0000-0000-0000-000000000000'::uuid),
    (CASE WHEN session_id IS NULL THEN local_day ELSE DATE '1970-01-01' END)
) WHERE outcome = 'ok' AND direction = 'in' AND undone_at IS NULL;
CREATE INDEX checkins_conference_idx ON checkins (conference_id, received_at);
CREATE INDEX checkins_registration_idx ON checkins (registration_id);
CREATE INDEX checkins_device_idx ON checkins (device_id);

-- Offline bundles: every registration row remembers the transaction that last changed it, so a
-- device asking "what changed since watermark W" (W = the oldest transaction still running
-- when it last read) misses nothing, whatever order concurrent transactions commit in.
ALTER TABLE registrations ADD COLUMN changed_xid bigint NOT NULL DEFAULT (pg_current_xact_id()::text::bigint);
CREATE FUNCTION registrations_stamp_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.changed_xid := pg_current_xact_id()::text::bigint;
    RETURN NEW;
END $$;
CREATE TRIGGER registrations_changed BEFORE UPDATE ON registrations
    FOR EACH ROW EXECUTE FUNCTION registrations_stamp_change();
CREATE INDEX registrations_changes_idx ON registrations (conference_id, changed_xid);

-- Live dashboards listen on this channel (through any replica): ids and outcomes only, no
-- personal data.
CREATE FUNCTION checkins_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('hoithao_checkins', json_build_object(
        'conference_id', NEW.conference_id, 'checkin_id', NEW.id, 'registration_id', NEW.registration_id,
        'session_id', NEW.session_id, 'direction', NEW.direction, 'outcome', NEW.outcome,
        'method', NEW.method, 'occurred_at', NEW.occurred_at, 'undone', NEW.undone_at IS NOT NULL)::text);
    RETURN NEW;
END $$;
CREATE TRIGGER checkins_notify AFTER INSERT OR UPDATE ON checkins
    FOR EACH ROW EXECUTE FUNCTION checkins_notify();
