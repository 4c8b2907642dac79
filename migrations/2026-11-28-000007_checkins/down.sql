DROP TABLE checkins;
DROP TABLE checkin_devices;
