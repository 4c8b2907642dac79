CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE conferences (
    id                     uuid PRIMARY KEY,
    code                   text NOT NULL CHECK (code ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND char_length(code) BETWEEN 2 AND 64),
    title                  text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 300),
    description            text CHECK (char_length(description) <= 10000),
    venue_name             text CHECK (char_length(venue_name) <= 300),
    venue_address          text CHECK (char_length(venue_address) <= 500),
    starts_at              timestamptz NOT NULL,
    ends_at                timestamptz NOT NULL,
    time_zone              text NOT NULL DEFAULT 'Asia/Ho_Chi_Minh' CHECK (char_length(time_zone) BETWEEN 1 AND 64),
    registration_opens_at  timestamptz,
    registration_closes_at timestamptz,
    capacity               integer CHECK (capacity > 0),
    waitlist_enabled       boolean NOT NULL DEFAULT false,
    registration_mode      text NOT NULL DEFAULT 'open'
                           CHECK (registration_mode IN ('open', 'invitation_only', 'approval_required')),
    host_organization      text CHECK (char_length(host_organization) <= 300),
    co_host_organizations  text[] NOT NULL DEFAULT '{}' CHECK (cardinality(co_host_organizations) <= 20),
    status                 text NOT NULL DEFAULT 'draft'
                           CHECK (status IN ('draft', 'published', 'closed', 'cancelled')),
    -- Accent- and case-folded title + code, computed by the application (see text::fold).
    search_text            text NOT NULL,
    -- Bumped on every write; the ETag of the resource.
    version                integer NOT NULL DEFAULT 1 CHECK (version > 0),
    created_by             uuid REFERENCES accounts (id),
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT conferences_code_key UNIQUE (code),
    CONSTRAINT conferences_ends_after_start CHECK (ends_at > starts_at),
    CONSTRAINT conferences_registration_window CHECK (
        registration_opens_at IS NULL OR registration_closes_at IS NULL
        OR registration_closes_at > registration_opens_at)
);
CREATE INDEX conferences_created_at_id_idx ON conferences (created_at, id);
CREATE INDEX conferences_status_idx ON conferences (status);
CREATE INDEX conferences_search_trgm_idx ON conferences USING gin (search_text gin_trgm_ops);

CREATE TABLE conference_organizers (
    conference_id uuid NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    account_id    uuid NOT NULL REFERENCES accounts (id),
    added_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (conference_id, account_id)
);
CREATE INDEX conference_organizers_account_idx ON conference_organizers (account_id);

-- The calendar date on which a timestamp falls in the given IANA time zone.
CREATE FUNCTION local_start_date(starts_at timestamptz, time_zone text) RETURNS date
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
    AS $$ SELECT (starts_at AT TIME ZONE time_zone)::date $$;
