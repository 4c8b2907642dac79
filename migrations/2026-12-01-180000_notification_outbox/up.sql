-- Notifications through a transactional outbox (issue 11).
--
-- Every notification is a row written by a trigger in the transaction of the change that causes
-- it, so every code path (API, bulk actions, imports, waitlist promotion, the check-in
-- functions) enqueues without remembering to, a rolled-back change enqueues nothing, and a
-- committed one is never lost. Rows hold ids and event data, never the rendered message or the
-- recipient's address: both are rendered at delivery time from the current rows, so erasing a
-- person (ON DELETE CASCADE) leaves nothing of them here.

-- The language a delegate reads their emails in.
ALTER TABLE registrations
    ADD COLUMN language text NOT NULL DEFAULT 'vi' CHECK (language IN ('vi', 'en'));

-- An integrator's endpoint for a conference's events (Standard Webhooks). The secret signs
-- every delivery, so it is kept as issued (it is shown once); after a rotation the previous one
-- still signs (a second signature) for a day, so receivers can switch without losing events.
CREATE TABLE webhook_endpoints (
    id                    uuid PRIMARY KEY,
    conference_id         uuid NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    url                   text NOT NULL CHECK (char_length(url) BETWEEN 1 AND 2000),
    events                text[] NOT NULL CHECK (cardinality(events) > 0),
    secret                text NOT NULL,
    previous_secret       text,
    previous_secret_until timestamptz,
    enabled               boolean NOT NULL DEFAULT true,
    -- Since when every delivery has failed; past HOITHAO_WEBHOOK_DISABLE_AFTER_HOURS the
    -- endpoint is disabled, with the reason.
    failing_since         timestamptz,
    disabled_reason       text,
    created_by            uuid REFERENCES accounts (id),
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoints_conference ON webhook_endpoints (conference_id);

CREATE TABLE outbox (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    conference_id   uuid NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    channel         text NOT NULL CHECK (channel IN ('email', 'webhook')),
    event           text NOT NULL CHECK (event IN (
                        'registration.received', 'registration.confirmed', 'registration.waitlisted',
                        'registration.promoted', 'registration.approved', 'registration.rejected',
                        'registration.cancelled', 'registration.substituted', 'registration.reminder',
                        'invitation.created', 'invitation.resent',
                        'conference.changed', 'conference.cancelled', 'checkin.recorded')),
    -- What it is about; for an email, the recipient: a registration's delegate or an invited
    -- unit's contact.
    registration_id uuid REFERENCES registrations (id) ON DELETE CASCADE,
    invitation_id   uuid REFERENCES invitations (id) ON DELETE CASCADE,
    -- A webhook delivery's endpoint.
    endpoint_id     uuid REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    data            jsonb NOT NULL DEFAULT '{}',
    -- The one-time link token (delegate or invitation) the message carries: only its hash is
    -- kept elsewhere. Written by the transaction that issued it, cleared once delivered.
    link_token      text,
    -- pending: waiting for its time; sending: claimed by a worker until next_attempt_at (the
    -- lease); sent; dead: out of attempts, an organizer may retry it; skipped: nothing to send
    -- any more (the recipient has no address now).
    state           text NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'sending', 'sent', 'dead', 'skipped')),
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text CHECK (char_length(last_error) <= 1000),
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    CONSTRAINT outbox_one_recipient CHECK (channel <> 'email' OR num_nonnulls(registration_id, invitation_id) = 1),
    CONSTRAINT outbox_webhook_endpoint CHECK ((channel = 'webhook') = (endpoint_id IS NOT NULL)),
    CONSTRAINT outbox_webhooks_carry_no_link CHECK (channel = 'email' OR link_token IS NULL),
    CONSTRAINT outbox_sent_at CHECK ((state = 'sent') = (sent_at IS NOT NULL)),
    CONSTRAINT outbox_token_until_sent CHECK (state NOT IN ('sent', 'skipped') OR link_token IS NULL)
);
-- The claim reads due rows in this order; a lease is a `sending` row whose time has come.
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state IN ('pending', 'sending');
CREATE INDEX outbox_conference_state ON outbox (conference_id, state);
CREATE INDEX outbox_registration ON outbox (registration_id);
CREATE INDEX outbox_invitation ON outbox (invitation_id);
CREATE INDEX outbox_endpoint ON outbox (endpoint_id, created_at);

-- Every attempt at a webhook delivery: the endpoint's delivery log.
CREATE TABLE webhook_attempts (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    endpoint_id   uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    outbox_id     uuid NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    attempted_at  timestamptz NOT NULL DEFAULT now(),
    status_code   integer,
    error         text CHECK (char_length(error) <= 1000),
    duration_ms   integer NOT NULL
);
CREATE INDEX webhook_attempts_endpoint ON webhook_attempts (endpoint_id, attempted_at DESC);

-- One webhook row per enabled endpoint of the conference that asked for the event.
CREATE FUNCTION outbox_webhooks(p_conference uuid, p_event text, p_registration uuid,
                                p_invitation uuid, p_data jsonb) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO outbox (conference_id, channel, event, registration_id, invitation_id, endpoint_id, data)
    SELECT p_conference, 'webhook', p_event, p_registration, p_invitation, e.id, p_data
    FROM webhook_endpoints e
    WHERE e.conference_id = p_conference AND e.enabled AND p_event = ANY (e.events)
$$;
-- One reminder per registration, however many workers schedule reminders at once.
CREATE UNIQUE INDEX outbox_one_reminder ON outbox (registration_id)
    WHERE event = 'registration.reminder';

-- Which event a registration's status change is.
CREATE FUNCTION outbox_registration_event(p_old text, p_new text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN p_old IS NULL AND p_new = 'pending_approval' THEN 'registration.received'
        WHEN p_old IS NULL AND p_new = 'confirmed' THEN 'registration.confirmed'
        WHEN p_new = 'waitlisted' THEN 'registration.waitlisted'
        WHEN p_old = 'waitlisted' AND p_new = 'confirmed' THEN 'registration.promoted'
        WHEN p_old = 'pending_approval' AND p_new = 'confirmed' THEN 'registration.approved'
        WHEN p_new = 'rejected' THEN 'registration.rejected'
        WHEN p_new = 'cancelled' THEN 'registration.cancelled'
    END
$$;

CREATE FUNCTION outbox_on_registration() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v_event text := outbox_registration_event(
        CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE OLD.status END, NEW.status);
BEGIN
    IF v_event IS NOT NULL AND NEW.email IS NOT NULL THEN
        INSERT INTO outbox (conference_id, channel, event, registration_id, data)
        VALUES (NEW.conference_id, 'email', v_event, NEW.id,
                jsonb_build_object('status', NEW.status));
    END IF;
    IF v_event IS NOT NULL THEN
        PERFORM outbox_webhooks(NEW.conference_id, v_event, NEW.id, NULL,
                                jsonb_build_object('status', NEW.status));
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER registrations_outbox_insert AFTER INSERT ON registrations
    FOR EACH ROW EXECUTE FUNCTION outbox_on_registration();
CREATE TRIGGER registrations_outbox_status AFTER UPDATE OF status ON registrations
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION outbox_on_registration();

-- A substitution: the new person on the seat gets their code and link. The registration row
-- still holds the person being replaced here (the new one is written next, in the same
-- transaction), so whether there is an address to write to is decided at delivery.
CREATE FUNCTION outbox_on_substitution() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (conference_id, channel, event, registration_id, data)
    VALUES (NEW.conference_id, 'email', 'registration.substituted', NEW.registration_id,
            jsonb_build_object('substitution_id', NEW.id, 'by', NEW.substituted_by));
    PERFORM outbox_webhooks(NEW.conference_id, 'registration.substituted', NEW.registration_id, NULL,
                            jsonb_build_object('substitution_id', NEW.id, 'by', NEW.substituted_by));
    RETURN NULL;
END
$$;
CREATE TRIGGER registration_substitutions_outbox AFTER INSERT ON registration_substitutions
    FOR EACH ROW EXECUTE FUNCTION outbox_on_substitution();

-- An invitation created, or its link issued again (a new token hash): to the unit's contact.
CREATE FUNCTION outbox_on_invitation() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (conference_id, channel, event, invitation_id, data)
    SELECT NEW.conference_id, 'email',
           CASE WHEN TG_OP = 'INSERT' THEN 'invitation.created' ELSE 'invitation.resent' END,
           NEW.id, jsonb_build_object('seats', NEW.seats)
    FROM units u
    WHERE u.id = NEW.unit_id AND u.email IS NOT NULL;
    PERFORM outbox_webhooks(NEW.conference_id,
                            CASE WHEN TG_OP = 'INSERT' THEN 'invitation.created' ELSE 'invitation.resent' END,
                            NULL, NEW.id, jsonb_build_object('seats', NEW.seats, 'unit_id', NEW.unit_id));
    RETURN NULL;
END
$$;
CREATE TRIGGER invitations_outbox_insert AFTER INSERT ON invitations
    FOR EACH ROW EXECUTE FUNCTION outbox_on_invitation();
CREATE TRIGGER invitations_outbox_token AFTER UPDATE OF token_hash ON invitations
    FOR EACH ROW WHEN (OLD.token_hash IS DISTINCT FROM NEW.token_hash)
    EXECUTE FUNCTION outbox_on_invitation();

-- A published conference moved, renamed or cancelled: to every delegate still expecting it.
CREATE FUNCTION outbox_on_conference() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v_event text;
    v_changed text[] := ARRAY[]::text[];
BEGIN
    IF NEW.status = 'cancelled' AND OLD.status <> 'cancelled' THEN
        v_event := 'conference.cancelled';
    ELSIF NEW.status = 'published' AND OLD.status = 'published' THEN
        IF NEW.title IS DISTINCT FROM OLD.title THEN v_changed := v_changed || 'title'::text; END IF;
        IF NEW.starts_at IS DISTINCT FROM OLD.starts_at THEN v_changed := v_changed || 'starts_at'::text; END IF;
        IF NEW.ends_at IS DISTINCT FROM OLD.ends_at THEN v_changed := v_changed || 'ends_at'::text; END IF;
        IF NEW.venue_name IS DISTINCT FROM OLD.venue_name THEN v_changed := v_changed || 'venue_name'::text; END IF;
        IF NEW.venue_address IS DISTINCT FROM OLD.venue_address THEN v_changed := v_changed || 'venue_address'::text; END IF;
        IF cardinality(v_changed) > 0 THEN v_event := 'conference.changed'; END IF;
    END IF;
    IF v_event IS NOT NULL THEN
        INSERT INTO outbox (conference_id, channel, event, registration_id, data)
        SELECT NEW.id, 'email', v_event, r.id, jsonb_build_object('changed', to_jsonb(v_changed))
        FROM registrations r
        WHERE r.conference_id = NEW.id AND r.email IS NOT NULL
          AND r.status IN ('pending_approval', 'confirmed', 'waitlisted');
        PERFORM outbox_webhooks(NEW.id, v_event, NULL, NULL,
                                jsonb_build_object('changed', to_jsonb(v_changed)));
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER conferences_outbox AFTER UPDATE ON conferences
    FOR EACH ROW EXECUTE FUNCTION outbox_on_conference();

-- A successful entry at the door or a session: for integrators (no email).
CREATE FUNCTION outbox_on_checkin() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM outbox_webhooks(NEW.conference_id, 'checkin.recorded', NEW.registration_id, NULL,
        jsonb_build_object('checkin_id', NEW.id, 'session_id', NEW.session_id,
                           'direction', NEW.direction, 'occurred_at', NEW.occurred_at));
    RETURN NULL;
END
$$;
CREATE TRIGGER checkins_outbox AFTER INSERT ON checkins
    FOR EACH ROW WHEN (NEW.outcome = 'ok' AND NEW.registration_id IS NOT NULL)
    EXECUTE FUNCTION outbox_on_checkin();
