-- Delegates sign up for sessions that require it; the count lives on the session row, checked
-- against its capacity by the database.
ALTER TABLE conference_sessions
    ADD COLUMN signup_count integer NOT NULL DEFAULT 0 CHECK (signup_count >= 0),
    ADD CONSTRAINT conference_sessions_within_capacity CHECK (capacity IS NULL OR signup_count <= capacity);

CREATE TABLE session_signups (
    registration_id uuid NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    session_id      uuid NOT NULL REFERENCES conference_sessions (id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (registration_id, session_id)
);
CREATE INDEX session_signups_session_idx ON session_signups (session_id);
