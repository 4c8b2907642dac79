ALTER TABLE conferences DROP COLUMN sender_email;
