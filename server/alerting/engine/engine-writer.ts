/**
 * Writes what one evaluation batch decided: alerts and incidents opened or closed, deferred
 * pages, their audit events and outbox jobs, all in ONE transaction. Each effect runs in its own
 * savepoint, so one effect that cannot be written (say, a constraint the engine's memory
 * disagrees with) is skipped and reported instead of failing everyone else's.
 */
import type { Logger } from 'pino';
import type { Db } from '../../store/database.js';
import type { AlertStore, NewAlert } from '../../store/alerts.js';
import type { IncidentStore, NewIncident } from '../../store/incidents.js';
import type { OutboxStore } from '../../store/outbox.js';
import type { Closure } from '../../../shared/alert-types.js';
import { buildAlertPayload } from '../policy/notification-payload.js';
import { routeFollowUp, type OpenRoute } from '../policy/routing.js';

/** The engine as an actor in audit trails. */
export const SYSTEM_ACTOR = { id: null, name: 'system' } as const;

/** A new alert or incident to write. */
export type OpenEffect = Pick<
  NewAlert,
  'id' | 'ruleId' | 'ruleName' | 'ruleKind' | 'severity' | 'deviceId' | 'clientId' | 'labelsJson' | 'summary' | 'value' | 'isFlapping'
> &
  Pick<NewIncident, 'snapshot'> & {
    type: 'open';
    key: string;
    route: OpenRoute;
    atMs: number;
  };

/** An alert or incident to close. */
export interface CloseEffect {
  type: 'close';
  key: string;
  target: 'alert' | 'incident';
  id: string;
  atMs: number;
  summary: string;
  resolution: Closure;
}

/** An alert held back by maintenance that now pages. */
export interface PageEffect {
  type: 'page';
  key: string;
  id: string;
  atMs: number;
}

export type Effect = OpenEffect | CloseEffect | PageEffect;

/** A committed change, told to subscribers after the commit (benchmarks, tests, live views). */
export type EngineChange =
  | { type: 'alert.opened'; id: string; deviceId: string; isNotified: boolean; atMs: number }
  | { type: 'incident.opened'; id: string; deviceId: string; atMs: number }
  | { type: 'alert.resolved' | 'incident.closed'; id: string; atMs: number }
  | { type: 'alert.paged'; id: string; atMs: number };

/** Builds the batch writer once. */
export function createEffectWriter(deps: { db: Db; alerts: AlertStore; incidents: IncidentStore; outbox: OutboxStore; logger: Logger }) {
  const { db, alerts, incidents, outbox, logger } = deps;

  function apply(e: Effect): EngineChange | undefined {
    if (e.type === 'open' && e.route.target === 'alert') {
      alerts.insert({
        id: e.id,
        ruleId: e.ruleId,
        ruleName: e.ruleName,
        ruleKind: e.ruleKind,
        severity: e.severity,
        deviceId: e.deviceId,
        clientId: e.clientId,
        labelsJson: e.labelsJson,
        summary: e.summary,
        value: e.value,
        isInMaintenance: e.route.isInMaintenance,
        isFlapping: e.isFlapping,
        isNotified: e.route.shouldNotify,
        openedAtMs: e.atMs,
      });
      const note = e.route.shouldNotify ? 'notification queued' : e.route.isInMaintenance ? 'in maintenance: not paged' : 'not paged';
      alerts.addEvent(e.id, e.atMs, SYSTEM_ACTOR, 'fired', `${e.summary} (${note}${e.isFlapping ? ', flapping' : ''})`);
      if (e.route.shouldNotify) {
        outbox.enqueue(
          { kind: 'alert.firing', alertId: e.id, payload: { ...buildAlertPayload(alerts.findById(e.id)!, 'alert.firing', e.atMs, 'system') } },
          e.atMs,
        );
      }
      return { type: 'alert.opened', id: e.id, deviceId: e.deviceId, isNotified: e.route.shouldNotify, atMs: e.atMs };
    }
    if (e.type === 'open') {
      incidents.insert({
        id: e.id,
        source: 'rule',
        ruleId: e.ruleId,
        ruleName: e.ruleName,
        ruleKind: e.ruleKind,
        severity: e.severity,
        deviceId: e.deviceId,
        clientId: e.clientId,
        labelsJson: e.labelsJson,
        title: `${e.ruleName}: ${e.summary}`,
        value: e.value,
        snapshot: e.snapshot,
        isInMaintenance: e.route.isInMaintenance,
        isFlapping: e.isFlapping,
        openedAtMs: e.atMs,
        openedBy: null,
      });
      incidents.addEvent(e.id, e.atMs, SYSTEM_ACTOR, 'opened', e.summary);
      return { type: 'incident.opened', id: e.id, deviceId: e.deviceId, atMs: e.atMs };
    }
    if (e.type === 'close' && e.target === 'alert') {
      const closed = alerts.resolveIfOpen(e.id, e.atMs, 'system', e.resolution);
      if (!closed) return undefined; // resolved by hand earlier
      alerts.addEvent(e.id, e.atMs, SYSTEM_ACTOR, 'resolved', e.resolution === 'cleared' ? e.summary : 'rule no longer applies');
      if (routeFollowUp({ target: 'alert', wasNotified: closed.wasNotified })) {
        outbox.enqueue(
          { kind: 'alert.resolved', alertId: e.id, payload: { ...buildAlertPayload(alerts.findById(e.id)!, 'alert.resolved', e.atMs, 'system') } },
          e.atMs,
        );
      }
      return { type: 'alert.resolved', id: e.id, atMs: e.atMs };
    }
    if (e.type === 'close') {
      if (!incidents.closeIfOpen(e.id, e.atMs, 'system', e.resolution)) return undefined;
      incidents.addEvent(e.id, e.atMs, SYSTEM_ACTOR, 'closed', e.resolution === 'cleared' ? e.summary : 'rule no longer applies');
      return { type: 'incident.closed', id: e.id, atMs: e.atMs };
    }
    if (!alerts.markPaged(e.id)) return undefined; // acknowledged or resolved meanwhile
    alerts.addEvent(e.id, e.atMs, SYSTEM_ACTOR, 'paged', 'maintenance window over and the condition persists');
    outbox.enqueue(
      { kind: 'alert.firing', alertId: e.id, payload: { ...buildAlertPayload(alerts.findById(e.id)!, 'alert.firing', e.atMs, 'system') } },
      e.atMs,
    );
    return { type: 'alert.paged', id: e.id, atMs: e.atMs };
  }

  // Nested better-sqlite3 transactions are savepoints: one failing effect rolls back alone.
  const applyInSavepoint = db.transaction(apply);
  const writeAll = db.transaction((effects: readonly Effect[]) => {
    const changes: EngineChange[] = [];
    const failedKeys = new Set<string>();
    for (const e of effects) {
      if (failedKeys.has(e.key)) continue;
      try {
        const change = applyInSavepoint(e);
        if (change) changes.push(change);
      } catch (err) {
        failedKeys.add(e.key);
        logger.error({ err, effect: e.type, key: e.key, id: e.id }, 'rule effect could not be written; skipped');
      }
    }
    return { changes, failedKeys };
  });

  return {
    /** Writes a batch in one transaction. Throws only if the transaction itself fails. */
    write(effects: readonly Effect[]): { changes: EngineChange[]; failedKeys: Set<string> } {
      if (effects.length === 0) return { changes: [], failedKeys: new Set() };
      return writeAll(effects);
    },
  };
}
export type EffectWriter = ReturnType<typeof createEffectWriter>;
