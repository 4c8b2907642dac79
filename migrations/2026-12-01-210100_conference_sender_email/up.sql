-- The address a conference's emails come from, when the organizer has one that the SMTP server
-- may send as; otherwise HOITHAO_MAIL_FROM's address (the sender name is always the host).
ALTER TABLE conferences
    ADD COLUMN sender_email text CHECK (sender_email IS NULL OR length(sender_email) <= 254);
