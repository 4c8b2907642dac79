DROP FUNCTION checkin_scan_v3(bytea, uuid, uuid, uuid, uuid, bytea, uuid, text, text, timestamptz,
                              integer, text, text);
