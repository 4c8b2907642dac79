DROP INDEX registration_substitutions_list_idx;
ALTER TABLE registration_substitutions
    DROP COLUMN device_id,
    DROP COLUMN invitation_id,
    DROP COLUMN previous_unit_id,
    DROP COLUMN previous_position,
    DROP COLUMN conference_id;
