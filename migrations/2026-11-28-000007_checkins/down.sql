DROP TRIGGER checkins_notify ON checkins;
DROP FUNCTION checkins_notify();
DROP TRIGGER registrations_changed ON registrations;
DROP FUNCTION registrations_stamp_change();
ALTER TABLE registrations DROP COLUMN changed_xid;
DROP TABLE checkins;
DROP TABLE checkin_devices;
