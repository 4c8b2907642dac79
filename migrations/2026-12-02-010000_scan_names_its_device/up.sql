-- A scan names its device as the audit log's actor in its own statement: a transaction-local
-- `hoithao.actor` (the device, the request's address and id) that overrides whatever the
-- connection's session holds. The hot path then needs no `set_config` round trip before it;
-- checkin_scan_v2 stays for binaries of before this migration (they set the session actor).
CREATE FUNCTION checkin_scan_v3(
    p_token_hash bytea, p_conference_id uuid,
    p_id uuid, p_nonce uuid, p_registration_id uuid, p_secret_sha256 bytea, p_session_id uuid,
    p_direction text, p_method text, p_occurred_at timestamptz, p_window_margin_secs integer,
    p_client_ip text, p_request_id text)
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
    PERFORM set_config('hoithao.actor', json_build_object('kind', 'device', 'id', d.id,
        'ip', p_client_ip, 'request_id', p_request_id)::text, true);
    RETURN checkin_record_v2(p_conference_id, d.id, d.session_ids, p_id, p_nonce, p_registration_id,
                             p_secret_sha256, p_session_id, p_direction, p_method, p_occurred_at,
                             p_window_margin_secs);
END $$;
