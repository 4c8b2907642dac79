DROP TABLE login_throttle;
DROP TABLE accounts;
DROP TABLE app_settings;
