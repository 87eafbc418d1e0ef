-- The HMAC key of acknowledge links leaves the plain value column: it moves to secret_sealed,
-- which the server seals with the key file outside the database at its next start
-- (server/auth/sealed-columns.ts). The key itself is unchanged, so links already sent keep
-- working. secure_delete overwrites the freed bytes of the old value in this transaction.
PRAGMA secure_delete = ON;
ALTER TABLE notify_settings ADD COLUMN secret_sealed TEXT;
UPDATE notify_settings SET secret_sealed = json_extract(value, '$'), value = 'null' WHERE key = 'ack_link_secret';
PRAGMA secure_delete = OFF;
