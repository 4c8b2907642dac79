-- An admitted scan: a successful one (in or out) that has not been undone. The "who is inside
-- now" figures (a delegate is inside when their latest admitted scan is an entry) read it, and a
-- live entry is an admitted entry, so the condition is written once. Only the predicate of the
-- unique index `checkins_once` (000007) repeats it, since an index predicate cannot use a view.
-- `SELECT *` is expanded now: a column added to checkins later is in neither view until both
-- are replaced (live_checkins after admitted_checkins).
CREATE VIEW admitted_checkins AS
SELECT * FROM checkins WHERE outcome = 'ok' AND undone_at IS NULL;

-- Same columns, in the same order, as 140000's definition: the functions reading it are unchanged.
CREATE OR REPLACE VIEW live_checkins AS
SELECT * FROM admitted_checkins WHERE direction = 'in';
