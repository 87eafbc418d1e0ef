-- Agent self-update (docs/DEPLOYMENT.md §6). Which agent version the server wants: a policy for the
-- whole fleet, a client or a device (the most specific wins; none = the server's own version).
-- mode 'server': the server's version; 'version': exactly `version`; 'hold': announce no update.
CREATE TABLE agent_update_policies (
  scope          TEXT NOT NULL CHECK (scope IN ('fleet', 'client', 'device')),
  scope_id       TEXT NOT NULL,
  mode           TEXT NOT NULL CHECK (mode IN ('server', 'version', 'hold')),
  version        TEXT CHECK ((mode = 'version') = (version IS NOT NULL)),
  updated_at_ms  INTEGER NOT NULL,
  PRIMARY KEY (scope, scope_id)
) WITHOUT ROWID;

-- What the agent last said about an update (updateStatus frame): installing or failed, and why.
ALTER TABLE devices ADD COLUMN update_state TEXT;
ALTER TABLE devices ADD COLUMN update_version TEXT;
ALTER TABLE devices ADD COLUMN update_code TEXT;
ALTER TABLE devices ADD COLUMN update_message TEXT;
ALTER TABLE devices ADD COLUMN update_at_ms INTEGER;

-- Agents refused at the upgrade with a credential this database does not know (e.g. enrolled after
-- the backup it was restored from): what they claimed (device id, host name, platform; never
-- trusted), from where and when, so the dashboard can list them with the line that re-enrolls
-- each (docs/OPERATIONS.md §9). One row per refused credential (its SHA-256), bounded by the store.
CREATE TABLE refused_agents (
  token_hash     TEXT PRIMARY KEY,
  device_id      TEXT,
  hostname       TEXT,
  platform       TEXT,
  remote_ip      TEXT,
  first_seen_ms  INTEGER NOT NULL,
  last_seen_ms   INTEGER NOT NULL,
  attempts       INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX refused_agents_last_seen ON refused_agents (last_seen_ms);
