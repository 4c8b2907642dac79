-- Agenda items of a conference ("phiên"). Named conference_sessions to avoid confusion with
-- login sessions.
CREATE TABLE conference_sessions (
    id              uuid PRIMARY KEY,
    conference_id   uuid NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    title           text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 300),
    description     text CHECK (char_length(description) <= 10000),
    kind            text NOT NULL
                    CHECK (kind IN ('opening', 'presentation', 'discussion', 'film', 'break', 'visit', 'other')),
    room            text CHECK (char_length(room) <= 200),
    speakers        text[] NOT NULL DEFAULT '{}' CHECK (cardinality(speakers) <= 50),
    starts_at       timestamptz NOT NULL,
    ends_at         timestamptz NOT NULL,
    capacity        integer CHECK (capacity > 0),
    signup_required boolean NOT NULL DEFAULT false,
    version         integer NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT conference_sessions_ends_after_start CHECK (ends_at > starts_at)
);
CREATE INDEX conference_sessions_agenda_idx ON conference_sessions (conference_id, starts_at, id);
