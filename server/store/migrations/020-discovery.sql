-- Site probe discovery: a probe scans ranges of its client's network for devices that answer SNMP;
-- what it finds is listed for adoption as probed devices.

CREATE TABLE discovery_scans (
  id                TEXT PRIMARY KEY,
  client_id         TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  probe_device_id   TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  -- Addresses and CIDR blocks as given (JSON list), checked to lie in private or loopback networks.
  ranges_json       TEXT NOT NULL,
  port              INTEGER NOT NULL,
  version           TEXT NOT NULL CHECK (version IN ('v2c', 'v3')),
  -- The community or v3 user and keys, sealed by the key ring (purpose "discovery-credential");
  -- write-only in the API, sent only to the probe, copied into checks of adopted devices.
  credential_sealed TEXT NOT NULL,
  rate_per_sec      INTEGER NOT NULL,
  timeout_ms        INTEGER NOT NULL,
  address_count     INTEGER NOT NULL,
  state             TEXT NOT NULL CHECK (state IN ('running', 'done', 'expired', 'cancelled')),
  scanned           INTEGER NOT NULL DEFAULT 0,
  requested_by      TEXT,
  created_ms        INTEGER NOT NULL,
  -- After this the scan is given up (state 'expired') and no longer sent to the probe.
  deadline_ms       INTEGER NOT NULL,
  finished_ms       INTEGER
);
CREATE INDEX discovery_scans_client ON discovery_scans(client_id, created_ms);
CREATE INDEX discovery_scans_running ON discovery_scans(probe_device_id) WHERE state = 'running';

CREATE TABLE discovered_devices (
  scan_id           TEXT NOT NULL REFERENCES discovery_scans(id) ON DELETE CASCADE,
  address           TEXT NOT NULL,
  sys_descr         TEXT NOT NULL,
  sys_name          TEXT,
  sys_object_id     TEXT,
  kind_guess        TEXT,
  found_ms          INTEGER NOT NULL,
  -- The probed device made from it.
  adopted_device_id TEXT REFERENCES devices(id) ON DELETE SET NULL,
  PRIMARY KEY (scan_id, address)
) WITHOUT ROWID;
