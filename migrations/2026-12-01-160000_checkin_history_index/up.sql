-- The check-in history export reads a conference's scans in pages ordered by server time
-- (keyset on received_at, id): this index serves each page without sorting the whole history.
CREATE INDEX checkins_history_idx ON checkins (conference_id, received_at, id);
