-- Rules engine: rules (with per-scope overrides), alerts (monthly clients) and their audit trail,
-- incidents (break-fix clients) with their audit trail and billable time entries, maintenance
-- windows, and the notification outbox the on-call delivery reads from.

CREATE TABLE rules (
  id                TEXT PRIMARY KEY,
  name              TEXT NOT NULL,
  kind              TEXT NOT NULL CHECK (kind IN ('threshold', 'offline', 'forecast', 'service-down', 'printer-error', 'smart-failing')),
  severity          TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  scope_type        TEXT NOT NULL CHECK (scope_type IN ('global', 'client', 'device')),
  client_id         TEXT REFERENCES clients(id) ON DELETE CASCADE,
  device_id         TEXT REFERENCES devices(id) ON DELETE CASCADE,
  -- An override replaces the rule it names for the devices of its (narrower) scope.
  overrides_rule_id TEXT REFERENCES rules(id) ON DELETE CASCADE,
  is_enabled        INTEGER NOT NULL DEFAULT 1,
  is_default        INTEGER NOT NULL DEFAULT 0,
  -- Kind-specific parameters (metric, thresholds, durations in ms), validated by the server.
  params_json       TEXT NOT NULL,
  created_at_ms     INTEGER NOT NULL,
  updated_at_ms     INTEGER NOT NULL,
  updated_by        TEXT,
  CHECK ((scope_type = 'global' AND client_id IS NULL AND device_id IS NULL)
      OR (scope_type = 'client' AND client_id IS NOT NULL AND device_id IS NULL)
      OR (scope_type = 'device' AND device_id IS NOT NULL AND client_id IS NULL))
);
CREATE UNIQUE INDEX rules_one_override_per_scope
  ON rules(overrides_rule_id, scope_type, coalesce(client_id, ''), coalesce(device_id, ''))
  WHERE overrides_rule_id IS NOT NULL;

-- rule_id is the rule family (the base rule, never an override) and carries no foreign key:
-- the history of an alert outlives the rule that raised it. client_id is the device's client when
-- the alert opened (devices can move).
CREATE TABLE alerts (
  id                 TEXT PRIMARY KEY,
  rule_id            TEXT NOT NULL,
  rule_name          TEXT NOT NULL,
  rule_kind          TEXT NOT NULL,
  severity           TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  device_id          TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  client_id          TEXT NOT NULL REFERENCES clients(id),
  labels_json        TEXT NOT NULL DEFAULT '{}',
  state              TEXT NOT NULL CHECK (state IN ('firing', 'acknowledged', 'resolved')),
  summary            TEXT NOT NULL,
  value              REAL,
  is_in_maintenance  INTEGER NOT NULL DEFAULT 0,
  is_flapping        INTEGER NOT NULL DEFAULT 0,
  -- 1 once a firing notification was queued; follow-ups (ack, resolved) are queued only then.
  is_notified        INTEGER NOT NULL DEFAULT 0,
  opened_at_ms       INTEGER NOT NULL,
  acknowledged_at_ms INTEGER,
  acknowledged_by    TEXT,
  resolved_at_ms     INTEGER,
  resolved_by        TEXT,
  resolution         TEXT CHECK (resolution IN ('cleared', 'manual', 'rule-removed')),
  assignee_id        TEXT REFERENCES users(id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX alerts_one_open ON alerts(rule_id, device_id, labels_json) WHERE state <> 'resolved';
CREATE INDEX alerts_client_opened ON alerts(client_id, opened_at_ms);
CREATE INDEX alerts_device_opened ON alerts(device_id, opened_at_ms);
CREATE INDEX alerts_state_opened ON alerts(state, opened_at_ms);

-- Who did what to an alert, and when ('system' for the engine).
CREATE TABLE alert_events (
  id          INTEGER PRIMARY KEY,
  alert_id    TEXT NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
  at_ms       INTEGER NOT NULL,
  actor_id    TEXT,
  actor_name  TEXT NOT NULL,
  action      TEXT NOT NULL CHECK (action IN ('fired', 'paged', 'acknowledged', 'resolved', 'assigned', 'commented')),
  detail      TEXT
);
CREATE INDEX alert_events_alert ON alert_events(alert_id, id);

CREATE TABLE incidents (
  id                TEXT PRIMARY KEY,
  source            TEXT NOT NULL CHECK (source IN ('rule', 'manual')),
  rule_id           TEXT,
  rule_name         TEXT,
  rule_kind         TEXT,
  severity          TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  device_id         TEXT REFERENCES devices(id) ON DELETE CASCADE,
  client_id         TEXT NOT NULL REFERENCES clients(id),
  labels_json       TEXT NOT NULL DEFAULT '{}',
  title             TEXT NOT NULL,
  state             TEXT NOT NULL CHECK (state IN ('open', 'closed', 'billed')),
  value             REAL,
  -- The device's latest values when the incident opened: context for the technician.
  snapshot_json     TEXT NOT NULL DEFAULT '{}',
  is_in_maintenance INTEGER NOT NULL DEFAULT 0,
  is_flapping       INTEGER NOT NULL DEFAULT 0,
  opened_at_ms      INTEGER NOT NULL,
  opened_by         TEXT,
  closed_at_ms      INTEGER,
  closed_by         TEXT,
  closure           TEXT CHECK (closure IN ('cleared', 'manual', 'rule-removed')),
  billed_at_ms      INTEGER,
  billed_by         TEXT
);
CREATE UNIQUE INDEX incidents_one_open ON incidents(rule_id, device_id, labels_json) WHERE state = 'open' AND source = 'rule';
CREATE INDEX incidents_client_opened ON incidents(client_id, opened_at_ms);
CREATE INDEX incidents_state_opened ON incidents(state, opened_at_ms);

CREATE TABLE incident_events (
  id          INTEGER PRIMARY KEY,
  incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
  at_ms       INTEGER NOT NULL,
  actor_id    TEXT,
  actor_name  TEXT NOT NULL,
  action      TEXT NOT NULL CHECK (action IN ('opened', 'closed', 'billed', 'time-booked', 'time-removed', 'commented')),
  detail      TEXT
);
CREATE INDEX incident_events_incident ON incident_events(incident_id, id);

-- Billable time on an incident. work_date is the local calendar day the work was done
-- (YYYY-MM-DD), which is what a monthly invoice groups by.
CREATE TABLE time_entries (
  id            TEXT PRIMARY KEY,
  incident_id   TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
  technician    TEXT NOT NULL,
  minutes       INTEGER NOT NULL CHECK (minutes > 0),
  note          TEXT,
  work_date     TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  created_by    TEXT
);
CREATE INDEX time_entries_incident ON time_entries(incident_id);
CREATE INDEX time_entries_date ON time_entries(work_date);

-- One-off windows use starts/ends (ms); recurring ones use days (comma-separated 0=Sunday…6) and
-- start/end minute of the local day in the client's time zone.
CREATE TABLE maintenance_windows (
  id            TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  scope_type    TEXT NOT NULL CHECK (scope_type IN ('client', 'device')),
  client_id     TEXT REFERENCES clients(id) ON DELETE CASCADE,
  device_id     TEXT REFERENCES devices(id) ON DELETE CASCADE,
  kind          TEXT NOT NULL CHECK (kind IN ('one-off', 'recurring')),
  starts_at_ms  INTEGER,
  ends_at_ms    INTEGER,
  days_of_week  TEXT,
  start_minute  INTEGER,
  end_minute    INTEGER,
  created_at_ms INTEGER NOT NULL,
  created_by    TEXT,
  CHECK ((scope_type = 'client' AND client_id IS NOT NULL AND device_id IS NULL)
      OR (scope_type = 'device' AND device_id IS NOT NULL AND client_id IS NULL)),
  CHECK ((kind = 'one-off' AND starts_at_ms IS NOT NULL AND ends_at_ms > starts_at_ms)
      OR (kind = 'recurring' AND days_of_week IS NOT NULL AND end_minute > start_minute))
);
CREATE INDEX maintenance_client ON maintenance_windows(client_id);
CREATE INDEX maintenance_device ON maintenance_windows(device_id);

-- Durable notification jobs. The engine and alert actions insert 'pending' rows in the same
-- transaction as the alert change; the on-call delivery claims, retries and finishes them.
-- status is deliberately unconstrained so delivery can add its own states (sending, sent, failed).
CREATE TABLE outbox (
  id                 INTEGER PRIMARY KEY,
  idempotency_key    TEXT NOT NULL UNIQUE,
  kind               TEXT NOT NULL,
  alert_id           TEXT REFERENCES alerts(id) ON DELETE CASCADE,
  payload_json       TEXT NOT NULL,
  status             TEXT NOT NULL DEFAULT 'pending',
  attempts           INTEGER NOT NULL DEFAULT 0,
  next_attempt_at_ms INTEGER NOT NULL,
  last_error         TEXT,
  created_at_ms      INTEGER NOT NULL
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at_ms);
