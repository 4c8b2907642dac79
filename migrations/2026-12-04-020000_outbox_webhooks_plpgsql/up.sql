-- outbox_webhooks runs in the trigger of every check-in and every registration write. As a
-- SQL-language function called with PERFORM it was planned again at every call (PostgreSQL
-- caches a SQL function's plan only for one execution of the calling query): about a sixth of
-- PostgreSQL's CPU in the scan and self-registration benchmarks, with no endpoint at all. In
-- PL/pgSQL its statements are planned once per connection. Same signature and behaviour.
CREATE OR REPLACE FUNCTION outbox_webhooks(p_conference uuid, p_event text, p_registration uuid,
                                           p_invitation uuid, p_data jsonb) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (conference_id, channel, event, registration_id, invitation_id, endpoint_id, data)
    SELECT p_conference, 'webhook', p_event, p_registration, p_invitation, e.id, p_data
    FROM webhook_endpoints e
    WHERE e.conference_id = p_conference AND e.enabled AND p_event = ANY (e.events);
END
$$;
