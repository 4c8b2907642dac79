DROP TRIGGER units_renamed ON units;
DROP FUNCTION units_stamp_registrations();
