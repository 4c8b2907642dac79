-- The first arrival by door time is the truth: an offline scan uploaded after another entry
-- for the same session (or door day) but made earlier takes the live place (see checkin_record).
-- Same signature, so CREATE OR REPLACE: binaries of before and after can run side by side.

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

