-- What the post-event report quotes about a substitution: the replaced person's position and
-- unit, and who made the change (the unit's contact through its invitation link, or a door
-- device). The conference is copied onto the row so that its list pages by one index.
ALTER TABLE registration_substitutions
    ADD COLUMN conference_id     uuid REFERENCES conferences (id) ON DELETE CASCADE,
    ADD COLUMN previous_position text,
    ADD COLUMN previous_unit_id  uuid REFERENCES units (id),
    ADD COLUMN invitation_id     uuid REFERENCES invitations (id),
    ADD COLUMN device_id         uuid REFERENCES checkin_devices (id);

-- Rows written before this migration: the conference is the registration's; the unit is the
-- invitation's (both kinds of substitution so far keep the invited unit on the seat); the
-- previous position and the door device were not recorded and stay NULL.
UPDATE registration_substitutions s
SET conference_id    = r.conference_id,
    previous_unit_id = i.unit_id,
    invitation_id    = CASE WHEN s.substituted_by = 'invitation' THEN r.invitation_id END
FROM registrations r
LEFT JOIN invitations i ON i.id = r.invitation_id
WHERE r.id = s.registration_id;

ALTER TABLE registration_substitutions ALTER COLUMN conference_id SET NOT NULL;
CREATE INDEX registration_substitutions_list_idx
    ON registration_substitutions (conference_id, substituted_at, id);
