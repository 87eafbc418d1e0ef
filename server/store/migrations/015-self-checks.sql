-- The server's own health (server/notify/self-check-policy.ts): the last verdict of each
-- check, since when it holds, and the status the admins were last told of, so a check that
-- stays bad pages once, not every minute.
CREATE TABLE self_checks (
  id               TEXT PRIMARY KEY,
  status           TEXT NOT NULL CHECK (status IN ('ok', 'warning', 'critical')),
  summary          TEXT NOT NULL,
  since_ms         INTEGER NOT NULL,
  checked_at_ms    INTEGER NOT NULL,
  notified_status  TEXT CHECK (notified_status IN ('ok', 'warning', 'critical'))
);
