-- A typed contract for the scan path. The *_v2 functions return a composite `checkin_outcome`
-- (a refusal is its `error` column) instead of JSON text, and the rules they share are defined
-- once: the live entry (`live_checkins`), the first entry (`checkin_first_entry`), the delegate
-- card (`delegate_card`) and the device's last-seen refresh (`checkin_device_seen`, 000008).
-- The JSON functions of 000008 keep their signatures for binaries still running during a
-- rolling deploy; they now wrap the v2 functions and are dropped once no binary calls them
-- (see migrations/README.md).

-- A live entry: a successful entry that has not been undone. The predicate of the unique index
-- `checkins_once` (migration 000007) is the same condition written out, because an index
-- predicate cannot refer to a view or call a function: change both together.
-- `SELECT *` is expanded when the view is created: a column added to checkins later is not in
-- it until the view is replaced.
CREATE VIEW live_checkins AS
SELECT * FROM checkins WHERE outcome = 'ok' AND direction = 'in' AND undone_at IS NULL;

COMMENT ON INDEX checkins_once IS
    'At most one live entry per registration per session and per door day. The predicate is the condition of the view live_checkins, written out because index predicates cannot use a view: change both together.';

-- The live entry a new one for (registration, session or door day) collides with, and the name
-- of the device that made it. A SQL function with one SELECT: the planner inlines it.
CREATE FUNCTION checkin_first_entry(p_registration_id uuid, p_session_id uuid, p_local_day date)
RETURNS TABLE (checkin_id uuid, occurred_at timestamptz, device_name text)
LANGUAGE sql STABLE AS $$
    SELECT f.id, f.occurred_at, d.name
      FROM live_checkins f LEFT JOIN checkin_devices d ON d.id = f.device_id
     WHERE f.registration_id = p_registration_id
       AND f.session_id IS NOT DISTINCT FROM p_session_id
       AND (p_session_id IS NOT NULL OR f.local_day = p_local_day)
     LIMIT 1
$$;

-- Who is at the door, for the greeting. Built from a registration row and its unit's name, so
-- the caller joins the unit once and no second read is needed.
CREATE TYPE delegate_card AS (
    registration_id uuid,
    full_name       text,
    position        text,
    unit_name       text,
    organization    text,
    category        text
);

CREATE FUNCTION delegate_card(r registrations, unit_name text) RETURNS delegate_card
LANGUAGE sql IMMUTABLE AS $$
    SELECT ROW(r.id, r.full_name, r.position, unit_name, r.organization, r.category)::delegate_card
$$;

-- What a scan call answers. Either `error` is set (a refusal: invalid_token,
-- conference_not_found, session_not_served, unknown_session, nonce_reused, concurrent_update)
-- and everything else is NULL, or `error` is NULL and the scan was recorded (or replayed).
-- `delegate` is set with ok and already_checked_in; `first_checked_in_at` and `first_device`
-- with already_checked_in.
CREATE TYPE checkin_outcome AS (
    error               text,
    checkin_id          uuid,
    outcome             text,
    replayed            boolean,
    conflict            text,
    delegate            delegate_card,
    first_checked_in_at timestamptz,
    first_device        text
);

CREATE FUNCTION checkin_refused(p_error text) RETURNS checkin_outcome
LANGUAGE sql IMMUTABLE AS $$
    SELECT ROW(p_error, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::checkin_outcome
$$;

-- What the door screen shows for a recorded check-in. `card` is the greeting when the caller
-- has it already; otherwise it is read here when the outcome greets.
CREATE FUNCTION checkin_outcome_of(c checkins, p_replayed boolean, card delegate_card)
RETURNS checkin_outcome LANGUAGE plpgsql STABLE AS $$
DECLARE
    o checkin_outcome;
BEGIN
    o.checkin_id := c.id;
    o.outcome := c.outcome;
    o.replayed := p_replayed;
    o.conflict := c.conflict;
    IF c.registration_id IS NOT NULL AND c.outcome IN ('ok', 'already_checked_in') THEN
        IF card IS NULL THEN
            o.delegate := (SELECT delegate_card(r, u.name)
                             FROM registrations r LEFT JOIN units u ON u.id = r.unit_id
                            WHERE r.id = c.registration_id);
        ELSE
            o.delegate := card;
        END IF;
    END IF;
    IF c.outcome = 'already_checked_in' AND c.registration_id IS NOT NULL THEN
        SELECT f.occurred_at, f.device_name INTO o.first_checked_in_at, o.first_device
          FROM checkin_first_entry(c.registration_id, c.session_id, c.local_day) f;
    END IF;
    RETURN o;
END $$;

-- The result of the scan already recorded under this nonce (a retry): NULL when there is none,
-- so a caller tests `replayed OR error IS NOT NULL` (a composite IS NOT NULL only when every
-- field is).
CREATE FUNCTION checkin_replayed(p_conference_id uuid, p_nonce uuid) RETURNS checkin_outcome
LANGUAGE plpgsql STABLE AS $$
DECLARE
    c checkins;
BEGIN
    SELECT * INTO c FROM checkins WHERE nonce = p_nonce;
    IF NOT FOUND THEN
        RETURN NULL;
    ELSIF c.conference_id <> p_conference_id THEN
        RETURN checkin_refused('nonce_reused');
    END IF;
    RETURN checkin_outcome_of(c, true, NULL);
END $$;

-- Records one scan by a device (or, with no device, an organizer's back-fill).
-- p_secret_sha256 is the SHA-256 of the code's secret, NULL for a check-in by registration id:
-- digests are compared, so the comparison's timing says nothing usable about the secret.
-- Offline scans (p_method = 'offline') are recorded even when they conflict, with the reason.
-- The hot path is two statements: one read of the whole context, one insert.
CREATE FUNCTION checkin_record_v2(
    p_conference_id uuid, p_device_id uuid, p_device_sessions uuid[],
    p_id uuid, p_nonce uuid, p_registration_id uuid, p_secret_sha256 bytea, p_session_id uuid,
    p_direction text, p_method text, p_occurred_at timestamptz, p_window_margin_secs integer)
RETURNS checkin_outcome LANGUAGE plpgsql AS $$
DECLARE
    ctx record;
    c checkins;
    verdict text;
    linked uuid;
    card delegate_card;
    day date;
    replay checkin_outcome;
    superseded uuid;
BEGIN
    IF p_session_id IS NOT NULL AND cardinality(p_device_sessions) > 0
       AND p_session_id <> ALL (p_device_sessions) THEN
        RETURN checkin_refused('session_not_served');
    END IF;
    SELECT conf.starts_at AS conf_starts, conf.ends_at AS conf_ends, conf.time_zone AS conf_time_zone,
           s.id AS session_found, s.starts_at AS session_starts, s.ends_at AS session_ends,
           s.signup_required,
           r.id AS reg_id, r.conference_id AS reg_conference, r.status AS reg_status,
           r.qr_secret AS reg_secret, delegate_card(r, u.name) AS card,
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
        RETURN checkin_refused('conference_not_found');
    ELSIF p_session_id IS NOT NULL AND ctx.session_found IS NULL THEN
        RETURN checkin_refused('unknown_session');
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
        card := ctx.card;
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
        RETURN checkin_outcome_of(c, false, card);
    END IF;
    -- A retry of a recorded scan, or a delegate admitted before (maybe a moment ago elsewhere).
    replay := checkin_replayed(p_conference_id, p_nonce);
    IF replay.replayed OR replay.error IS NOT NULL THEN
        RETURN replay;
    END IF;
    -- An offline scan with an earlier door time than the live entry is the real first arrival:
    -- it takes the live place, and the later entry is kept, flagged as superseded. The update
    -- locks that entry (and rechecks that it is still live), so of two uploads racing to
    -- supersede it one wins; the other finds it gone and compares itself with the new live
    -- entry on the next turn.
    IF p_method = 'offline' AND verdict = 'ok' AND p_direction = 'in' THEN
        FOR turn IN 1..3 LOOP
            UPDATE live_checkins
               SET outcome = 'already_checked_in', conflict = 'superseded_by_earlier_scan'
             WHERE id = (SELECT f.checkin_id FROM checkin_first_entry(linked, p_session_id, day) f)
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
                RETURN checkin_outcome_of(c, false, card);
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
        RETURN checkin_outcome_of(c, false, card);
    END IF;
    replay := checkin_replayed(p_conference_id, p_nonce);
    IF replay.replayed OR replay.error IS NOT NULL THEN
        RETURN replay;
    END IF;
    RETURN checkin_refused('concurrent_update');
END $$;

-- One online scan by the device holding the token.
CREATE FUNCTION checkin_scan_v2(
    p_token_hash bytea, p_conference_id uuid,
    p_id uuid, p_nonce uuid, p_registration_id uuid, p_secret_sha256 bytea, p_session_id uuid,
    p_direction text, p_method text, p_occurred_at timestamptz, p_window_margin_secs integer)
RETURNS checkin_outcome LANGUAGE plpgsql AS $$
DECLARE
    d checkin_devices;
BEGIN
    d := checkin_device_seen(p_token_hash);
    IF d.id IS NULL THEN
        RETURN checkin_refused('invalid_token');
    END IF;
    IF d.conference_id <> p_conference_id THEN
        RETURN checkin_refused('conference_not_found');
    END IF;
    RETURN checkin_record_v2(p_conference_id, d.id, d.session_ids, p_id, p_nonce, p_registration_id,
                             p_secret_sha256, p_session_id, p_direction, p_method, p_occurred_at,
                             p_window_margin_secs);
END $$;

-- A device's offline scans, in one transaction. They are recorded in (registration, session,
-- door time) order, so two devices uploading overlapping batches take the once-rule's index
-- entries in the same order and cannot deadlock; one row per scan comes back in upload order
-- (select it WITH ORDINALITY to rely on that).
CREATE FUNCTION checkin_record_batch_v2(
    p_conference_id uuid, p_device_id uuid, p_device_sessions uuid[],
    p_ids uuid[], p_nonces uuid[], p_registration_ids uuid[], p_secret_sha256s bytea[],
    p_session_ids uuid[], p_directions text[], p_occurred_ats timestamptz[], p_window_margin_secs integer)
RETURNS SETOF checkin_outcome LANGUAGE plpgsql AS $$
DECLARE
    results checkin_outcome[] := array_fill(NULL::checkin_outcome, ARRAY[cardinality(p_ids)]);
    result checkin_outcome;
    i bigint;
BEGIN
    FOR i IN
        SELECT t.ord FROM unnest(p_registration_ids, p_session_ids, p_occurred_ats)
               WITH ORDINALITY AS t(registration_id, session_id, occurred_at, ord)
         ORDER BY t.registration_id, t.session_id, t.occurred_at, t.ord
    LOOP
        results[i] := checkin_record_v2(p_conference_id, p_device_id, p_device_sessions, p_ids[i], p_nonces[i],
                                        p_registration_ids[i], p_secret_sha256s[i], p_session_ids[i],
                                        p_directions[i], 'offline', p_occurred_ats[i], p_window_margin_secs);
    END LOOP;
    FOREACH result IN ARRAY results LOOP
        RETURN NEXT result;
    END LOOP;
    RETURN;
END $$;

-- The JSON text the functions of 000008 answered, for binaries of before this migration.
CREATE FUNCTION checkin_outcome_json(o checkin_outcome) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN o.error IS NOT NULL THEN json_build_object('error', o.error)::text
        ELSE json_build_object('checkin_id', o.checkin_id, 'outcome', o.outcome, 'replayed', o.replayed,
                               'conflict', o.conflict,
                               'delegate', CASE WHEN (o.delegate).registration_id IS NOT NULL
                                                THEN row_to_json(o.delegate) END,
                               'first_checked_in_at', o.first_checked_in_at,
                               'first_device', o.first_device)::text
    END
$$;

-- Same signatures as in 000008 / 130000, so CREATE OR REPLACE: one implementation, two contracts.
CREATE OR REPLACE FUNCTION checkin_record(
    p_conference_id uuid, p_device_id uuid, p_device_sessions uuid[],
    p_id uuid, p_nonce uuid, p_registration_id uuid, p_secret_sha256 bytea, p_session_id uuid,
    p_direction text, p_method text, p_occurred_at timestamptz, p_window_margin_secs integer)
RETURNS text LANGUAGE sql AS $$
    SELECT checkin_outcome_json(checkin_record_v2(p_conference_id, p_device_id, p_device_sessions,
        p_id, p_nonce, p_registration_id, p_secret_sha256, p_session_id, p_direction, p_method,
        p_occurred_at, p_window_margin_secs))
$$;

CREATE OR REPLACE FUNCTION checkin_scan(
    p_token_hash bytea, p_conference_id uuid,
    p_id uuid, p_nonce uuid, p_registration_id uuid, p_secret_sha256 bytea, p_session_id uuid,
    p_direction text, p_method text, p_occurred_at timestamptz, p_window_margin_secs integer)
RETURNS text LANGUAGE sql AS $$
    SELECT checkin_outcome_json(checkin_scan_v2(p_token_hash, p_conference_id, p_id, p_nonce,
        p_registration_id, p_secret_sha256, p_session_id, p_direction, p_method, p_occurred_at,
        p_window_margin_secs))
$$;

CREATE OR REPLACE FUNCTION checkin_record_batch(
    p_conference_id uuid, p_device_id uuid, p_device_sessions uuid[],
    p_ids uuid[], p_nonces uuid[], p_registration_ids uuid[], p_secret_sha256s bytea[],
    p_session_ids uuid[], p_directions text[], p_occurred_ats timestamptz[], p_window_margin_secs integer)
RETURNS text[] LANGUAGE sql AS $$
    SELECT coalesce(array_agg(checkin_outcome_json(ROW(o.error, o.checkin_id, o.outcome, o.replayed, o.conflict,
               o.delegate, o.first_checked_in_at, o.first_device)::checkin_outcome) ORDER BY o.ord), '{}')
      FROM checkin_record_batch_v2(p_conference_id, p_device_id, p_device_sessions, p_ids, p_nonces,
               p_registration_ids, p_secret_sha256s, p_session_ids, p_directions, p_occurred_ats,
               p_window_margin_secs) WITH ORDINALITY AS o(error, checkin_id, outcome, replayed, conflict,
               delegate, first_checked_in_at, first_device, ord)
$$;

-- The helpers of the JSON functions: nothing calls them any more.
DROP FUNCTION checkin_result(checkins, boolean, json);
DROP FUNCTION checkin_replay(uuid, uuid);
