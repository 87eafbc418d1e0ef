-- On-call delivery: notification channels, people's contact points, on-call schedules with
-- overrides, escalation policies (default and per client), escalation state per alert, the
-- delivery queue fed from the outbox (one row per message, unique idempotency key) with every
-- attempt, used acknowledge links, and small settings (the ack-link secret, the digest).

-- Key/value settings of the notification module. 'ack_link_secret' is generated on first start.
CREATE TABLE notify_settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- A configured destination of one type (email = an SMTP relay, webhook, slack, teams, ntfy).
-- config_json is validated by the channel's zod schema; secrets in it are stored as given and
-- masked in every API answer.
CREATE TABLE channels (
  id            TEXT PRIMARY KEY,
  type          TEXT NOT NULL,
  name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
  config_json   TEXT NOT NULL,
  is_enabled    INTEGER NOT NULL DEFAULT 1,
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL,
  updated_by    TEXT
);

-- How a person is reached on a channel: an email address, an ntfy topic, a Slack member id to
-- mention… '' means the default (the user's email address, the channel's topic, no mention).
CREATE TABLE contact_points (
  id            TEXT PRIMARY KEY,
  user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  channel_id    TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  handle        TEXT NOT NULL DEFAULT '',
  created_at_ms INTEGER NOT NULL,
  UNIQUE (user_id, channel_id, handle)
);
CREATE INDEX contact_points_channel ON contact_points(channel_id);

-- Weekly (or n-day) rotations in layers, read in the schedule's IANA time zone. Layers are
-- edited as a whole, so they are one JSON document (user ids inside are checked on write).
CREATE TABLE schedules (
  id            TEXT PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
  timezone      TEXT NOT NULL,
  layers_json   TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL,
  updated_by    TEXT
);

-- "I take Tuesday night": beats every layer for [starts, ends).
CREATE TABLE schedule_overrides (
  id            TEXT PRIMARY KEY,
  schedule_id   TEXT NOT NULL REFERENCES schedules(id) ON DELETE CASCADE,
  user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  starts_at_ms  INTEGER NOT NULL,
  ends_at_ms    INTEGER NOT NULL,
  note          TEXT,
  created_at_ms INTEGER NOT NULL,
  created_by    TEXT,
  CHECK (ends_at_ms > starts_at_ms)
);
CREATE INDEX schedule_overrides_schedule ON schedule_overrides(schedule_id, ends_at_ms);

-- Ordered levels (each: afterMs since the page started, targets) and how often the ladder
-- repeats while nobody acknowledges (repeat_count NULL = until acknowledged).
CREATE TABLE escalation_policies (
  id              TEXT PRIMARY KEY,
  name            TEXT NOT NULL UNIQUE COLLATE NOCASE,
  levels_json     TEXT NOT NULL,
  repeat_count    INTEGER,
  repeat_after_ms INTEGER NOT NULL,
  is_default      INTEGER NOT NULL DEFAULT 0,
  created_at_ms   INTEGER NOT NULL,
  updated_at_ms   INTEGER NOT NULL,
  updated_by      TEXT
);
CREATE UNIQUE INDEX escalation_policies_one_default ON escalation_policies(is_default) WHERE is_default = 1;

-- A client's own policy; clients without one use the default policy.
CREATE TABLE client_escalation_policies (
  client_id TEXT PRIMARY KEY REFERENCES clients(id) ON DELETE CASCADE,
  policy_id TEXT NOT NULL REFERENCES escalation_policies(id) ON DELETE CASCADE
);
CREATE INDEX client_escalation_policies_policy ON client_escalation_policies(policy_id);

-- Escalation of one paged alert. The policy is copied when paging starts, so editing a policy
-- does not change an escalation under way. paged_steps_json lists "cycle.level" steps done.
CREATE TABLE escalations (
  alert_id         TEXT PRIMARY KEY REFERENCES alerts(id) ON DELETE CASCADE,
  policy_id        TEXT,
  policy_json      TEXT NOT NULL,
  started_at_ms    INTEGER NOT NULL,
  stopped_at_ms    INTEGER,
  stop_reason      TEXT,
  paged_steps_json TEXT NOT NULL DEFAULT '[]',
  next_check_at_ms INTEGER
);
CREATE INDEX escalations_due ON escalations(next_check_at_ms) WHERE next_check_at_ms IS NOT NULL;

-- One message to one destination. idempotency_key is unique: at most one row (and so at most
-- one successful send) per key. destination_key (channel + address) orders sends: a
-- destination gets its messages one at a time, oldest first. alert_id has no foreign key: the
-- delivery record outlives the alert.
CREATE TABLE deliveries (
  id                 INTEGER PRIMARY KEY,
  idempotency_key    TEXT NOT NULL UNIQUE,
  outbox_id          INTEGER REFERENCES outbox(id) ON DELETE SET NULL,
  alert_id           TEXT,
  purpose            TEXT NOT NULL CHECK (purpose IN ('page', 'update', 'dead-letter', 'digest', 'test')),
  kind               TEXT NOT NULL,
  channel_id         TEXT REFERENCES channels(id) ON DELETE SET NULL,
  channel_type       TEXT NOT NULL,
  channel_name       TEXT NOT NULL,
  user_id            TEXT REFERENCES users(id) ON DELETE SET NULL,
  recipient          TEXT NOT NULL,
  to_address         TEXT,
  mentions_json      TEXT NOT NULL DEFAULT '[]',
  destination_key    TEXT NOT NULL,
  level              INTEGER,
  message_json       TEXT NOT NULL,
  status             TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'dead')),
  attempts           INTEGER NOT NULL DEFAULT 0,
  next_attempt_at_ms INTEGER NOT NULL,
  last_error         TEXT,
  created_at_ms      INTEGER NOT NULL,
  -- Start of the current retry budget (max age): creation, or when a dead one was retried.
  budget_from_ms     INTEGER NOT NULL,
  sent_at_ms         INTEGER,
  dead_at_ms         INTEGER
);
CREATE INDEX deliveries_open ON deliveries(destination_key, id) WHERE status IN ('pending', 'sending');
CREATE INDEX deliveries_status ON deliveries(status, id);
CREATE INDEX deliveries_alert ON deliveries(alert_id, purpose);

-- Every attempt: when, how long, what came back.
CREATE TABLE delivery_attempts (
  id          INTEGER PRIMARY KEY,
  delivery_id INTEGER NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
  at_ms       INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  outcome     TEXT NOT NULL CHECK (outcome IN ('sent', 'retry', 'failed', 'interrupted')),
  http_status INTEGER,
  error       TEXT
);
CREATE INDEX delivery_attempts_delivery ON delivery_attempts(delivery_id, id);

-- Acknowledge links that were used (by hash): each link works once.
CREATE TABLE ack_links_used (
  token_hash    TEXT PRIMARY KEY,
  alert_id      TEXT NOT NULL,
  used_at_ms    INTEGER NOT NULL,
  expires_at_ms INTEGER NOT NULL
);
