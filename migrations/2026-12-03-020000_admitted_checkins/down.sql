CREATE OR REPLACE VIEW live_checkins AS
SELECT * FROM checkins WHERE outcome = 'ok' AND direction = 'in' AND undone_at IS NULL;

DROP VIEW admitted_checkins;
