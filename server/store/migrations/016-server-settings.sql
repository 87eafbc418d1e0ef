-- Settings of the server itself, chosen on the first-start setup page (or later by an admin):
-- the public URL every link in notifications and install commands uses, the default time zone,
-- and the setup state (the hash of the one-time setup code until setup is done).
CREATE TABLE server_settings (
  key            TEXT PRIMARY KEY,
  value          TEXT NOT NULL,
  updated_at_ms  INTEGER NOT NULL
);
