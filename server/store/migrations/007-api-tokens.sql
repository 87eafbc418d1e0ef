-- API tokens for scripts and integrations: `Authorization: Bearer qpt_…` instead of a session
-- cookie. Named, with their own role; only the SHA-256 of the token is kept (it is shown once).
-- created_by is informational: a token keeps working when the admin who made it leaves
-- (revoke it instead), so it does not cascade.
CREATE TABLE api_tokens (
  id              TEXT PRIMARY KEY,
  name            TEXT NOT NULL UNIQUE COLLATE NOCASE,
  token_hash      TEXT NOT NULL UNIQUE,
  role            TEXT NOT NULL CHECK (role IN ('admin', 'technician', 'viewer')),
  created_at_ms   INTEGER NOT NULL,
  created_by      TEXT,
  expires_at_ms   INTEGER,
  revoked_at_ms   INTEGER,
  last_used_at_ms INTEGER
);
