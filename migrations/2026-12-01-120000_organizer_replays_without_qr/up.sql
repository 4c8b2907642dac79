-- Organizer registration responses no longer carry the delegate's QR payload, so the stored
-- first responses that replays of organizer POSTs return lose it too.
UPDATE idempotency_keys
SET response = response #- '{registration,qr_payload}'
WHERE scope LIKE 'registrations:%';
