DROP FUNCTION self_register_v1;
DROP FUNCTION registration_reference;
DROP FUNCTION seat_decision;
DROP TRIGGER audit ON conferences;
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON conferences FOR EACH ROW
    EXECUTE FUNCTION audit_row_change('version', 'updated_at', 'search_text', 'confirmed_count', 'registration_seq');
DROP TRIGGER conference_seats_copy ON conferences;
DROP FUNCTION conference_seats_copy();
ALTER TABLE conferences
    ADD COLUMN confirmed_count integer NOT NULL DEFAULT 0 CHECK (confirmed_count >= 0),
    ADD COLUMN registration_seq integer NOT NULL DEFAULT 0 CHECK (registration_seq >= 0);
UPDATE conferences c SET confirmed_count = s.confirmed_count, registration_seq = s.registration_seq
FROM conference_seats s WHERE s.conference_id = c.id;
ALTER TABLE conferences
    ADD CONSTRAINT conferences_within_capacity CHECK (capacity IS NULL OR confirmed_count <= capacity);
DROP TABLE conference_seats;
