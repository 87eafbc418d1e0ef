-- Recurring maintenance windows may cross midnight (patch nights are 22:00–04:00): an end minute
-- at or before the start minute means the window ends on the next local day. Only equal start
-- and end stay refused (no zero-length or ambiguous 24 h windows). SQLite cannot change a CHECK,
-- so the table is rebuilt with its rows and indexes.
CREATE TABLE maintenance_windows_new (
  id            TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  scope_type    TEXT NOT NULL CHECK (scope_type IN ('client', 'device')),
  client_id     TEXT REFERENCES clients(id) ON DELETE CASCADE,
  device_id     TEXT REFERENCES devices(id) ON DELETE CASCADE,
  kind          TEXT NOT NULL CHECK (kind IN ('one-off', 'recurring')),
  starts_at_ms  INTEGER,
  ends_at_ms    INTEGER,
  days_of_week  TEXT,
  start_minute  INTEGER CHECK (start_minute BETWEEN 0 AND 1439),
  end_minute    INTEGER CHECK (end_minute BETWEEN 0 AND 1440),
  created_at_ms INTEGER NOT NULL,
  created_by    TEXT,
  CHECK ((scope_type = 'client' AND client_id IS NOT NULL AND device_id IS NULL)
      OR (scope_type = 'device' AND device_id IS NOT NULL AND client_id IS NULL)),
  CHECK ((kind = 'one-off' AND starts_at_ms IS NOT NULL AND ends_at_ms > starts_at_ms)
      OR (kind = 'recurring' AND days_of_week IS NOT NULL AND start_minute IS NOT NULL AND end_minute IS NOT NULL AND end_minute <> start_minute))
);
INSERT INTO maintenance_windows_new SELECT id, name, scope_type, client_id, device_id, kind, starts_at_ms, ends_at_ms, days_of_week, start_minute, end_minute, created_at_ms, created_by FROM maintenance_windows;
DROP TABLE maintenance_windows;
ALTER TABLE maintenance_windows_new RENAME TO maintenance_windows;
CREATE INDEX maintenance_client ON maintenance_windows(client_id);
CREATE INDEX maintenance_device ON maintenance_windows(device_id);
