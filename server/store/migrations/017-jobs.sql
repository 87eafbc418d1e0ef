-- Maintenance jobs (server/jobs/job-service.ts): one row per job and device. The envelope is
-- stored as signed (task, params, window, nonce); the signature is made when the job is sent,
-- by the key file the database does not hold. States: queued → sent → running →
-- done | failed | refused, or expired when its window passed before it ran.
CREATE TABLE jobs (
  id               TEXT PRIMARY KEY,
  device_id        TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  client_id        TEXT NOT NULL,
  task             TEXT NOT NULL,
  params_json      TEXT NOT NULL,
  not_before_ms    INTEGER NOT NULL,
  not_after_ms     INTEGER NOT NULL,
  nonce            TEXT NOT NULL UNIQUE,
  incident_id      TEXT,
  state            TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'running', 'done', 'failed', 'refused', 'expired')),
  created_at_ms    INTEGER NOT NULL,
  created_by       TEXT NOT NULL,
  sent_at_ms       INTEGER,
  started_at_ms    INTEGER,
  finished_at_ms   INTEGER,
  code             TEXT,
  message          TEXT,
  exit_code        INTEGER,
  duration_ms      INTEGER,
  output           TEXT,
  output_bytes     INTEGER,
  output_sha256    TEXT,
  result_json      TEXT
);
CREATE INDEX jobs_device ON jobs(device_id, created_at_ms);
CREATE INDEX jobs_open ON jobs(device_id) WHERE state IN ('queued', 'sent', 'running');
CREATE INDEX jobs_client ON jobs(client_id, created_at_ms);
