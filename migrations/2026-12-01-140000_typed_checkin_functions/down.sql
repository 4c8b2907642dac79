-- Back to the JSON functions of 000008 and 130000 with their own bodies, and no typed contract.
-- What the door screen shows for a recorded check-in. `delegate` is the greeting when the
-- caller has it already; otherwise it is read here when the outcome greets.
CREATE FUNCTION checkin_result(c checkins, replayed boolean, delegate json) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    first_at timestamptz;
    first_device text;
BEGIN
    IF c.registration_id IS NULL OR c.outcome NOT IN ('ok', 'already_checked_in') THEN
        delegate := NULL;
    ELSIF delegate IS NULL THEN
        SELECT json_build_object('registration_id', r.id, 'full_name', r.full_name, 'position', r.position,
                                 'unit_name', u.name, 'organization', r.organization, 'category', r.category)
          INTO delegate
          FROM registrations r LEFT JOIN units u ON u.id = r.unit_id
         WHERE r.id = c.registration_id;
    END IF;
    IF c.outcome = 'already_checked_in' AND c.registration_id IS NOT NULL THEN
        SELECT f.occurred_at, d.name INTO first_at, first_device
          FROM checkins f LEFT JOIN checkin_devices d ON d.id = f.device_id
         WHERE f.registration_id = c.registration_id AND f.outcome = 'ok' AND f.direction = 'in'
           AND f.undone_at IS NULL AND f.session_id IS NOT DISTINCT FROM c.session_id
           AND (c.session_id IS NOT NULL OR f.local_day = c.local_day)
         LIMIT 1;
    END IF;
    RETURN json_build_object('checkin_id', c.id, 'outcome', c.outcome, 'replayed', replayed,
                             'conflict', c.conflict, 'delegate', delegate,
                             'first_checked_in_at', first_at, 'first_device', first_device)::text;
END $$;

-- The result of the scan already recorded under this nonce (a retry), if any.
CREATE FUNCTION checkin_replay(p_conference_id uuid, p_nonce uuid) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    c checkins;
BEGIN
    SELECT * INTO c FROM checkins WHERE nonce = p_nonce;
    IF NOT FOUND THEN
        RETURN NULL;
    ELSIF c.conference_id <> p_conference_id THEN
        RETURN '{"error":"nonce_reused"}';
    END IF;
    RETURN checkin_result(c, true, NULL);
END $$;

-- Records one scan by a device (or, with no device, an organizer's back-fill).
-- p_secret_sha256 is the SHA-256 of the code's secret, NULL for a check-in by registration id:
-- digests are compared, so the comparison's timing says nothing usable about the secret.
-- Offline scans (p_method = 'offline') are recorded even when they conflict, with the reason.
-- The hot path is two statements: one read of the whole context, one insert.
CREATE OR REPLACE FUNCTION checkin_record(
    p_conference_id uuid, p_device_id uuid, p_device_sessions uuid[],
    p_id uuid, p_nonce uuid, p_registration_id uuid, p_secret_sha256 bytea, p_session_id uuid,
    p_direction text, p_method text, p_occurred_at timestamptz, p_window_margin_secs integer)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    ctx record;
    c checkins;
    verdict text;
    linked uuid;
    delegate json;
    day date;
    replay text;
    superseded uuid;
BEGIN
    IF p_session_id IS NOT NULL AND cardinality(p_device_sessions) > 0
       AND p_session_id <> ALL (p_device_sessions) THEN
        RETURN '{"error":"session_not_served"}';
    END IF;
    SELECT conf.starts_at AS conf_starts, conf.ends_at AS conf_ends, conf.time_zone AS conf_time_zone,
           s.id AS session_found, s.starts_at AS session_starts, s.ends_at AS session_ends,
           s.signup_required,
           r.id AS reg_id, r.conference_id AS reg_conference, r.status AS reg_status,
           r.qr_secret AS reg_secret, r.full_name, r.position, r.organization, r.category,
           u.name AS unit_name,
           (s.signup_required AND EXISTS (
               SELECT 1 FROM session_signups ss WHERE ss.registration_id = r.id AND ss.session_id = s.id
           )) AS signed_up
      INTO ctx
      FROM conferences conf
      LEFT JOIN conference_sessions s ON s.id = p_session_id AND s.conference_id = conf.id
      LEFT JOIN registrations r ON r.id = p_registration_id
      LEFT JOIN units u ON u.id = r.unit_id
     WHERE conf.id = p_conference_id;
    IF NOT FOUND THEN
        RETURN '{"error":"conference_not_found"}';
    ELSIF p_session_id IS NOT NULL AND ctx.session_found IS NULL THEN
        RETURN '{"error":"unknown_session"}';
    END IF;

    verdict := CASE
        WHEN ctx.reg_id IS NULL
             OR (p_secret_sha256 IS NOT NULL AND sha256(convert_to(ctx.reg_secret, 'UTF8')) <> p_secret_sha256)
            THEN 'unknown_code'
        WHEN ctx.reg_conference <> p_conference_id THEN 'other_conference'
        WHEN ctx.reg_status IN ('cancelled', 'rejected') THEN 'cancelled'
        WHEN ctx.reg_status = 'pending_approval' THEN 'pending_approval'
        WHEN ctx.reg_status = 'waitlisted' THEN 'waitlisted'
        WHEN p_occurred_at < coalesce(ctx.session_starts, ctx.conf_starts) - make_interval(secs => p_window_margin_secs)
          OR p_occurred_at > coalesce(ctx.session_ends, ctx.conf_ends) + make_interval(secs => p_window_margin_secs)
            THEN 'outside_window'
        WHEN ctx.signup_required AND NOT ctx.signed_up THEN 'not_signed_up_for_session'
        ELSE 'ok'
    END;
    -- Another conference's registration is not this conference's data: no link to it.
    IF verdict NOT IN ('unknown_code', 'other_conference') THEN
        linked := ctx.reg_id;
        delegate := json_build_object('registration_id', ctx.reg_id, 'full_name', ctx.full_name,
                                      'position', ctx.position, 'unit_name', ctx.unit_name,
                                      'organization', ctx.organization, 'category', ctx.category);
    END IF;
    day := (p_occurred_at AT TIME ZONE ctx.conf_time_zone)::date;

    -- Both unique rules (the nonce, and one live entry per session or door day) are arbiters:
    -- a conflict with a concurrent scan waits for it to commit, then inserts nothing.
    INSERT INTO checkins (id, conference_id, registration_id, session_id, device_id, nonce, direction,
                          outcome, method, conflict, occurred_at, local_day)
    VALUES (p_id, p_conference_id, linked, p_session_id, p_device_id, p_nonce, p_direction, verdict,
            p_method, checkin_conflict(p_method, verdict, p_occurred_at), p_occurred_at, day)
    ON CONFLICT DO NOTHING
    RETURNING * INTO c;
    IF FOUND THEN
        RETURN checkin_result(c, false, delegate);
    END IF;
    -- A retry of a recorded scan, or a delegate admitted before (maybe a moment ago elsewhere).
    replay := checkin_replay(p_conference_id, p_nonce);
    IF replay IS NOT NULL THEN
        RETURN replay;
    END IF;
    -- An offline scan with an earlier door time than the live entry is the real first arrival:
    -- it takes the live place, and the later entry is kept, flagged as superseded. The update
    -- locks that entry, so of two uploads racing to supersede it one wins; the other finds it
    -- gone and compares itself with the new live entry on the next turn.
    IF p_method = 'offline' AND verdict = 'ok' AND p_direction = 'in' THEN
        FOR turn IN 1..3 LOOP
            UPDATE checkins
               SET outcome = 'already_checked_in', conflict = 'superseded_by_earlier_scan'
             WHERE registration_id = linked AND outcome = 'ok' AND direction = 'in' AND undone_at IS NULL
               AND session_id IS NOT DISTINCT FROM p_session_id
               AND (p_session_id IS NOT NULL OR local_day = day)
               AND occurred_at > p_occurred_at
            RETURNING id INTO superseded;
            EXIT WHEN NOT FOUND;
            INSERT INTO checkins (id, conference_id, registration_id, session_id, device_id, nonce, direction,
                                  outcome, method, conflict, occurred_at, local_day)
            VALUES (p_id, p_conference_id, linked, p_session_id, p_device_id, p_nonce, p_direction, 'ok',
                    p_method, checkin_conflict(p_method, 'ok', p_occurred_at), p_occurred_at, day)
            ON CONFLICT DO NOTHING
            RETURNING * INTO c;
            IF FOUND THEN
                RETURN checkin_result(c, false, delegate);
            END IF;
        END LOOP;
    END IF;
    INSERT INTO checkins (id, conference_id, registration_id, session_id, device_id, nonce, direction,
                          outcome, method, conflict, occurred_at, local_day)
    VALUES (p_id, p_conference_id, linked, p_session_id, p_device_id, p_nonce, p_direction,
            'already_checked_in', p_method, checkin_conflict(p_method, 'already_checked_in', p_occurred_at),
            p_occurred_at, day)
    ON CONFLICT DO NOTHING
    RETURNING * INTO c;
    IF FOUND THEN
        RETURN checkin_result(c, false, delegate);
    END IF;
    RETURN coalesce(checkin_replay(p_conference_id, p_nonce), '{"error":"concurrent_update"}');
END $$;

-- One online scan by the device holding the token.
CREATE OR REPLACE FUNCTION checkin_scan(
    p_token_hash bytea, p_conference_id uuid,
    p_id uuid, p_nonce uuid, p_registration_id uuid, p_secret_sha256 bytea, p_session_id uuid,
    p_direction text, p_method text, p_occurred_at timestamptz, p_window_margin_secs integer)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    d checkin_devices;
BEGIN
    d := checkin_device_seen(p_token_hash);
    IF d.id IS NULL THEN
        RETURN '{"error":"invalid_token"}';
    END IF;
    IF d.conference_id <> p_conference_id THEN
        RETURN '{"error":"conference_not_found"}';
    END IF;
    RETURN checkin_record(p_conference_id, d.id, d.session_ids, p_id, p_nonce, p_registration_id,
                          p_secret_sha256, p_session_id, p_direction, p_method, p_occurred_at,
                          p_window_margin_secs);
END $$;

-- A device's offline scans, in one transaction. They are recorded in (registration, session,
-- door time) order, so two devices uploading overlapping batches take the once-rule's index
-- entries in the same order and cannot deadlock; results come back in upload order.
CREATE OR REPLACE FUNCTION checkin_record_batch(
    p_conference_id uuid, p_device_id uuid, p_device_sessions uuid[],
    p_ids uuid[], p_nonces uuid[], p_registration_ids uuid[], p_secret_sha256s bytea[],
    p_session_ids uuid[], p_directions text[], p_occurred_ats timestamptz[], p_window_margin_secs integer)
RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
    results text[] := array_fill(NULL::text, ARRAY[cardinality(p_ids)]);
    i bigint;
BEGIN
    FOR i IN
        SELECT t.ord FROM unnest(p_registration_ids, p_session_ids, p_occurred_ats)
               WITH ORDINALITY AS t(registration_id, session_id, occurred_at, ord)
         ORDER BY t.registration_id, t.session_id, t.occurred_at, t.ord
    LOOP
        results[i] := checkin_record(p_conference_id, p_device_id, p_device_sessions, p_ids[i], p_nonces[i],
                                     p_registration_ids[i], p_secret_sha256s[i], p_session_ids[i],
                                     p_directions[i], 'offline', p_occurred_ats[i], p_window_margin_secs);
    END LOOP;
    RETURN results;
END $$;

DROP FUNCTION checkin_outcome_json(checkin_outcome);
DROP FUNCTION checkin_record_batch_v2(uuid, uuid, uuid[], uuid[], uuid[], uuid[], bytea[], uuid[], text[], timestamptz[], integer);
DROP FUNCTION checkin_scan_v2(bytea, uuid, uuid, uuid, uuid, bytea, uuid, text, text, timestamptz, integer);
DROP FUNCTION checkin_record_v2(uuid, uuid, uuid[], uuid, uuid, uuid, bytea, uuid, text, text, timestamptz, integer);
DROP FUNCTION checkin_replayed(uuid, uuid);
DROP FUNCTION checkin_outcome_of(checkins, boolean, delegate_card);
DROP FUNCTION checkin_refused(text);
DROP TYPE checkin_outcome;
DROP FUNCTION delegate_card(registrations, text);
DROP TYPE delegate_card;
DROP FUNCTION checkin_first_entry(uuid, uuid, date);
COMMENT ON INDEX checkins_once IS NULL;
DROP VIEW live_checkins;
