DROP TRIGGER audit ON privacy_notices;
DROP TRIGGER audit ON checkin_devices;
DROP TRIGGER audit ON checkins;
DROP TRIGGER audit ON session_signups;
DROP TRIGGER audit ON registration_substitutions;
DROP TRIGGER audit ON registrations;
DROP TRIGGER audit ON invitations;
DROP TRIGGER audit ON units;
DROP TRIGGER audit ON conference_sessions;
DROP TRIGGER audit ON conference_organizers;
DROP TRIGGER audit ON conferences;
DROP TRIGGER audit ON accounts;
DROP FUNCTION audit_checkin_change();
DROP FUNCTION audit_row_change();
DROP TABLE audit_log;
DROP FUNCTION audit_log_append_only();

DROP TRIGGER registration_substitutions_basis ON registration_substitutions;
DROP FUNCTION registrations_substituted_basis();
DROP TRIGGER registrations_stay_erased ON registrations;
DROP FUNCTION registrations_stay_erased();

-- Erased rows have no contact left; they cannot go back under the old rule, so they go.
DELETE FROM registrations WHERE erased_at IS NOT NULL;
ALTER TABLE registrations
    DROP CONSTRAINT registrations_contact,
    ADD CONSTRAINT registrations_contact CHECK (email IS NOT NULL OR phone IS NOT NULL),
    DROP CONSTRAINT registrations_erasure_recorded,
    DROP CONSTRAINT registrations_consent_recorded,
    DROP CONSTRAINT registrations_legal_basis,
    DROP COLUMN erased_by_account,
    DROP COLUMN erased_by,
    DROP COLUMN erased_at,
    DROP COLUMN consent_at,
    DROP COLUMN consent_notice_version,
    DROP COLUMN legal_basis;
DROP TRIGGER registrations_default_basis ON registrations;
DROP FUNCTION registrations_default_basis();

ALTER TABLE conferences DROP COLUMN personal_data_erased_at, DROP COLUMN retention_days;

DROP TRIGGER conferences_default_notice ON conferences;
DROP FUNCTION conferences_default_notice();
DROP FUNCTION privacy_default_notice(uuid, uuid);
DROP TABLE privacy_notices;
