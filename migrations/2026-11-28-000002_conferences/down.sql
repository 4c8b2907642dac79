DROP FUNCTION local_start_date(timestamptz, text);
DROP TABLE conference_organizers;
DROP TABLE conferences;
