/**
 * Creating, replacing and deleting maintenance windows: the scope must exist, the window must
 * not be inverted or absurdly long, and it must not overlap another window of the same scope
 * (overlaps make "which window suppressed this?" unanswerable). Nothing is written unless every
 * check passed; a change and its audit entry commit together, and the engine re-reads the
 * windows after the commit.
 */
import type { MaintenanceInput, MaintenanceWindow } from '../../shared/alert-types.js';
import type { ClientStore } from '../store/clients.js';
import type { DeviceStore } from '../store/devices.js';
import { specOf, type MaintenanceStore, type StoredWindow } from '../store/maintenance.js';
import { HttpError } from '../lib/errors.js';
import { auditActorOf, changedFields, type AuditLog } from '../audit/audit-log.js';
import type { Actor } from './alert-actions.js';
import { isInMaintenance, windowsOverlap } from '../time/windows.js';
import type { RuleEngine } from './engine/engine.js';

/** Longest one-off window, ms. */
export const MAX_ONE_OFF_MS = 366 * 86_400_000;

/** Builds the maintenance service. */
export function createMaintenanceService(deps: {
  maintenance: MaintenanceStore;
  clients: ClientStore;
  devices: DeviceStore;
  engine: RuleEngine;
  audit: AuditLog;
  now: () => number;
}) {
  const { maintenance, audit } = deps;
  const who = auditActorOf;

  /** The time zone recurring windows of a scope are read in: its client's. */
  function timezoneOf(scope: MaintenanceInput['scope']): string {
    if (scope.type === 'client') {
      const c = deps.clients.findById(scope.clientId);
      if (!c) throw new HttpError(400, 'CLIENT_NOT_FOUND', `scope.clientId: no client with id ${scope.clientId}`);
      return c.timezone;
    }
    const d = deps.devices.findById(scope.deviceId);
    if (!d) throw new HttpError(400, 'DEVICE_NOT_FOUND', `scope.deviceId: no device with id ${scope.deviceId}`);
    return deps.clients.findById(d.clientId)?.timezone ?? 'UTC';
  }

  function check(input: MaintenanceInput, selfId?: string): void {
    if (input.kind === 'one-off') {
      if (input.endsAtMs <= input.startsAtMs)
        throw new HttpError(400, 'MAINTENANCE_INVERTED', `endsAtMs (${input.endsAtMs}) must be after startsAtMs (${input.startsAtMs})`);
      if (input.endsAtMs - input.startsAtMs > MAX_ONE_OFF_MS)
        throw new HttpError(400, 'MAINTENANCE_TOO_LONG', 'a one-off window may last at most 366 days; disable the rule instead');
    } else if (input.startTime === '24:00') {
      throw new HttpError(400, 'VALIDATION_FAILED', 'body.startTime: a window starts at 00:00–23:59; 24:00 is only an end');
    } else if (input.endTime === input.startTime) {
      throw new HttpError(
        400,
        'MAINTENANCE_EMPTY',
        `endTime (${input.endTime}) equals startTime: give the end; an end before the start (22:00–04:00) runs into the next day`,
      );
    }
    const timezone = timezoneOf(input.scope);
    const spec = specOf(input);
    for (const other of maintenance.listAtScope(input.scope)) {
      if (other.id === selfId) continue;
      if (windowsOverlap(spec, other.spec, timezone)) {
        throw new HttpError(
          400,
          'MAINTENANCE_OVERLAP',
          `overlaps maintenance window "${other.input.name}" (${other.id}) of the same ${input.scope.type}; change or delete that one`,
        );
      }
    }
  }

  function view(w: StoredWindow): MaintenanceWindow {
    const timezone = timezoneOf(w.input.scope);
    return { ...w.input, id: w.id, timezone, isActiveNow: isInMaintenance([w.spec], deps.now(), timezone), createdAtMs: w.createdAtMs, createdBy: w.createdBy };
  }

  function mustFind(id: string): StoredWindow {
    const w = maintenance.findById(id);
    if (!w) throw new HttpError(404, 'MAINTENANCE_NOT_FOUND', `no maintenance window with id ${id}`);
    return w;
  }

  return {
    /** Windows, optionally only those of one client (its own and its devices') or one device. */
    list(filter: { clientId?: string; deviceId?: string }): MaintenanceWindow[] {
      return maintenance
        .list()
        .filter((w) => {
          if (filter.deviceId !== undefined) return w.deviceId === filter.deviceId;
          if (filter.clientId !== undefined)
            return w.clientId === filter.clientId || (w.deviceId !== null && deps.devices.findById(w.deviceId)?.clientId === filter.clientId);
          return true;
        })
        .map(view);
    },
    get(id: string): MaintenanceWindow {
      return view(mustFind(id));
    },
    create(input: MaintenanceInput, actor: Actor): MaintenanceWindow {
      check(input);
      const w = audit.audited(who(actor), (record) => {
        const w = maintenance.create(input, deps.now(), actor.username);
        record({
          action: 'maintenance.create',
          entityType: 'maintenance',
          entityId: w.id,
          summary: `created maintenance window "${w.input.name}"`,
          detail: { window: input },
        });
        return w;
      });
      deps.engine.reloadMaintenance();
      return view(w);
    },
    replace(id: string, input: MaintenanceInput, actor: Actor): MaintenanceWindow {
      const before = view(mustFind(id));
      check(input, id);
      const w = audit.audited(who(actor), (record) => {
        const w = maintenance.replace(id, input);
        record({
          action: 'maintenance.update',
          entityType: 'maintenance',
          entityId: id,
          summary: `changed maintenance window "${w.input.name}"`,
          detail: { changes: changedFields(before, view(w), Object.keys(input)) },
        });
        return w;
      });
      deps.engine.reloadMaintenance();
      return view(w);
    },
    delete(id: string, actor: Actor): void {
      const before = mustFind(id);
      audit.audited(who(actor), (record) => {
        maintenance.delete(id);
        record({ action: 'maintenance.delete', entityType: 'maintenance', entityId: id, summary: `deleted maintenance window "${before.input.name}"` });
      });
      deps.engine.reloadMaintenance();
    },
  };
}
export type MaintenanceService = ReturnType<typeof createMaintenanceService>;
