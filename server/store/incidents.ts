/**
 * Incidents (conditions of break-fix clients, and problems a client called in), their audit
 * trail and billable time entries. Incidents never produce notifications.
 */
import type { AuditEvent, Closure, Incident, IncidentDetail, IncidentState, RuleKind, Severity, TimeEntry } from '../../shared/alert-types.js';
import type { Db } from './database.js';
import type { OpenedConditionKey } from './alerts.js';

/** Fields of a new incident. labelsJson must be canonical (see canonicalLabels). */
export type NewIncident = Pick<Incident, OpenedConditionKey | 'source' | 'title'> &
  Pick<IncidentDetail, 'snapshot'> & { labelsJson: string; openedBy: string | null };

/** Filters of GET /api/incidents. */
export interface IncidentFilter {
  state?: IncidentState;
  clientId?: string;
  deviceId?: string;
  severity?: Severity;
  fromMs?: number;
  toMs?: number;
  /** Only incidents still open at this time or closed after it (with toMs: those overlapping [overlapsFromMs, toMs)). */
  overlapsFromMs?: number;
  limit: number;
}

/** What the incident audit trail records. */
export type IncidentAction = 'opened' | 'closed' | 'billed' | 'time-booked' | 'time-removed' | 'commented';

interface IncidentRow {
  id: string;
  source: 'rule' | 'manual';
  rule_id: string | null;
  rule_name: string | null;
  rule_kind: RuleKind | null;
  severity: Severity;
  device_id: string | null;
  client_id: string;
  labels_json: string;
  title: string;
  state: IncidentState;
  value: number | null;
  snapshot_json: string;
  is_in_maintenance: number;
  is_flapping: number;
  opened_at_ms: number;
  closed_at_ms: number | null;
  closure: Closure | null;
  billed_at_ms: number | null;
  hostname: string | null;
  client_name: string;
  booked_minutes: number;
}

interface TimeEntryRow {
  id: string;
  incident_id: string;
  technician: string;
  minutes: number;
  note: string | null;
  work_date: string;
  created_at_ms: number;
}

const toIncident = (r: IncidentRow): Incident => ({
  id: r.id,
  source: r.source,
  ruleId: r.rule_id,
  ruleName: r.rule_name,
  ruleKind: r.rule_kind,
  severity: r.severity,
  deviceId: r.device_id,
  hostname: r.hostname,
  clientId: r.client_id,
  clientName: r.client_name,
  labels: JSON.parse(r.labels_json) as Record<string, string>,
  title: r.title,
  state: r.state,
  value: r.value,
  isInMaintenance: r.is_in_maintenance === 1,
  isFlapping: r.is_flapping === 1,
  openedAtMs: r.opened_at_ms,
  closedAtMs: r.closed_at_ms,
  closure: r.closure,
  billedAtMs: r.billed_at_ms,
  bookedMinutes: r.booked_minutes,
});

const toTimeEntry = (r: TimeEntryRow): TimeEntry => ({
  id: r.id,
  incidentId: r.incident_id,
  technician: r.technician,
  minutes: r.minutes,
  note: r.note,
  date: r.work_date,
  createdAtMs: r.created_at_ms,
});

const SELECT = `SELECT i.*, d.hostname, c.name AS client_name,
    (SELECT coalesce(sum(minutes), 0) FROM time_entries t WHERE t.incident_id = i.id) AS booked_minutes
  FROM incidents i JOIN clients c ON c.id = i.client_id LEFT JOIN devices d ON d.id = i.device_id`;

/** Builds the incident and time-entry statements once. */
export function createIncidentStore(db: Db) {
  const insert = db.prepare(
    `INSERT INTO incidents (id, source, rule_id, rule_name, rule_kind, severity, device_id, client_id, labels_json, title, state, value,
       snapshot_json, is_in_maintenance, is_flapping, opened_at_ms, opened_by)
     VALUES (@id, @source, @ruleId, @ruleName, @ruleKind, @severity, @deviceId, @clientId, @labelsJson, @title, 'open', @value,
       @snapshotJson, @isInMaintenance, @isFlapping, @openedAtMs, @openedBy)`,
  );
  const byId = db.prepare<[string], IncidentRow>(`${SELECT} WHERE i.id = ?`);
  const snapshot = db.prepare<[string], { snapshot_json: string }>('SELECT snapshot_json FROM incidents WHERE id = ?');
  const list = db.prepare<Record<string, unknown>, IncidentRow>(
    `${SELECT} WHERE (@state IS NULL OR i.state = @state) AND (@clientId IS NULL OR i.client_id = @clientId)
       AND (@deviceId IS NULL OR i.device_id = @deviceId) AND (@severity IS NULL OR i.severity = @severity)
       AND (@fromMs IS NULL OR i.opened_at_ms >= @fromMs) AND (@toMs IS NULL OR i.opened_at_ms < @toMs)
       AND (@overlapsFromMs IS NULL OR i.closed_at_ms IS NULL OR i.closed_at_ms > @overlapsFromMs)
     ORDER BY i.opened_at_ms DESC, i.id LIMIT @limit`,
  );
  const openFromRules = db.prepare<[], { id: string; rule_id: string; device_id: string; labels_json: string; opened_at_ms: number }>(
    `SELECT id, rule_id, device_id, labels_json, opened_at_ms FROM incidents WHERE state = 'open' AND source = 'rule'`,
  );
  const close = db.prepare<{ id: string; atMs: number; by: string; closure: Closure }>(
    `UPDATE incidents SET state = 'closed', closed_at_ms = @atMs, closed_by = @by, closure = @closure WHERE id = @id AND state = 'open'`,
  );
  const bill = db.prepare<{ id: string; atMs: number; by: string }>(
    `UPDATE incidents SET state = 'billed', billed_at_ms = @atMs, billed_by = @by WHERE id = @id AND state = 'closed'`,
  );
  const insertEvent = db.prepare('INSERT INTO incident_events (incident_id, at_ms, actor_id, actor_name, action, detail) VALUES (?, ?, ?, ?, ?, ?)');
  const events = db.prepare<[string], { at_ms: number; actor_name: string; action: string; detail: string | null }>(
    'SELECT at_ms, actor_name, action, detail FROM incident_events WHERE incident_id = ? ORDER BY id',
  );
  const insertTime = db.prepare(
    `INSERT INTO time_entries (id, incident_id, technician, minutes, note, work_date, created_at_ms, created_by)
     VALUES (@id, @incidentId, @technician, @minutes, @note, @date, @createdAtMs, @createdBy)`,
  );
  const timeEntries = db.prepare<[string], TimeEntryRow>('SELECT * FROM time_entries WHERE incident_id = ? ORDER BY work_date, created_at_ms');
  const timeEntryById = db.prepare<[string], TimeEntryRow>('SELECT * FROM time_entries WHERE id = ?');
  const deleteTime = db.prepare<[string]>('DELETE FROM time_entries WHERE id = ?');
  const minutesByIncident = db.prepare<{ clientId: string; fromDate: string; toDate: string }, { incident_id: string; minutes: number }>(
    `SELECT t.incident_id, sum(t.minutes) AS minutes FROM time_entries t JOIN incidents i ON i.id = t.incident_id
      WHERE i.client_id = @clientId AND t.work_date >= @fromDate AND t.work_date <= @toDate
      GROUP BY t.incident_id ORDER BY min(t.work_date), t.incident_id`,
  );

  const openCount = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM incidents WHERE state = 'open'");
  return {
    /** Incidents still open, for /metrics. */
    countOpen(): number {
      return openCount.get()!.n;
    },
    insert(i: NewIncident): void {
      const { snapshot: snap, ...rest } = i;
      insert.run({ ...rest, snapshotJson: JSON.stringify(snap), isInMaintenance: i.isInMaintenance ? 1 : 0, isFlapping: i.isFlapping ? 1 : 0 });
    },
    findById(id: string): Incident | undefined {
      const r = byId.get(id);
      return r && toIncident(r);
    },
    snapshot(id: string): Record<string, number> {
      const r = snapshot.get(id);
      return r ? (JSON.parse(r.snapshot_json) as Record<string, number>) : {};
    },
    list(f: IncidentFilter): Incident[] {
      return list
        .all({
          state: f.state ?? null,
          clientId: f.clientId ?? null,
          deviceId: f.deviceId ?? null,
          severity: f.severity ?? null,
          fromMs: f.fromMs ?? null,
          toMs: f.toMs ?? null,
          overlapsFromMs: f.overlapsFromMs ?? null,
          limit: f.limit,
        })
        .map(toIncident);
    },
    /** Open rule incidents, for rebuilding engine state at startup. */
    listOpenFromRules(): { id: string; ruleId: string; deviceId: string; labelsJson: string; openedAtMs: number }[] {
      return openFromRules.all().map((r) => ({ id: r.id, ruleId: r.rule_id, deviceId: r.device_id, labelsJson: r.labels_json, openedAtMs: r.opened_at_ms }));
    },
    /** Closes an open incident; false if it was not open. */
    closeIfOpen(id: string, atMs: number, by: string, closure: Closure): boolean {
      return close.run({ id, atMs, by, closure }).changes === 1;
    },
    /** Marks a closed incident billed; false if it was not closed. */
    billIfClosed(id: string, atMs: number, by: string): boolean {
      return bill.run({ id, atMs, by }).changes === 1;
    },
    addEvent(incidentId: string, atMs: number, actor: { id: string | null; name: string }, action: IncidentAction, detail: string | null = null): void {
      insertEvent.run(incidentId, atMs, actor.id, actor.name, action, detail);
    },
    events(incidentId: string): AuditEvent[] {
      return events.all(incidentId).map((e) => ({ atMs: e.at_ms, actor: e.actor_name, action: e.action, detail: e.detail }));
    },
    addTimeEntry(e: TimeEntry & { createdBy: string | null }): void {
      insertTime.run(e);
    },
    findTimeEntry(id: string): TimeEntry | undefined {
      const r = timeEntryById.get(id);
      return r && toTimeEntry(r);
    },
    deleteTimeEntry(id: string): void {
      deleteTime.run(id);
    },
    timeEntries(incidentId: string): TimeEntry[] {
      return timeEntries.all(incidentId).map(toTimeEntry);
    },
    /** Minutes booked per incident of a client on work dates within [fromDate, toDate] (YYYY-MM-DD). */
    minutesByIncident(clientId: string, fromDate: string, toDate: string): { incidentId: string; minutes: number }[] {
      return minutesByIncident.all({ clientId, fromDate, toDate }).map((r) => ({ incidentId: r.incident_id, minutes: r.minutes }));
    },
  };
}
export type IncidentStore = ReturnType<typeof createIncidentStore>;
