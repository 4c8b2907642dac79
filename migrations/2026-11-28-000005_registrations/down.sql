DROP TABLE idempotency_keys;
DROP TABLE registration_substitutions;
DROP TABLE registrations;
DROP TABLE invitations;
ALTER TABLE conferences DROP COLUMN confirmed_count, DROP COLUMN registration_seq;
