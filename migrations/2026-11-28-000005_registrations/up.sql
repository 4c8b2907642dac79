-- Seat accounting lives on the conference row: every registration write locks it, so capacity
-- and registration numbers hold with any number of API replicas.
ALTER TABLE conferences
    ADD COLUMN confirmed_count integer NOT NULL DEFAULT 0 CHECK (confirmed_count >= 0),
    ADD COLUMN registration_seq integer NOT NULL DEFAULT 0 CHECK (registration_seq >= 0),
    ADD CONSTRAINT conferences_within_capacity CHECK (capacity IS NULL OR confirmed_count <= capacity);

-- A unit invited to a conference with a number of seats; the link token is stored hashed.
CREATE TABLE invitations (
    id            uuid PRIMARY KEY,
    conference_id uuid NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    unit_id       uuid NOT NULL REFERENCES units (id),
    seats         integer NOT NULL CHECK (seats BETWEEN 1 AND 10000),
    used_seats    integer NOT NULL DEFAULT 0 CHECK (used_seats >= 0),
    expires_at    timestamptz,
    token_hash    bytea NOT NULL UNIQUE,
    revoked_at    timestamptz,
    created_by    uuid REFERENCES accounts (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT invitations_within_quota CHECK (used_seats <= seats),
    CONSTRAINT invitations_one_per_unit UNIQUE (conference_id, unit_id)
);

CREATE TABLE registrations (
    id                  uuid PRIMARY KEY,
    conference_id       uuid NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    number              integer NOT NULL CHECK (number > 0),
    full_name           text NOT NULL CHECK (char_length(full_name) BETWEEN 1 AND 200),
    position            text CHECK (char_length(position) <= 200),
    unit_id             uuid REFERENCES units (id),
    organization        text CHECK (char_length(organization) <= 300),
    category            text NOT NULL CHECK (category IN
                        ('guest', 'agency', 'district', 'commune', 'enterprise', 'expert', 'speaker', 'press', 'staff')),
    email               text CHECK (email = lower(email) AND char_length(email) <= 254),
    phone               text CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
    status              text NOT NULL CHECK (status IN
                        ('pending_approval', 'confirmed', 'waitlisted', 'cancelled', 'rejected')),
    source              text NOT NULL CHECK (source IN ('self', 'invitation', 'organizer', 'import')),
    invitation_id       uuid REFERENCES invitations (id),
    -- At least 128 random bits; shown to the delegate as a QR code.
    qr_secret           text NOT NULL UNIQUE CHECK (char_length(qr_secret) >= 22),
    delegate_token_hash bytea NOT NULL UNIQUE,
    -- Folded name, unit, number, phone and email for accent-insensitive search.
    search_text         text NOT NULL,
    waitlisted_at       timestamptz,
    version             integer NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT registrations_contact CHECK (email IS NOT NULL OR phone IS NOT NULL),
    CONSTRAINT registrations_number_key UNIQUE (conference_id, number),
    CONSTRAINT registrations_invitation_source CHECK ((source = 'invitation') = (invitation_id IS NOT NULL)),
    CONSTRAINT registrations_waitlist_order CHECK ((status = 'waitlisted') <= (waitlisted_at IS NOT NULL))
);
-- One live registration per person (normalised email or phone) per conference.
CREATE UNIQUE INDEX registrations_email_key ON registrations (conference_id, email)
    WHERE email IS NOT NULL AND status NOT IN ('cancelled', 'rejected');
CREATE UNIQUE INDEX registrations_phone_key ON registrations (conference_id, phone)
    WHERE phone IS NOT NULL AND status NOT IN ('cancelled', 'rejected');
CREATE INDEX registrations_list_idx ON registrations (conference_id, created_at, id);
CREATE INDEX registrations_waitlist_idx ON registrations (conference_id, waitlisted_at, id) WHERE status = 'waitlisted';
CREATE INDEX registrations_unit_idx ON registrations (unit_id);
CREATE INDEX registrations_invitation_idx ON registrations (invitation_id);
CREATE INDEX registrations_search_trgm_idx ON registrations USING gin (search_text gin_trgm_ops);

-- Who replaced whom on a seat, and when.
CREATE TABLE registration_substitutions (
    id               uuid PRIMARY KEY,
    registration_id  uuid NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    previous_name    text NOT NULL,
    previous_email   text,
    previous_phone   text,
    new_name         text NOT NULL,
    substituted_by   text NOT NULL CHECK (substituted_by IN ('invitation', 'organizer', 'door')),
    substituted_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX registration_substitutions_registration_idx ON registration_substitutions (registration_id);

-- Replays of registration POSTs with the same Idempotency-Key get the first response.
CREATE TABLE idempotency_keys (
    scope         text NOT NULL,
    key           text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 200),
    request_hash  bytea NOT NULL,
    status        smallint NOT NULL,
    response      jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);
