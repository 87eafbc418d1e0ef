-- Audit log: who changed what, and when. Append-only from the server's point of view (nothing
-- updates or deletes rows). actor_id/actor_name are copied, not referenced: an entry outlives the
-- user or API token that made it. detail_json never holds a secret (passwords, tokens, channel
-- secrets are left out or masked before they get here).
CREATE TABLE audit_log (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  at_ms        INTEGER NOT NULL,
  actor_id     TEXT,
  actor_name   TEXT,
  action       TEXT NOT NULL,
  entity_type  TEXT NOT NULL,
  entity_id    TEXT,
  summary      TEXT NOT NULL,
  detail_json  TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_entity ON audit_log(entity_type, entity_id, id);
CREATE INDEX audit_log_actor ON audit_log(actor_id, id);
