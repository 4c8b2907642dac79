-- The removed payloads are not restored: replays stay without the secret.
SELECT 1;
