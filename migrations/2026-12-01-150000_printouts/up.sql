-- Certificates of attendance: one per registration, issued when an organizer first generates
-- it and the same ever after (the code printed on paper must keep verifying). The code is what
-- the public verification endpoint looks up: 10 characters of Crockford base32 (50 random
-- bits), short enough to type from paper, too many to guess.
CREATE TABLE certificates (
    registration_id uuid PRIMARY KEY REFERENCES registrations (id) ON DELETE CASCADE,
    conference_id   uuid NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    code            text NOT NULL UNIQUE CHECK (code ~ '^[0-9A-HJKMNP-TV-Z]{10}$'),
    -- The attendance rule the organizer chose when it was issued.
    rule            text NOT NULL CHECK (rule IN ('door', 'sessions')),
    min_sessions    integer CHECK (min_sessions BETWEEN 1 AND 1000),
    issued_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((rule = 'sessions') = (min_sessions IS NOT NULL))
);
CREATE INDEX certificates_conference_idx ON certificates (conference_id);

-- Every organizer download that carried QR secrets in bulk (badges): who, which conference,
-- what scope and how many codes. No personal values: the ids say which unit or registration.
CREATE TABLE qr_disclosures (
    id              uuid PRIMARY KEY,
    conference_id   uuid NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    account_id      uuid REFERENCES accounts (id) ON DELETE SET NULL,
    scope           text NOT NULL CHECK (scope IN ('conference', 'unit', 'registration')),
    unit_id         uuid REFERENCES units (id) ON DELETE SET NULL,
    registration_id uuid REFERENCES registrations (id) ON DELETE SET NULL,
    codes           integer NOT NULL CHECK (codes >= 0),
    disclosed_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX qr_disclosures_conference_idx ON qr_disclosures (conference_id, disclosed_at);
