CREATE INDEX checkins_conference_idx ON checkins (conference_id, received_at);
DROP INDEX checkins_changes_idx;
DROP TRIGGER checkins_changed ON checkins;
ALTER TABLE checkins DROP COLUMN changed_xid;
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
DROP FUNCTION checkin_record_batch(uuid, uuid, uuid[], uuid[], uuid[], uuid[], bytea[], uuid[], text[], timestamptz[], integer);
DROP FUNCTION checkin_scan(bytea, uuid, uuid, uuid, uuid, bytea, uuid, text, text, timestamptz, integer);
DROP FUNCTION checkin_device_seen(bytea);
DROP FUNCTION checkin_record(uuid, uuid, uuid[], uuid, uuid, uuid, bytea, uuid, text, text, timestamptz, integer);
DROP FUNCTION checkin_conflict(text, text, timestamptz);
DROP FUNCTION checkin_replay(uuid, uuid);
DROP FUNCTION checkin_result(checkins, boolean, json);
