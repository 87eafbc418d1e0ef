-- One page per outage. Alerts of one client and rule that fire within the grouping window join
-- the group the first of them opened: that first alert (the leader) pages at once and carries
-- the group's escalation; the others are recorded as members and announced in one follow-up.
-- announced_count is how many members the last page or follow-up named (at last_announced_at_ms); next_follow_up_at_ms is when
-- the next one is due if more joined (NULL: none due).
CREATE TABLE alert_groups (
  id                    TEXT PRIMARY KEY,
  client_id             TEXT NOT NULL,
  rule_id               TEXT NOT NULL,
  leader_alert_id       TEXT NOT NULL,
  state                 TEXT NOT NULL CHECK (state IN ('firing', 'acknowledged', 'resolved')),
  opened_at_ms          INTEGER NOT NULL,
  last_joined_at_ms     INTEGER NOT NULL,
  announced_count       INTEGER NOT NULL DEFAULT 1,
  last_announced_at_ms  INTEGER NOT NULL,
  follow_ups            INTEGER NOT NULL DEFAULT 0,
  next_follow_up_at_ms  INTEGER,
  closed_at_ms          INTEGER
);
CREATE INDEX alert_groups_open ON alert_groups(client_id, rule_id) WHERE state = 'firing';
CREATE INDEX alert_groups_follow_up ON alert_groups(next_follow_up_at_ms) WHERE next_follow_up_at_ms IS NOT NULL;

CREATE TABLE alert_group_members (
  alert_id      TEXT PRIMARY KEY REFERENCES alerts(id) ON DELETE CASCADE,
  group_id      TEXT NOT NULL REFERENCES alert_groups(id) ON DELETE CASCADE,
  joined_at_ms  INTEGER NOT NULL
);
CREATE INDEX alert_group_members_group ON alert_group_members(group_id);

-- Device dependencies: while the parent (the client's router or firewall) is down, its
-- children's alerts are recorded but do not page.
ALTER TABLE devices ADD COLUMN parent_device_id TEXT REFERENCES devices(id) ON DELETE SET NULL;

-- Alerts held back because their device's parent was down. When the parent's offline alert
-- resolves, release_at_ms is set a grace period ahead (the children's agents need a moment to
-- reconnect); at that time those still firing page, and released_at_ms is set.
CREATE TABLE alert_suppressions (
  alert_id          TEXT PRIMARY KEY REFERENCES alerts(id) ON DELETE CASCADE,
  parent_device_id  TEXT NOT NULL,
  suppressed_at_ms  INTEGER NOT NULL,
  release_at_ms     INTEGER,
  released_at_ms    INTEGER
);
CREATE INDEX alert_suppressions_release ON alert_suppressions(release_at_ms) WHERE release_at_ms IS NOT NULL AND released_at_ms IS NULL;
CREATE INDEX alert_suppressions_parent ON alert_suppressions(parent_device_id) WHERE released_at_ms IS NULL;

-- The alert trail learns two actions: joined a group, held back by a dependency. SQLite cannot
-- change a CHECK, so the table is rebuilt with its rows.
CREATE TABLE alert_events_new (
  id          INTEGER PRIMARY KEY,
  alert_id    TEXT NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
  at_ms       INTEGER NOT NULL,
  actor_id    TEXT,
  actor_name  TEXT NOT NULL,
  action      TEXT NOT NULL CHECK (action IN ('fired', 'paged', 'grouped', 'suppressed', 'acknowledged', 'resolved', 'assigned', 'commented')),
  detail      TEXT
);
INSERT INTO alert_events_new (id, alert_id, at_ms, actor_id, actor_name, action, detail)
  SELECT id, alert_id, at_ms, actor_id, actor_name, action, detail FROM alert_events;
DROP TABLE alert_events;
ALTER TABLE alert_events_new RENAME TO alert_events;
CREATE INDEX alert_events_alert ON alert_events(alert_id, id);
