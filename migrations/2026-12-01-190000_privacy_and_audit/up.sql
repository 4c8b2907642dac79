-- Personal data and accountability (issue 12): privacy notices and consent, erasure, retention
-- and an append-only audit log.

-- A conference's privacy notice, versioned: a change is a new version, and registrations keep
-- the version they accepted.
CREATE TABLE privacy_notices (
    conference_id uuid NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    version       integer NOT NULL CHECK (version > 0),
    text_vi       text NOT NULL CHECK (char_length(text_vi) BETWEEN 1 AND 20000),
    text_en       text CHECK (char_length(text_en) BETWEEN 1 AND 20000),
    created_by    uuid REFERENCES accounts (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (conference_id, version)
);

-- Every conference has a notice from its creation (version 1, a default text the organizers
-- replace), so self-registration can always ask for consent to a current version.
CREATE FUNCTION privacy_default_notice(p_conference uuid, p_created_by uuid) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO privacy_notices (conference_id, version, text_vi, text_en, created_by)
    VALUES (p_conference, 1,
        'Ban tổ chức thu thập họ tên, chức vụ, đơn vị, số điện thoại và thư điện tử của đại biểu để '
        'đăng ký, xác nhận và điểm danh tại hội thảo, theo Nghị định 13/2023/NĐ-CP. Dữ liệu được xoá '
        'sau khi hết thời hạn lưu trữ; đại biểu có thể xem và yêu cầu xoá dữ liệu của mình qua đường '
        'dẫn đăng ký.',
        'The organizers collect delegates'' names, positions, units, phone numbers and emails to '
        'register, confirm and check them in at the conference, under Decree 13/2023/ND-CP. The data '
        'is erased when the retention period ends; delegates can see and ask to erase their data '
        'through their registration link.',
        p_created_by)
    ON CONFLICT DO NOTHING
$$;
CREATE FUNCTION conferences_default_notice() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM privacy_default_notice(NEW.id, NEW.created_by);
    RETURN NULL;
END $$;
CREATE TRIGGER conferences_default_notice AFTER INSERT ON conferences
    FOR EACH ROW EXECUTE FUNCTION conferences_default_notice();
SELECT privacy_default_notice(id, created_by) FROM conferences;

-- Retention: days after the conference ends before its personal data is erased (NULL: the
-- server's default, HOITHAO_RETENTION_DAYS), and when that happened.
ALTER TABLE conferences
    ADD COLUMN retention_days integer CHECK (retention_days BETWEEN 0 AND 36500),
    ADD COLUMN personal_data_erased_at timestamptz;

-- Consent (self-registration: the notice version accepted and when) or the other legal basis
-- of a registration (entered by an organizer, imported, named by a unit's contact, a walk-in
-- registered at the door). Erasure leaves an anonymous row: `erased_at`, and who erased it.
ALTER TABLE registrations
    ADD COLUMN legal_basis text,
    ADD COLUMN consent_notice_version integer,
    ADD COLUMN consent_at timestamptz,
    ADD COLUMN erased_at timestamptz,
    ADD COLUMN erased_by text CHECK (erased_by IN ('organizer', 'delegate', 'retention')),
    ADD COLUMN erased_by_account uuid;
UPDATE registrations SET legal_basis = CASE source
    WHEN 'self' THEN 'consent' WHEN 'invitation' THEN 'unit_contact' ELSE source END;
-- Rows inserted without one take the basis their source implies; self-registration records the
-- accepted notice in the same transaction (consent_recorded below).
CREATE FUNCTION registrations_default_basis() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.legal_basis := coalesce(NEW.legal_basis, CASE NEW.source
        WHEN 'self' THEN 'consent' WHEN 'invitation' THEN 'unit_contact' ELSE NEW.source END);
    RETURN NEW;
END $$;
CREATE TRIGGER registrations_default_basis BEFORE INSERT ON registrations
    FOR EACH ROW EXECUTE FUNCTION registrations_default_basis();
ALTER TABLE registrations
    ALTER COLUMN legal_basis SET NOT NULL,
    ADD CONSTRAINT registrations_legal_basis CHECK (legal_basis IN ('consent', 'organizer', 'import', 'unit_contact', 'door')),
    ADD CONSTRAINT registrations_consent_recorded CHECK (
        (consent_notice_version IS NULL) = (consent_at IS NULL)),
    ADD CONSTRAINT registrations_erasure_recorded CHECK ((erased_at IS NULL) = (erased_by IS NULL)),
    DROP CONSTRAINT registrations_contact,
    ADD CONSTRAINT registrations_contact CHECK (erased_at IS NOT NULL OR email IS NOT NULL OR phone IS NOT NULL);

-- A substitution puts a new person on the seat: their basis is who entered them (a unit's
-- contact, or staff at the door), and the previous person's consent does not carry over.
CREATE FUNCTION registrations_substituted_basis() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE registrations
       SET legal_basis = CASE NEW.substituted_by WHEN 'door' THEN 'door'
                              WHEN 'invitation' THEN 'unit_contact' ELSE 'organizer' END,
           consent_notice_version = NULL, consent_at = NULL
     WHERE id = NEW.registration_id;
    RETURN NULL;
END $$;
CREATE TRIGGER registration_substitutions_basis AFTER INSERT ON registration_substitutions
    FOR EACH ROW EXECUTE FUNCTION registrations_substituted_basis();

-- Erasure is irreversible: no write may put personal data back on an erased row (an edit or
-- a substitution of an erased seat is refused; status changes still happen).
CREATE FUNCTION registrations_stay_erased() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.full_name IS DISTINCT FROM OLD.full_name OR NEW.email IS NOT NULL OR NEW.phone IS NOT NULL
       OR NEW.position IS NOT NULL OR NEW.organization IS NOT NULL OR NEW.erased_at IS NULL THEN
        RAISE EXCEPTION 'registration % is erased', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'registrations_stay_erased';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER registrations_stay_erased BEFORE UPDATE ON registrations
    FOR EACH ROW WHEN (OLD.erased_at IS NOT NULL) EXECUTE FUNCTION registrations_stay_erased();

-- The audit log: who wrote what, when and from where. Field names only, never values.
-- Rows are appended by the trigger below; nothing may change or remove them.
CREATE TABLE audit_log (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    at            timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- No foreign keys: the log outlives what it describes.
    conference_id uuid,
    entity        text NOT NULL,
    entity_id     uuid,
    action        text NOT NULL CHECK (action IN ('insert', 'update', 'delete', 'erase')),
    fields        text[] NOT NULL,
    actor_kind    text NOT NULL CHECK (actor_kind IN
                  ('account', 'device', 'delegate', 'invitation', 'public', 'system')),
    actor_id      uuid,
    actor_role    text,
    client_ip     text,
    request_id    text
);
CREATE INDEX audit_log_conference_idx ON audit_log (conference_id, at, id);
CREATE INDEX audit_log_at_idx ON audit_log (at, id);
CREATE INDEX audit_log_entity_idx ON audit_log (entity_id);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- One row per changed row of an audited table. The actor comes from the session setting
-- `hoithao.actor` (JSON: kind, id, role, ip, request_id), which the application sets on a
-- connection when a write request checks it out (src/db/audit.rs); background work sets it
-- for its own transaction. A scan recorded by the scan functions names its device. The trigger
-- arguments are bookkeeping columns (versions, counters, search text) that are not changes of
-- their own: an update touching only those is not logged.
CREATE FUNCTION audit_row_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_row  jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    new_row  jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
    row_data jsonb := coalesce(new_row, old_row);
    actor    jsonb := nullif(current_setting('hoithao.actor', true), '')::jsonb;
    changed  text[] := '{}';
    verb     text := lower(TG_OP);
    conference uuid;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        SELECT coalesce(array_agg(n.key ORDER BY n.key), '{}') INTO changed
        FROM jsonb_each(new_row) n
        WHERE n.value IS DISTINCT FROM old_row -> n.key AND n.key <> ALL (TG_ARGV);
        IF cardinality(changed) = 0 THEN
            RETURN NULL;
        END IF;
        IF old_row -> 'erased_at' = 'null' AND new_row -> 'erased_at' <> 'null' THEN
            verb := 'erase';
        END IF;
    ELSIF TG_OP = 'INSERT' THEN
        SELECT coalesce(array_agg(n.key ORDER BY n.key), '{}') INTO changed
        FROM jsonb_each(new_row) n
        WHERE n.value <> 'null' AND n.key <> ALL (TG_ARGV);
    END IF;
    conference := CASE WHEN TG_TABLE_NAME = 'conferences' THEN (row_data ->> 'id')::uuid
                       ELSE (row_data ->> 'conference_id')::uuid END;
    IF conference IS NULL AND row_data ? 'registration_id' THEN
        SELECT r.conference_id INTO conference FROM registrations r
        WHERE r.id = (row_data ->> 'registration_id')::uuid;
    END IF;
    IF actor IS NULL AND TG_TABLE_NAME = 'checkins' AND row_data ->> 'device_id' IS NOT NULL THEN
        actor := jsonb_build_object('kind', 'device', 'id', row_data ->> 'device_id');
    END IF;
    INSERT INTO audit_log (conference_id, entity, entity_id, action, fields,
                           actor_kind, actor_id, actor_role, client_ip, request_id)
    VALUES (conference, TG_TABLE_NAME,
            coalesce(row_data ->> 'id', row_data ->> 'registration_id', row_data ->> 'account_id',
                     row_data ->> 'conference_id')::uuid,
            verb, changed,
            coalesce(actor ->> 'kind', 'system'), (actor ->> 'id')::uuid, actor ->> 'role',
            actor ->> 'ip', actor ->> 'request_id');
    RETURN NULL;
END $$;

CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON accounts FOR EACH ROW
    EXECUTE FUNCTION audit_row_change('updated_at');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON conferences FOR EACH ROW
    EXECUTE FUNCTION audit_row_change('version', 'updated_at', 'search_text', 'confirmed_count', 'registration_seq');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON conference_organizers FOR EACH ROW
    EXECUTE FUNCTION audit_row_change();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON conference_sessions FOR EACH ROW
    EXECUTE FUNCTION audit_row_change('version', 'updated_at', 'signup_count');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON units FOR EACH ROW
    EXECUTE FUNCTION audit_row_change('version', 'updated_at', 'search_name');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON invitations FOR EACH ROW
    EXECUTE FUNCTION audit_row_change('updated_at', 'used_seats');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON registrations FOR EACH ROW
    EXECUTE FUNCTION audit_row_change('version', 'updated_at', 'changed_xid', 'search_text',
                                      'name_folded', 'name_words', 'search_words');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON registration_substitutions FOR EACH ROW
    EXECUTE FUNCTION audit_row_change();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON session_signups FOR EACH ROW
    EXECUTE FUNCTION audit_row_change();
-- Check-ins are the door's hot path: the same entry as audit_row_change, with the written
-- columns named directly instead of comparing rows as JSON (about 40 us instead of 120 us a
-- scan, measured with 5,000 checkin_scan_v2 calls). A scan names its device when no actor is set.
CREATE FUNCTION audit_checkin_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    actor jsonb := nullif(current_setting('hoithao.actor', true), '')::jsonb;
    changed text[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        changed := array_remove(ARRAY['conference_id', 'direction', 'id', 'local_day', 'method',
            'nonce', 'occurred_at', 'outcome', 'received_at',
            CASE WHEN NEW.conflict IS NOT NULL THEN 'conflict' END,
            CASE WHEN NEW.device_id IS NOT NULL THEN 'device_id' END,
            CASE WHEN NEW.registration_id IS NOT NULL THEN 'registration_id' END,
            CASE WHEN NEW.session_id IS NOT NULL THEN 'session_id' END], NULL);
    ELSIF TG_OP = 'UPDATE' THEN
        changed := array_remove(ARRAY[
            CASE WHEN NEW.conflict IS DISTINCT FROM OLD.conflict THEN 'conflict' END,
            CASE WHEN NEW.outcome IS DISTINCT FROM OLD.outcome THEN 'outcome' END,
            CASE WHEN NEW.registration_id IS DISTINCT FROM OLD.registration_id THEN 'registration_id' END,
            CASE WHEN NEW.undo_reason IS DISTINCT FROM OLD.undo_reason THEN 'undo_reason' END,
            CASE WHEN NEW.undone_at IS DISTINCT FROM OLD.undone_at THEN 'undone_at' END,
            CASE WHEN NEW.undone_by IS DISTINCT FROM OLD.undone_by THEN 'undone_by' END], NULL);
        IF cardinality(changed) = 0 THEN
            RETURN NULL;
        END IF;
    ELSE
        changed := '{}';
    END IF;
    IF actor IS NULL AND coalesce(NEW.device_id, OLD.device_id) IS NOT NULL THEN
        actor := jsonb_build_object('kind', 'device', 'id', coalesce(NEW.device_id, OLD.device_id));
    END IF;
    INSERT INTO audit_log (conference_id, entity, entity_id, action, fields,
                           actor_kind, actor_id, actor_role, client_ip, request_id)
    VALUES (coalesce(NEW.conference_id, OLD.conference_id), 'checkins', coalesce(NEW.id, OLD.id),
            lower(TG_OP), changed, coalesce(actor ->> 'kind', 'system'), (actor ->> 'id')::uuid,
            actor ->> 'role', actor ->> 'ip', actor ->> 'request_id');
    RETURN NULL;
END $$;
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON checkins FOR EACH ROW
    EXECUTE FUNCTION audit_checkin_change();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON checkin_devices FOR EACH ROW
    EXECUTE FUNCTION audit_row_change('last_seen_at');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON privacy_notices FOR EACH ROW
    EXECUTE FUNCTION audit_row_change();
