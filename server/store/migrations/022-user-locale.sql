-- The dashboard language a user chose on the account page ('en' or 'nl'); NULL means "follow the
-- browser". Client reports have their own language per client (client_report_settings).
ALTER TABLE users ADD COLUMN locale TEXT CHECK (locale IS NULL OR locale IN ('en', 'nl'));
