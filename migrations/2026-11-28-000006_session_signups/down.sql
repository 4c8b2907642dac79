DROP TABLE session_signups;
ALTER TABLE conference_sessions DROP CONSTRAINT conference_sessions_within_capacity, DROP COLUMN signup_count;
