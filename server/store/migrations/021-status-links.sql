-- Read-only status links: a client may be given a shareable, revocable URL that shows its devices'
-- health and this month's availability without a login. Only the SHA-256 of the token is stored.
CREATE TABLE status_links (
  id             TEXT PRIMARY KEY,
  client_id      TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  token_hash     TEXT NOT NULL UNIQUE,
  label          TEXT,
  -- 0: devices are shown as "Device 1", "Printer 2" … instead of their host names.
  show_hostnames INTEGER NOT NULL DEFAULT 1 CHECK (show_hostnames IN (0, 1)),
  created_ms     INTEGER NOT NULL,
  created_by     TEXT,
  revoked_ms     INTEGER
);
CREATE INDEX status_links_client ON status_links(client_id, created_ms);
