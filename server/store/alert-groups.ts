/**
 * Alert groups (one page per outage) and dependency suppressions: the rows behind
 * server/alerting/policy/grouping.ts. A group's members are alerts; the leader is the one that
 * paged and carries the escalation.
 */
import type { AlertGroupFacts, AlertState } from '../../shared/alert-types.js';
import type { Db } from './database.js';

/** A group with what messages about it need. */
export interface AlertGroup extends AlertGroupFacts {
  members: { alertId: string; deviceId: string; isOpen: boolean }[];
  openedAtMs: number;
  announcedCount: number;
  lastAnnouncedAtMs: number;
  followUps: number;
  nextFollowUpAtMs: number | null;
  closedAtMs: number | null;
}

/** One member with the words a message lists. */
export interface GroupMember {
  alertId: string;
  deviceId: string;
  hostname: string;
  summary: string;
  state: AlertState;
  joinedAtMs: number;
  openedAtMs: number;
}

interface GroupRow {
  id: string;
  client_id: string;
  rule_id: string;
  leader_alert_id: string;
  state: AlertGroup['state'];
  opened_at_ms: number;
  last_joined_at_ms: number;
  announced_count: number;
  last_announced_at_ms: number;
  follow_ups: number;
  next_follow_up_at_ms: number | null;
  closed_at_ms: number | null;
}

/** Builds the statements once. */
export function createAlertGroupStore(db: Db) {
  const insertGroup = db.prepare(
    `INSERT INTO alert_groups (id, client_id, rule_id, leader_alert_id, state, opened_at_ms, last_joined_at_ms, last_announced_at_ms)
     VALUES (@id, @clientId, @ruleId, @leaderAlertId, 'firing', @atMs, @atMs, @atMs)`,
  );
  const insertMember = db.prepare('INSERT OR IGNORE INTO alert_group_members (alert_id, group_id, joined_at_ms) VALUES (?, ?, ?)');
  const byId = db.prepare<[string], GroupRow>('SELECT * FROM alert_groups WHERE id = ?');
  const byAlert = db.prepare<[string], GroupRow>('SELECT g.* FROM alert_groups g JOIN alert_group_members m ON m.group_id = g.id WHERE m.alert_id = ?');
  const openFor = db.prepare<[string, string], GroupRow>("SELECT * FROM alert_groups WHERE client_id = ? AND rule_id = ? AND state = 'firing'");
  const members = db.prepare<
    [string],
    { alert_id: string; device_id: string; hostname: string; summary: string; state: AlertState; joined_at_ms: number; opened_at_ms: number }
  >(
    `SELECT m.alert_id, a.device_id, d.hostname, a.summary, a.state, m.joined_at_ms, a.opened_at_ms
       FROM alert_group_members m JOIN alerts a ON a.id = m.alert_id JOIN devices d ON d.id = a.device_id
      WHERE m.group_id = ? ORDER BY m.joined_at_ms, d.hostname`,
  );
  const joined = db.prepare<{ id: string; atMs: number; nextAtMs: number }>(
    'UPDATE alert_groups SET last_joined_at_ms = max(last_joined_at_ms, @atMs), next_follow_up_at_ms = @nextAtMs WHERE id = @id',
  );
  const due = db.prepare<[number], GroupRow>(
    "SELECT * FROM alert_groups WHERE next_follow_up_at_ms IS NOT NULL AND next_follow_up_at_ms <= ? AND state = 'firing' ORDER BY next_follow_up_at_ms LIMIT 200",
  );
  const announced = db.prepare<{ id: string; count: number; atMs: number }>(
    'UPDATE alert_groups SET announced_count = @count, last_announced_at_ms = @atMs, follow_ups = follow_ups + 1, next_follow_up_at_ms = NULL WHERE id = @id',
  );
  const setState = db.prepare<{ id: string; state: AlertGroup['state']; atMs: number }>(
    `UPDATE alert_groups SET state = @state, next_follow_up_at_ms = CASE WHEN @state = 'firing' THEN next_follow_up_at_ms END,
       closed_at_ms = CASE WHEN @state = 'resolved' THEN @atMs END WHERE id = @id`,
  );
  const setLeader = db.prepare<[string, string]>('UPDATE alert_groups SET leader_alert_id = ? WHERE id = ?');

  const parentOf = db.prepare<[string], { device_id: string; hostname: string }>(
    'SELECT p.id AS device_id, p.hostname FROM devices d JOIN devices p ON p.id = d.parent_device_id WHERE d.id = ?',
  );
  const isDown = db.prepare<[string], { n: number }>("SELECT count(*) AS n FROM alerts WHERE device_id = ? AND rule_kind = 'offline' AND state <> 'resolved'");
  const suppress = db.prepare('INSERT OR IGNORE INTO alert_suppressions (alert_id, parent_device_id, suppressed_at_ms) VALUES (?, ?, ?)');
  const suppressedBy = db.prepare<[string], { alert_id: string; state: AlertState }>(
    `SELECT s.alert_id, a.state FROM alert_suppressions s JOIN alerts a ON a.id = s.alert_id
      WHERE s.parent_device_id = ? AND s.released_at_ms IS NULL ORDER BY s.suppressed_at_ms`,
  );
  const release = db.prepare<[number, string]>('UPDATE alert_suppressions SET released_at_ms = ? WHERE alert_id = ? AND released_at_ms IS NULL');
  const scheduleRelease = db.prepare<[number, string]>(
    'UPDATE alert_suppressions SET release_at_ms = ? WHERE parent_device_id = ? AND released_at_ms IS NULL AND release_at_ms IS NULL',
  );
  const holdAgain = db.prepare<[string]>('UPDATE alert_suppressions SET release_at_ms = NULL WHERE alert_id = ? AND released_at_ms IS NULL');
  const dueReleases = db.prepare<[number], { alert_id: string; parent_device_id: string; state: AlertState }>(
    `SELECT s.alert_id, s.parent_device_id, a.state FROM alert_suppressions s JOIN alerts a ON a.id = s.alert_id
      WHERE s.release_at_ms IS NOT NULL AND s.release_at_ms <= ? AND s.released_at_ms IS NULL ORDER BY s.release_at_ms LIMIT 500`,
  );
  const clientDevices = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM devices WHERE client_id = ? AND is_disabled = 0');

  function toGroup(r: GroupRow): AlertGroup {
    return {
      id: r.id,
      clientId: r.client_id,
      ruleId: r.rule_id,
      leaderAlertId: r.leader_alert_id,
      state: r.state,
      lastJoinedAtMs: r.last_joined_at_ms,
      members: members.all(r.id).map((m) => ({ alertId: m.alert_id, deviceId: m.device_id, isOpen: m.state !== 'resolved' })),
      openedAtMs: r.opened_at_ms,
      announcedCount: r.announced_count,
      lastAnnouncedAtMs: r.last_announced_at_ms,
      followUps: r.follow_ups,
      nextFollowUpAtMs: r.next_follow_up_at_ms,
      closedAtMs: r.closed_at_ms,
    };
  }

  return {
    /** Opens a group led by an alert that just paged. */
    create(g: { id: string; clientId: string; ruleId: string; leaderAlertId: string; atMs: number }): void {
      insertGroup.run(g);
      insertMember.run(g.leaderAlertId, g.id, g.atMs);
    },
    /** Adds a member and schedules the follow-up that announces it. */
    join(groupId: string, alertId: string, atMs: number, nextFollowUpAtMs: number): void {
      insertMember.run(alertId, groupId, atMs);
      joined.run({ id: groupId, atMs, nextAtMs: nextFollowUpAtMs });
    },
    find(id: string): AlertGroup | undefined {
      const r = byId.get(id);
      return r && toGroup(r);
    },
    /** The group an alert belongs to, if any. */
    ofAlert(alertId: string): AlertGroup | undefined {
      const r = byAlert.get(alertId);
      return r && toGroup(r);
    },
    /** Groups of a client and rule that still take members. */
    openFor(clientId: string, ruleId: string): AlertGroup[] {
      return openFor.all(clientId, ruleId).map(toGroup);
    },
    /** Members with their devices, in the order they joined. */
    members(groupId: string): GroupMember[] {
      return members.all(groupId).map((m) => ({
        alertId: m.alert_id,
        deviceId: m.device_id,
        hostname: m.hostname,
        summary: m.summary,
        state: m.state,
        joinedAtMs: m.joined_at_ms,
        openedAtMs: m.opened_at_ms,
      }));
    },
    /** Groups whose follow-up is due. */
    dueFollowUps(nowMs: number): AlertGroup[] {
      return due.all(nowMs).map(toGroup);
    },
    markAnnounced(id: string, count: number, atMs: number): void {
      announced.run({ id, count, atMs });
    },
    setState(id: string, state: AlertGroup['state'], atMs: number): void {
      setState.run({ id, state, atMs });
    },
    setLeader(id: string, alertId: string): void {
      setLeader.run(alertId, id);
    },
    /** Devices the client has (not disabled): the "of N" of "4 of 4 devices offline". */
    clientDeviceCount(clientId: string): number {
      return clientDevices.get(clientId)?.n ?? 0;
    },
    /** The device a device depends on, if any. */
    parentOf(deviceId: string): { deviceId: string; hostname: string } | undefined {
      const r = parentOf.get(deviceId);
      return r && { deviceId: r.device_id, hostname: r.hostname };
    },
    /** Down = an offline alert of the device is open. */
    isDown(deviceId: string): boolean {
      return (isDown.get(deviceId)?.n ?? 0) > 0;
    },
    suppress(alertId: string, parentDeviceId: string, atMs: number): void {
      suppress.run(alertId, parentDeviceId, atMs);
    },
    /** Alerts held back by a parent, not yet released. */
    suppressedBy(parentDeviceId: string): { alertId: string; state: AlertState }[] {
      return suppressedBy.all(parentDeviceId).map((r) => ({ alertId: r.alert_id, state: r.state }));
    },
    release(alertId: string, atMs: number): void {
      release.run(atMs, alertId);
    },
    /** The parent is back: its held alerts are released at `atMs` (those still firing then page). */
    scheduleRelease(parentDeviceId: string, atMs: number): void {
      scheduleRelease.run(atMs, parentDeviceId);
    },
    /** The parent went down again before the release: keep holding. */
    holdAgain(alertId: string): void {
      holdAgain.run(alertId);
    },
    /** Held alerts whose release time has come. */
    dueReleases(nowMs: number): { alertId: string; parentDeviceId: string; state: AlertState }[] {
      return dueReleases.all(nowMs).map((r) => ({ alertId: r.alert_id, parentDeviceId: r.parent_device_id, state: r.state }));
    },
  };
}
export type AlertGroupStore = ReturnType<typeof createAlertGroupStore>;
