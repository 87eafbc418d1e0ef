-- Site probe: devices without an agent (printer, UPS, switch, firewall, NAS, website), checked by
-- an enrolled agent of the same client (their probe). A probed device has no credential of its
-- own: token_hash holds 'probed:<id>', which no bearer token hashes to, so it can never connect.

-- 'agent' for devices running our agent; otherwise the kind of the probed device.
ALTER TABLE devices ADD COLUMN kind TEXT NOT NULL DEFAULT 'agent'
  CHECK (kind IN ('agent', 'printer', 'ups', 'switch', 'firewall', 'nas', 'website'));
-- The agent device that checks this one; NULL for agent devices.
ALTER TABLE devices ADD COLUMN probe_device_id TEXT REFERENCES devices(id);
-- The checks the probe runs (JSON list, shared/probe.ts probeCheckSchema).
ALTER TABLE devices ADD COLUMN probe_checks_json TEXT NOT NULL DEFAULT '[]';
CREATE INDEX devices_probe ON devices(probe_device_id) WHERE probe_device_id IS NOT NULL;

-- Latest outcome of each check in words (latest state; the numbers are metrics).
CREATE TABLE probe_check_results (
  device_id  TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  check_id   TEXT NOT NULL,
  ts_ms      INTEGER NOT NULL,
  state      TEXT NOT NULL CHECK (state IN ('ok', 'failed', 'error')),
  message    TEXT NOT NULL,
  PRIMARY KEY (device_id, check_id)
) WITHOUT ROWID;

-- SNMP credentials (community, v3 user and keys) per check: AES-256-GCM sealed with a key kept in
-- a file beside the database, never in it (server/probe/secret-box.ts). Write-only in the API.
CREATE TABLE probe_secrets (
  device_id  TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  check_id   TEXT NOT NULL,
  sealed     TEXT NOT NULL,
  PRIMARY KEY (device_id, check_id)
) WITHOUT ROWID;
