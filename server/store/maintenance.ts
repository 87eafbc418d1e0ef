/** Maintenance windows of clients and devices. Validation (inversion, overlap) happens before writing. */
import { WEEKDAYS, type MaintenanceInput } from '../../shared/alert-types.js';
import type { Db } from './database.js';
import { generateId } from '../lib/secrets.js';
import { formatLocalTime, parseLocalTime } from '../time/zones.js';
import type { WindowSpec } from '../time/windows.js';

/** A stored window: its API fields plus the spec the predicate reads. */
export interface StoredWindow {
  id: string;
  input: MaintenanceInput;
  spec: WindowSpec;
  clientId: string | null;
  deviceId: string | null;
  createdAtMs: number;
  createdBy: string | null;
}

interface WindowRow {
  id: string;
  name: string;
  scope_type: 'client' | 'device';
  client_id: string | null;
  device_id: string | null;
  kind: 'one-off' | 'recurring';
  starts_at_ms: number | null;
  ends_at_ms: number | null;
  days_of_week: string | null;
  start_minute: number | null;
  end_minute: number | null;
  created_at_ms: number;
  created_by: string | null;
}

function toWindow(r: WindowRow): StoredWindow {
  const scope = r.scope_type === 'client' ? { type: 'client' as const, clientId: r.client_id! } : { type: 'device' as const, deviceId: r.device_id! };
  const base = { id: r.id, clientId: r.client_id, deviceId: r.device_id, createdAtMs: r.created_at_ms, createdBy: r.created_by };
  if (r.kind === 'one-off') {
    return {
      ...base,
      input: { kind: 'one-off', name: r.name, scope, startsAtMs: r.starts_at_ms!, endsAtMs: r.ends_at_ms! },
      spec: { kind: 'one-off', startsAtMs: r.starts_at_ms!, endsAtMs: r.ends_at_ms! },
    };
  }
  const days = r.days_of_week!.split(',').map(Number);
  return {
    ...base,
    input: {
      kind: 'recurring',
      name: r.name,
      scope,
      daysOfWeek: days.map((d) => WEEKDAYS[d]!),
      startTime: formatLocalTime(r.start_minute!),
      endTime: formatLocalTime(r.end_minute!),
    },
    spec: { kind: 'recurring', days, startMinute: r.start_minute!, endMinute: r.end_minute! },
  };
}

/** The predicate's view of an API window. */
export function specOf(input: MaintenanceInput): WindowSpec {
  if (input.kind === 'one-off') return { kind: 'one-off', startsAtMs: input.startsAtMs, endsAtMs: input.endsAtMs };
  return {
    kind: 'recurring',
    days: [...new Set(input.daysOfWeek.map((d) => WEEKDAYS.indexOf(d)))].sort(),
    startMinute: parseLocalTime(input.startTime),
    endMinute: parseLocalTime(input.endTime),
  };
}

function bindings(id: string, input: MaintenanceInput) {
  const spec = specOf(input);
  return {
    id,
    name: input.name,
    scopeType: input.scope.type,
    clientId: input.scope.type === 'client' ? input.scope.clientId : null,
    deviceId: input.scope.type === 'device' ? input.scope.deviceId : null,
    kind: input.kind,
    startsAtMs: spec.kind === 'one-off' ? spec.startsAtMs : null,
    endsAtMs: spec.kind === 'one-off' ? spec.endsAtMs : null,
    daysOfWeek: spec.kind === 'recurring' ? spec.days.join(',') : null,
    startMinute: spec.kind === 'recurring' ? spec.startMinute : null,
    endMinute: spec.kind === 'recurring' ? spec.endMinute : null,
  };
}

/** Builds the maintenance statements once. */
export function createMaintenanceStore(db: Db) {
  const all = db.prepare<[], WindowRow>('SELECT * FROM maintenance_windows ORDER BY created_at_ms, id');
  const byId = db.prepare<[string], WindowRow>('SELECT * FROM maintenance_windows WHERE id = ?');
  const byClient = db.prepare<[string], WindowRow>('SELECT * FROM maintenance_windows WHERE client_id = ? ORDER BY created_at_ms, id');
  const byDevice = db.prepare<[string], WindowRow>('SELECT * FROM maintenance_windows WHERE device_id = ? ORDER BY created_at_ms, id');
  const insert = db.prepare(
    `INSERT INTO maintenance_windows (id, name, scope_type, client_id, device_id, kind, starts_at_ms, ends_at_ms, days_of_week, start_minute, end_minute, created_at_ms, created_by)
     VALUES (@id, @name, @scopeType, @clientId, @deviceId, @kind, @startsAtMs, @endsAtMs, @daysOfWeek, @startMinute, @endMinute, @nowMs, @by)`,
  );
  const update = db.prepare(
    `UPDATE maintenance_windows SET name = @name, scope_type = @scopeType, client_id = @clientId, device_id = @deviceId, kind = @kind,
       starts_at_ms = @startsAtMs, ends_at_ms = @endsAtMs, days_of_week = @daysOfWeek, start_minute = @startMinute, end_minute = @endMinute
     WHERE id = @id`,
  );
  const remove = db.prepare<[string]>('DELETE FROM maintenance_windows WHERE id = ?');

  return {
    list(): StoredWindow[] {
      return all.all().map(toWindow);
    },
    findById(id: string): StoredWindow | undefined {
      const r = byId.get(id);
      return r && toWindow(r);
    },
    /** Windows defined exactly at this scope (a client's own windows, or a device's own). */
    listAtScope(scope: MaintenanceInput['scope']): StoredWindow[] {
      return (scope.type === 'client' ? byClient.all(scope.clientId) : byDevice.all(scope.deviceId)).map(toWindow);
    },
    create(input: MaintenanceInput, nowMs: number, by: string | null): StoredWindow {
      const id = generateId();
      insert.run({ ...bindings(id, input), nowMs, by });
      return toWindow(byId.get(id)!);
    },
    replace(id: string, input: MaintenanceInput): StoredWindow {
      update.run(bindings(id, input));
      return toWindow(byId.get(id)!);
    },
    delete(id: string): void {
      remove.run(id);
    },
  };
}
export type MaintenanceStore = ReturnType<typeof createMaintenanceStore>;
