-- Maintenance policies (server/jobs/policy-service.ts): a task that runs for a monthly client's
-- machines at every occurrence of one of its recurring maintenance windows (so alerts are
-- muted meanwhile), optionally in two rings: the pilot devices first, the rest at the first
-- occurrence ring_delay_days later, and only if no pilot job of that run failed.
CREATE TABLE maintenance_policies (
  id                    TEXT PRIMARY KEY,
  client_id             TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  name                  TEXT NOT NULL,
  task                  TEXT NOT NULL,
  params_json           TEXT NOT NULL,
  window_id             TEXT NOT NULL REFERENCES maintenance_windows(id) ON DELETE CASCADE,
  pilot_device_ids_json TEXT NOT NULL DEFAULT '[]',
  ring_delay_days       INTEGER NOT NULL DEFAULT 0,
  excluded_device_ids_json TEXT NOT NULL DEFAULT '[]',
  is_enabled            INTEGER NOT NULL DEFAULT 1,
  created_at_ms         INTEGER NOT NULL,
  created_by            TEXT NOT NULL,
  -- The occurrence last run (its start), the pilot run the rest wait for, and from when they may run.
  last_run_start_ms     INTEGER,
  pilot_run_start_ms    INTEGER,
  rest_due_after_ms     INTEGER
);
CREATE INDEX maintenance_policies_client ON maintenance_policies(client_id);

-- Which policy run made a job (NULL: asked for by hand).
ALTER TABLE jobs ADD COLUMN policy_id TEXT;
ALTER TABLE jobs ADD COLUMN policy_run_ms INTEGER;
