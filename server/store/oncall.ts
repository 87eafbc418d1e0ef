/**
 * On-call schedules (layers as one JSON document), their overrides, escalation policies (levels
 * as JSON) and which client uses which policy. Validation of meaning (users exist, levels
 * ascending) happens in the service before anything is written here.
 */
import type { EscalationPolicy, Schedule, ScheduleOverrideView } from '../../shared/notify-types.js';
import type { Db } from './database.js';
import { generateId } from '../lib/secrets.js';

interface ScheduleRow {
  id: string;
  name: string;
  timezone: string;
  layers_json: string;
  created_at_ms: number;
  updated_at_ms: number;
  updated_by: string | null;
}

interface OverrideRow {
  id: string;
  schedule_id: string;
  user_id: string;
  username: string;
  starts_at_ms: number;
  ends_at_ms: number;
  note: string | null;
  created_at_ms: number;
  created_by: string | null;
}

interface PolicyRow {
  id: string;
  name: string;
  levels_json: string;
  repeat_count: number | null;
  repeat_after_ms: number;
  is_default: number;
  created_at_ms: number;
  updated_at_ms: number;
  updated_by: string | null;
  client_ids: string | null;
}

const toSchedule = (r: ScheduleRow): Schedule => ({
  id: r.id,
  name: r.name,
  timezone: r.timezone,
  layers: JSON.parse(r.layers_json) as Schedule['layers'],
  createdAtMs: r.created_at_ms,
  updatedAtMs: r.updated_at_ms,
  updatedBy: r.updated_by,
});

const toOverride = (r: OverrideRow): ScheduleOverrideView => ({
  id: r.id,
  scheduleId: r.schedule_id,
  userId: r.user_id,
  username: r.username,
  startsAtMs: r.starts_at_ms,
  endsAtMs: r.ends_at_ms,
  note: r.note,
  createdAtMs: r.created_at_ms,
  createdBy: r.created_by,
});

const toPolicy = (r: PolicyRow): EscalationPolicy => ({
  id: r.id,
  name: r.name,
  levels: JSON.parse(r.levels_json) as EscalationPolicy['levels'],
  repeat: r.repeat_count ?? 'until-acknowledged',
  repeatAfterMs: r.repeat_after_ms,
  isDefault: r.is_default === 1,
  clientIds: r.client_ids ? r.client_ids.split(',').sort() : [],
  createdAtMs: r.created_at_ms,
  updatedAtMs: r.updated_at_ms,
  updatedBy: r.updated_by,
});

/** Fields of a policy to write. */
export interface PolicyFields {
  name: string;
  levels: EscalationPolicy['levels'];
  repeat: EscalationPolicy['repeat'];
  repeatAfterMs: number;
  isDefault: boolean;
  clientIds: string[];
}

const POLICY_SELECT = `SELECT p.*, (SELECT group_concat(client_id) FROM client_escalation_policies cp WHERE cp.policy_id = p.id) AS client_ids FROM escalation_policies p`;

/** Builds the on-call statements once. */
export function createOnCallStore(db: Db) {
  const insertSchedule = db.prepare(
    `INSERT INTO schedules (id, name, timezone, layers_json, created_at_ms, updated_at_ms, updated_by) VALUES (@id, @name, @timezone, @layersJson, @nowMs, @nowMs, @by)`,
  );
  const updateSchedule = db.prepare(
    'UPDATE schedules SET name = @name, timezone = @timezone, layers_json = @layersJson, updated_at_ms = @nowMs, updated_by = @by WHERE id = @id',
  );
  const scheduleById = db.prepare<[string], ScheduleRow>('SELECT * FROM schedules WHERE id = ?');
  const scheduleByName = db.prepare<[string], ScheduleRow>('SELECT * FROM schedules WHERE name = ?');
  const allSchedules = db.prepare<[], ScheduleRow>('SELECT * FROM schedules ORDER BY name');
  const deleteSchedule = db.prepare<[string]>('DELETE FROM schedules WHERE id = ?');
  const insertOverride = db.prepare(
    `INSERT INTO schedule_overrides (id, schedule_id, user_id, starts_at_ms, ends_at_ms, note, created_at_ms, created_by)
     VALUES (@id, @scheduleId, @userId, @startsAtMs, @endsAtMs, @note, @nowMs, @by)`,
  );
  const OVERRIDE_SELECT = 'SELECT o.*, u.username FROM schedule_overrides o JOIN users u ON u.id = o.user_id';
  const overrideById = db.prepare<[string], OverrideRow>(`${OVERRIDE_SELECT} WHERE o.id = ?`);
  const overridesOf = db.prepare<[string, number], OverrideRow>(`${OVERRIDE_SELECT} WHERE o.schedule_id = ? AND o.ends_at_ms > ? ORDER BY o.starts_at_ms`);
  const deleteOverride = db.prepare<[string]>('DELETE FROM schedule_overrides WHERE id = ?');

  const insertPolicy = db.prepare(
    `INSERT INTO escalation_policies (id, name, levels_json, repeat_count, repeat_after_ms, is_default, created_at_ms, updated_at_ms, updated_by)
     VALUES (@id, @name, @levelsJson, @repeatCount, @repeatAfterMs, @isDefault, @nowMs, @nowMs, @by)`,
  );
  const updatePolicy = db.prepare(
    `UPDATE escalation_policies SET name = @name, levels_json = @levelsJson, repeat_count = @repeatCount, repeat_after_ms = @repeatAfterMs,
       is_default = @isDefault, updated_at_ms = @nowMs, updated_by = @by WHERE id = @id`,
  );
  const clearDefault = db.prepare<[string]>('UPDATE escalation_policies SET is_default = 0 WHERE is_default = 1 AND id <> ?');
  const policyById = db.prepare<[string], PolicyRow>(`${POLICY_SELECT} WHERE p.id = ?`);
  const policyByName = db.prepare<[string], PolicyRow>(`${POLICY_SELECT} WHERE p.name = ?`);
  const allPolicies = db.prepare<[], PolicyRow>(`${POLICY_SELECT} ORDER BY p.name`);
  const defaultPolicy = db.prepare<[], PolicyRow>(`${POLICY_SELECT} WHERE p.is_default = 1`);
  const policyOfClient = db.prepare<[string], PolicyRow>(`${POLICY_SELECT} JOIN client_escalation_policies c ON c.policy_id = p.id WHERE c.client_id = ?`);
  const deletePolicy = db.prepare<[string]>('DELETE FROM escalation_policies WHERE id = ?');
  const unassignClients = db.prepare<[string]>('DELETE FROM client_escalation_policies WHERE policy_id = ?');
  const assignClient = db.prepare<[string, string]>(
    'INSERT INTO client_escalation_policies (client_id, policy_id) VALUES (?, ?) ON CONFLICT (client_id) DO UPDATE SET policy_id = excluded.policy_id',
  );

  const policyParams = (id: string, p: PolicyFields, nowMs: number, by: string | null) => ({
    id,
    name: p.name,
    levelsJson: JSON.stringify(p.levels),
    repeatCount: p.repeat === 'until-acknowledged' ? null : p.repeat,
    repeatAfterMs: p.repeatAfterMs,
    isDefault: p.isDefault ? 1 : 0,
    nowMs,
    by,
  });

  const writePolicy = db.transaction((id: string, p: PolicyFields, nowMs: number, by: string | null, isNew: boolean) => {
    if (p.isDefault) clearDefault.run(id);
    if (isNew) insertPolicy.run(policyParams(id, p, nowMs, by));
    else updatePolicy.run(policyParams(id, p, nowMs, by));
    unassignClients.run(id);
    for (const clientId of p.clientIds) assignClient.run(clientId, id);
  });

  return {
    createSchedule(s: { name: string; timezone: string; layers: Schedule['layers'] }, nowMs: number, by: string | null): Schedule {
      const id = generateId();
      insertSchedule.run({ id, name: s.name, timezone: s.timezone, layersJson: JSON.stringify(s.layers), nowMs, by });
      return toSchedule(scheduleById.get(id)!);
    },
    updateSchedule(id: string, s: { name: string; timezone: string; layers: Schedule['layers'] }, nowMs: number, by: string | null): Schedule {
      updateSchedule.run({ id, name: s.name, timezone: s.timezone, layersJson: JSON.stringify(s.layers), nowMs, by });
      return toSchedule(scheduleById.get(id)!);
    },
    findSchedule(id: string): Schedule | undefined {
      const r = scheduleById.get(id);
      return r && toSchedule(r);
    },
    findScheduleByName(name: string): Schedule | undefined {
      const r = scheduleByName.get(name);
      return r && toSchedule(r);
    },
    listSchedules(): Schedule[] {
      return allSchedules.all().map(toSchedule);
    },
    deleteSchedule(id: string): void {
      deleteSchedule.run(id);
    },
    addOverride(
      o: { scheduleId: string; userId: string; startsAtMs: number; endsAtMs: number; note: string | null },
      nowMs: number,
      by: string | null,
    ): ScheduleOverrideView {
      const id = generateId();
      insertOverride.run({ id, ...o, nowMs, by });
      return toOverride(overrideById.get(id)!);
    },
    findOverride(id: string): ScheduleOverrideView | undefined {
      const r = overrideById.get(id);
      return r && toOverride(r);
    },
    /** Overrides of a schedule that end after `afterMs`, by start. */
    overridesOf(scheduleId: string, afterMs = 0): ScheduleOverrideView[] {
      return overridesOf.all(scheduleId, afterMs).map(toOverride);
    },
    deleteOverride(id: string): void {
      deleteOverride.run(id);
    },
    createPolicy(p: PolicyFields, nowMs: number, by: string | null): EscalationPolicy {
      const id = generateId();
      writePolicy(id, p, nowMs, by, true);
      return toPolicy(policyById.get(id)!);
    },
    updatePolicy(id: string, p: PolicyFields, nowMs: number, by: string | null): EscalationPolicy {
      writePolicy(id, p, nowMs, by, false);
      return toPolicy(policyById.get(id)!);
    },
    findPolicy(id: string): EscalationPolicy | undefined {
      const r = policyById.get(id);
      return r && toPolicy(r);
    },
    findPolicyByName(name: string): EscalationPolicy | undefined {
      const r = policyByName.get(name);
      return r && toPolicy(r);
    },
    listPolicies(): EscalationPolicy[] {
      return allPolicies.all().map(toPolicy);
    },
    deletePolicy(id: string): void {
      deletePolicy.run(id);
    },
    /** The client's own policy, else the default one, else undefined. */
    policyFor(clientId: string): EscalationPolicy | undefined {
      const r = policyOfClient.get(clientId) ?? defaultPolicy.get();
      return r && toPolicy(r);
    },
  };
}
export type OnCallStore = ReturnType<typeof createOnCallStore>;
