-- Values every replica must agree on (e.g. the generated JWT signing secret).
CREATE TABLE app_settings (
    key        text PRIMARY KEY CHECK (char_length(key) BETWEEN 1 AND 100),
    value      text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE accounts (
    id            uuid PRIMARY KEY,
    email         text NOT NULL CHECK (email = lower(email) AND char_length(email) BETWEEN 3 AND 254),
    display_name  text NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 200),
    password_hash text NOT NULL,
    role          text NOT NULL CHECK (role IN ('admin', 'organizer')),
    disabled_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT accounts_email_key UNIQUE (email)
);
CREATE INDEX accounts_created_at_id_idx ON accounts (created_at, id);

-- Failed-login counters shared by every replica: one row per IP and per account email.
CREATE TABLE login_throttle (
    key               text PRIMARY KEY,
    window_started_at timestamptz NOT NULL,
    failures          integer NOT NULL CHECK (failures >= 0)
);
