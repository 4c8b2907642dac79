CREATE OR REPLACE FUNCTION outbox_webhooks(p_conference uuid, p_event text, p_registration uuid,
                                           p_invitation uuid, p_data jsonb) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO outbox (conference_id, channel, event, registration_id, invitation_id, endpoint_id, data)
    SELECT p_conference, 'webhook', p_event, p_registration, p_invitation, e.id, p_data
    FROM webhook_endpoints e
    WHERE e.conference_id = p_conference AND e.enabled AND p_event = ANY (e.events)
$$;
