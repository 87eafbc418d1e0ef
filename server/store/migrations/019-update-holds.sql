-- "Auto-approve security, hold the others N days": every update a device's scans report, with
-- when it was first and last seen, so a policy can install non-security updates only once they
-- have been out that long. A scan drops the rows of updates it no longer lists.
CREATE TABLE update_sightings (
  device_id      TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
  name           TEXT NOT NULL,
  is_security    INTEGER NOT NULL,
  first_seen_ms  INTEGER NOT NULL,
  last_seen_ms   INTEGER NOT NULL,
  PRIMARY KEY (device_id, name)
) WITHOUT ROWID;

ALTER TABLE maintenance_policies ADD COLUMN hold_others_days INTEGER;

-- Device overrides of a policy: other parameters for some of its devices (e.g. the server installs
-- security updates only while the PCs take all), as a JSON object keyed by device id.
ALTER TABLE maintenance_policies ADD COLUMN device_params_json TEXT NOT NULL DEFAULT '{}';
