DROP INDEX checkins_history_idx;
