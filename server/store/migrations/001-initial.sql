-- Foundation schema: users and sessions, clients and their enrollment tokens, devices with their
-- credential hash and latest snapshot, metric series and samples, and per-stream sequence state.

CREATE TABLE users (
  id            TEXT PRIMARY KEY,
  username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
  password_hash TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('admin', 'technician', 'viewer')),
  email         TEXT,
  created_at_ms INTEGER NOT NULL
);

CREATE TABLE sessions (
  token_hash    TEXT PRIMARY KEY,
  user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at_ms INTEGER NOT NULL,
  expires_at_ms INTEGER NOT NULL
);
CREATE INDEX sessions_expiry ON sessions(expires_at_ms);

CREATE TABLE clients (
  id            TEXT PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
  contract      TEXT NOT NULL CHECK (contract IN ('monthly', 'break-fix')),
  monthly_fee   REAL NOT NULL DEFAULT 0 CHECK (monthly_fee >= 0),
  hourly_rate   REAL NOT NULL DEFAULT 0 CHECK (hourly_rate >= 0),
  currency      TEXT NOT NULL DEFAULT 'EUR',
  timezone      TEXT NOT NULL DEFAULT 'UTC',
  contact       TEXT,
  created_at_ms INTEGER NOT NULL
);

CREATE TABLE enrollment_tokens (
  id            TEXT PRIMARY KEY,
  client_id     TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  token_hash    TEXT NOT NULL UNIQUE,
  label         TEXT,
  created_at_ms INTEGER NOT NULL,
  expires_at_ms INTEGER,
  revoked_at_ms INTEGER
);

CREATE TABLE devices (
  id                TEXT PRIMARY KEY,
  client_id         TEXT NOT NULL REFERENCES clients(id),
  hostname          TEXT NOT NULL,
  machine_id        TEXT,
  token_hash        TEXT NOT NULL UNIQUE,
  is_disabled       INTEGER NOT NULL DEFAULT 0,
  agent_version     TEXT,
  facts_json        TEXT NOT NULL DEFAULT '{}',
  interval_ms       INTEGER NOT NULL DEFAULT 10000,
  enrolled_at_ms    INTEGER NOT NULL,
  last_seen_ms      INTEGER,
  latest_json       TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX devices_client ON devices(client_id);
CREATE UNIQUE INDEX devices_machine ON devices(client_id, machine_id) WHERE machine_id IS NOT NULL;

-- The highest stored seq of each agent stream: replays with seq <= last_seq are acknowledged
-- without being stored again.
CREATE TABLE device_streams (
  device_id  TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  stream_id  TEXT NOT NULL,
  last_seq   INTEGER NOT NULL,
  PRIMARY KEY (device_id, stream_id)
) WITHOUT ROWID;

CREATE TABLE series (
  id         INTEGER PRIMARY KEY,
  device_id  TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  name       TEXT NOT NULL,
  labels     TEXT NOT NULL DEFAULT '{}',
  UNIQUE (device_id, name, labels)
);

CREATE TABLE samples (
  series_id  INTEGER NOT NULL,
  ts_ms      INTEGER NOT NULL,
  value      REAL NOT NULL,
  PRIMARY KEY (series_id, ts_ms)
) WITHOUT ROWID;
