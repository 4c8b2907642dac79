DROP TABLE units;
DROP FUNCTION units_reject_cycles();
