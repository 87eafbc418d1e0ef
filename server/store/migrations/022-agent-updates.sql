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
