/**
 * Alerts (conditions of monthly clients) and their audit trail. State changes are conditional
 * updates (`… WHERE state = 'firing'`) so a human and the engine acting at once cannot both win;
 * callers learn from the answer whether their change happened.
 */
import type { Alert, AlertState, AuditEvent, Closure, RuleKind, Severity } from '../../shared/alert-types.js';
import type { Db } from './database.js';

/** Fields an alert and an incident both take from the condition that opened them. */
export type OpenedConditionKey =
  'id' | 'ruleId' | 'ruleName' | 'ruleKind' | 'severity' | 'deviceId' | 'clientId' | 'value' | 'isInMaintenance' | 'isFlapping' | 'openedAtMs';

/** Fields of a new alert. labelsJson must be canonical (see canonicalLabels). */
export type NewAlert = Pick<Alert, OpenedConditionKey | 'summary' | 'isNotified'> & { labelsJson: string };

/** An open alert as the engine rebuilds its state from. */
export type OpenAlertRow = Pick<Alert, 'id' | 'ruleId' | 'deviceId' | 'state' | 'severity' | 'isNotified' | 'isInMaintenance' | 'openedAtMs'> & {
  labelsJson: string;
};

/** Filters of GET /api/alerts. */
export interface AlertFilter {
  state?: AlertState | 'open';
  clientId?: string;
  deviceId?: string;
  severity?: Severity;
  ruleId?: string;
  fromMs?: number;
  toMs?: number;
  /** Only alerts still open at this time or resolved after it (with toMs: those overlapping [overlapsFromMs, toMs)). */
  overlapsFromMs?: number;
  limit: number;
}

/** What the audit trail records. */
export type AlertAction = 'fired' | 'paged' | 'grouped' | 'suppressed' | 'acknowledged' | 'resolved' | 'assigned' | 'commented';

interface AlertRow {
  id: string;
  rule_id: string;
  rule_name: string;
  rule_kind: RuleKind;
  severity: Severity;
  device_id: string;
  client_id: string;
  labels_json: string;
  state: AlertState;
  summary: string;
  value: number | null;
  is_in_maintenance: number;
  is_flapping: number;
  is_notified: number;
  opened_at_ms: number;
  acknowledged_at_ms: number | null;
  acknowledged_by: string | null;
  resolved_at_ms: number | null;
  resolved_by: string | null;
  resolution: Closure | null;
  assignee_id: string | null;
  hostname: string;
  client_name: string;
  assignee: string | null;
  metric: string | null;
  is_unrouted: number;
  group_id: string | null;
  group_size: number;
  leader_alert_id: string | null;
  is_suppressed: number;
}

const toAlert = (r: AlertRow): Alert => ({
  id: r.id,
  ruleId: r.rule_id,
  ruleName: r.rule_name,
  ruleKind: r.rule_kind,
  metric: r.metric,
  severity: r.severity,
  deviceId: r.device_id,
  hostname: r.hostname,
  clientId: r.client_id,
  clientName: r.client_name,
  labels: JSON.parse(r.labels_json) as Record<string, string>,
  state: r.state,
  summary: r.summary,
  value: r.value,
  isInMaintenance: r.is_in_maintenance === 1,
  isFlapping: r.is_flapping === 1,
  isNotified: r.is_notified === 1,
  isUnrouted: r.is_unrouted === 1,
  groupId: r.group_id,
  groupSize: r.group_size,
  isGroupLeader: r.group_id !== null && r.leader_alert_id === r.id,
  isSuppressed: r.is_suppressed === 1,
  openedAtMs: r.opened_at_ms,
  acknowledgedAtMs: r.acknowledged_at_ms,
  acknowledgedBy: r.acknowledged_by,
  resolvedAtMs: r.resolved_at_ms,
  resolvedBy: r.resolved_by,
  resolution: r.resolution,
  assignee: r.assignee,
});

const SELECT = `SELECT a.*, d.hostname, c.name AS client_name, u.username AS assignee, json_extract(r.params_json, '$.metric') AS metric,
    -- Unrouted: a page that reached nobody went to the fallback (see UNROUTED_PREFIX).
    EXISTS (SELECT 1 FROM alert_events e WHERE e.alert_id = a.id AND e.action = 'paged' AND e.detail LIKE 'unrouted: %') AS is_unrouted,
    gm.group_id, g.leader_alert_id, CASE WHEN gm.group_id IS NULL THEN 1 ELSE (SELECT count(*) FROM alert_group_members m WHERE m.group_id = gm.group_id) END AS group_size,
    EXISTS (SELECT 1 FROM alert_suppressions s WHERE s.alert_id = a.id AND s.released_at_ms IS NULL) AS is_suppressed
  FROM alerts a JOIN devices d ON d.id = a.device_id JOIN clients c ON c.id = a.client_id
  LEFT JOIN users u ON u.id = a.assignee_id LEFT JOIN rules r ON r.id = a.rule_id
  LEFT JOIN alert_group_members gm ON gm.alert_id = a.id LEFT JOIN alert_groups g ON g.id = gm.group_id`;

/** Builds the alert statements once. */
export function createAlertStore(db: Db) {
  const insert = db.prepare(
    `INSERT INTO alerts (id, rule_id, rule_name, rule_kind, severity, device_id, client_id, labels_json, state, summary, value,
       is_in_maintenance, is_flapping, is_notified, opened_at_ms)
     VALUES (@id, @ruleId, @ruleName, @ruleKind, @severity, @deviceId, @clientId, @labelsJson, 'firing', @summary, @value,
       @isInMaintenance, @isFlapping, @isNotified, @openedAtMs)`,
  );
  const byId = db.prepare<[string], AlertRow>(`${SELECT} WHERE a.id = ?`);
  const list = db.prepare<Record<string, unknown>, AlertRow>(
    `${SELECT} WHERE (@state IS NULL OR a.state = @state OR (@state = 'open' AND a.state <> 'resolved'))
       AND (@clientId IS NULL OR a.client_id = @clientId) AND (@deviceId IS NULL OR a.device_id = @deviceId)
       AND (@severity IS NULL OR a.severity = @severity) AND (@ruleId IS NULL OR a.rule_id = @ruleId)
       AND (@fromMs IS NULL OR a.opened_at_ms >= @fromMs) AND (@toMs IS NULL OR a.opened_at_ms < @toMs)
       AND (@overlapsFromMs IS NULL OR a.resolved_at_ms IS NULL OR a.resolved_at_ms > @overlapsFromMs)
     ORDER BY a.opened_at_ms DESC, a.id LIMIT @limit`,
  );
  const open = db.prepare<
    [],
    {
      id: string;
      rule_id: string;
      device_id: string;
      labels_json: string;
      state: AlertState;
      severity: Severity;
      is_notified: number;
      is_in_maintenance: number;
      opened_at_ms: number;
    }
  >(`SELECT id, rule_id, device_id, labels_json, state, severity, is_notified, is_in_maintenance, opened_at_ms FROM alerts WHERE state <> 'resolved'`);
  const resolve = db.prepare<{ id: string; atMs: number; by: string; resolution: Closure }, { is_notified: number }>(
    `UPDATE alerts SET state = 'resolved', resolved_at_ms = @atMs, resolved_by = @by, resolution = @resolution
     WHERE id = @id AND state <> 'resolved' RETURNING is_notified`,
  );
  const acknowledge = db.prepare<{ id: string; atMs: number; by: string }, { is_notified: number }>(
    `UPDATE alerts SET state = 'acknowledged', acknowledged_at_ms = @atMs, acknowledged_by = @by
     WHERE id = @id AND state = 'firing' RETURNING is_notified`,
  );
  const markPaged = db.prepare<[string]>(`UPDATE alerts SET is_notified = 1 WHERE id = ? AND state = 'firing' AND is_notified = 0`);
  const setAssignee = db.prepare<[string | null, string]>('UPDATE alerts SET assignee_id = ? WHERE id = ?');
  const insertEvent = db.prepare('INSERT INTO alert_events (alert_id, at_ms, actor_id, actor_name, action, detail) VALUES (?, ?, ?, ?, ?, ?)');
  const events = db.prepare<[string], { at_ms: number; actor_name: string; action: string; detail: string | null }>(
    'SELECT at_ms, actor_name, action, detail FROM alert_events WHERE alert_id = ? ORDER BY id',
  );

  const openCount = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM alerts WHERE state <> 'resolved'");
  return {
    /** Alerts not yet resolved (firing or acknowledged), for /metrics. */
    countOpen(): number {
      return openCount.get()!.n;
    },
    insert(a: NewAlert): void {
      insert.run({ ...a, isInMaintenance: a.isInMaintenance ? 1 : 0, isFlapping: a.isFlapping ? 1 : 0, isNotified: a.isNotified ? 1 : 0 });
    },
    findById(id: string): Alert | undefined {
      const r = byId.get(id);
      return r && toAlert(r);
    },
    list(f: AlertFilter): Alert[] {
      return list
        .all({
          state: f.state ?? null,
          clientId: f.clientId ?? null,
          deviceId: f.deviceId ?? null,
          severity: f.severity ?? null,
          ruleId: f.ruleId ?? null,
          fromMs: f.fromMs ?? null,
          toMs: f.toMs ?? null,
          overlapsFromMs: f.overlapsFromMs ?? null,
          limit: f.limit,
        })
        .map(toAlert);
    },
    /** Alerts not yet resolved, for rebuilding engine state at startup. */
    listOpen(): OpenAlertRow[] {
      return open.all().map((r) => ({
        id: r.id,
        ruleId: r.rule_id,
        deviceId: r.device_id,
        labelsJson: r.labels_json,
        state: r.state,
        severity: r.severity,
        isNotified: r.is_notified === 1,
        isInMaintenance: r.is_in_maintenance === 1,
        openedAtMs: r.opened_at_ms,
      }));
    },
    /** Resolves an open alert; undefined if it was already resolved (or does not exist). */
    resolveIfOpen(id: string, atMs: number, by: string, resolution: Closure): { wasNotified: boolean } | undefined {
      const r = resolve.get({ id, atMs, by, resolution });
      return r && { wasNotified: r.is_notified === 1 };
    },
    /** Acknowledges a firing alert; undefined if it was not firing. */
    acknowledgeIfFiring(id: string, atMs: number, by: string): { wasNotified: boolean } | undefined {
      const r = acknowledge.get({ id, atMs, by });
      return r && { wasNotified: r.is_notified === 1 };
    },
    /** Marks a firing, not yet notified alert as notified; false if it no longer qualifies. */
    markPaged(id: string): boolean {
      return markPaged.run(id).changes === 1;
    },
    setAssignee(id: string, userId: string | null): void {
      setAssignee.run(userId, id);
    },
    addEvent(alertId: string, atMs: number, actor: { id: string | null; name: string }, action: AlertAction, detail: string | null = null): void {
      insertEvent.run(alertId, atMs, actor.id, actor.name, action, detail);
    },
    events(alertId: string): AuditEvent[] {
      return events.all(alertId).map((e) => ({ atMs: e.at_ms, actor: e.actor_name, action: e.action, detail: e.detail }));
    },
  };
}
export type AlertStore = ReturnType<typeof createAlertStore>;
