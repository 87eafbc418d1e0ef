-- Agent lifecycle: enrollment-token usage, device disable and credential rotation, agent settings
-- managed on the server (per client and per device), and the latest inventory per device section.

ALTER TABLE enrollment_tokens ADD COLUMN used_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE enrollment_tokens ADD COLUMN last_used_at_ms INTEGER;

ALTER TABLE devices ADD COLUMN disabled_at_ms INTEGER;
-- Rotation: requested (delivered at the next authenticated connection), then pending (hash of the
-- new credential sent to the agent), then promoted to token_hash when the agent confirms it
-- persisted it (credentialAck) or first authenticates with it.
ALTER TABLE devices ADD COLUMN rotation_requested_at_ms INTEGER;
ALTER TABLE devices ADD COLUMN pending_token_hash TEXT;
ALTER TABLE devices ADD COLUMN credential_rotated_at_ms INTEGER;
CREATE UNIQUE INDEX devices_pending_token ON devices(pending_token_hash) WHERE pending_token_hash IS NOT NULL;

-- Partial agent settings (JSON: intervalMs, watchedServices, collectors); device overrides client.
ALTER TABLE clients ADD COLUMN agent_config_json TEXT NOT NULL DEFAULT '{}';
ALTER TABLE devices ADD COLUMN agent_config_json TEXT NOT NULL DEFAULT '{}';

-- Latest inventory per device and section (services, processes, printers, disks, users, updates, facts).
CREATE TABLE device_inventory (
  device_id      TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  section        TEXT NOT NULL,
  ts_ms          INTEGER NOT NULL,
  received_at_ms INTEGER NOT NULL,
  data_json      TEXT NOT NULL,
  PRIMARY KEY (device_id, section)
) WITHOUT ROWID;
