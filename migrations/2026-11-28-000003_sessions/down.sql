DROP TABLE conference_sessions;
