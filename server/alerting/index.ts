/**
 * The alerting part of the server, assembled: stores, the engine, and the services the REST
 * routes call. The composition root builds one, starts its engine, wires ingest and the gateway
 * to it, and stops it on close.
 *
 *   ingest.onCommitted ─▶ engine.onReportsCommitted ─▶ alerts | incidents | outbox
 *   gateway.onPresence ─▶ engine.onPresence
 *   REST /api/rules, /maintenance, /clients, /devices ─▶ services ─▶ engine.reload…/refresh…
 *   engine commits and REST actions on alerts/incidents ─▶ onRecordsChanged (live dashboards)
 */
import type { Logger } from 'pino';
import type { Db } from '../store/database.js';
import type { UserStore } from '../store/users.js';
import type { ClientStore } from '../store/clients.js';
import type { DeviceStore } from '../store/devices.js';
import { createRuleStore } from '../store/rules.js';
import { createWatchConfig } from './watch-config.js';
import { createAlertStore } from '../store/alerts.js';
import { createIncidentStore } from '../store/incidents.js';
import { createMaintenanceStore } from '../store/maintenance.js';
import { createOutboxStore } from '../store/outbox.js';
import { createAlertGroupStore } from '../store/alert-groups.js';
import { createListeners } from '../lib/listeners.js';
import { DEFAULT_RULES } from './policy/defaults.js';
import { createRuleEngine } from './engine/engine.js';
import type { AuditLog } from '../audit/audit-log.js';
import { createRuleService } from './rule-service.js';
import { createMaintenanceService } from './maintenance-service.js';
import { createAlertActions } from './alert-actions.js';
import { createIncidentActions } from './incident-actions.js';

/** What createAlerting needs from the rest of the server. */
export interface AlertingOptions {
  db: Db;
  users: UserStore;
  clients: ClientStore;
  devices: DeviceStore;
  logger: Logger;
  /** Who changed what: the actions and services record their own entries. */
  audit: AuditLog;
  now: () => number;
  /** How often the engine checks time-based conditions, ms (default 5 s). */
  tickIntervalMs?: number;
}

/** Alerts and incidents whose stored rows changed. */
export interface RecordsChanged {
  alertIds?: readonly string[];
  incidentIds?: readonly string[];
}

/** Builds the alerting stores, engine and services, and seeds the default rules. */
export function createAlerting(opts: AlertingOptions) {
  const { db, users, clients, devices, logger, audit, now } = opts;
  const rules = createRuleStore(db);
  const alerts = createAlertStore(db);
  const incidents = createIncidentStore(db);
  const maintenance = createMaintenanceStore(db);
  const outbox = createOutboxStore(db);
  const alertGroups = createAlertGroupStore(db);
  const seeded = rules.seedDefaults(DEFAULT_RULES, now());
  if (seeded > 0) logger.info({ seeded }, 'default rules added');
  const engine = createRuleEngine({ db, rules, alerts, incidents, maintenance, outbox, clients, devices, logger, now, tickIntervalMs: opts.tickIntervalMs });
  const recordsChanged = createListeners<[RecordsChanged]>((err) => logger.error({ err }, 'records-changed listener failed'));
  const onChanged = (change: RecordsChanged) => recordsChanged.emit(change);
  engine.onChanges((changes) => {
    const alertIds = changes.filter((c) => c.type.startsWith('alert.')).map((c) => c.id);
    const incidentIds = changes.filter((c) => c.type.startsWith('incident.')).map((c) => c.id);
    onChanged({ alertIds, incidentIds });
  });
  return {
    /** Subscribes to alerts and incidents whose rows changed (engine or people), after the commit; for live views. */
    onRecordsChanged: (listener: (change: RecordsChanged) => void) => recordsChanged.add(listener),
    rules,
    alerts,
    incidents,
    maintenance,
    outbox,
    alertGroups,
    engine,
    /** The thresholds each device's agent watches between reports (welcome/config `watch`). */
    watch: createWatchConfig(engine, logger),
    ruleService: createRuleService({ rules, clients, devices, engine, audit, now }),
    maintenanceService: createMaintenanceService({ maintenance, clients, devices, engine, audit, now }),
    alertActions: createAlertActions({ db, alerts, alertGroups, outbox, users, audit, now, onChanged: (ids) => onChanged({ alertIds: ids }) }),
    incidentActions: createIncidentActions({ db, incidents, clients, devices, audit, now, onChanged: (id) => onChanged({ incidentIds: [id] }) }),
  };
}
export type Alerting = ReturnType<typeof createAlerting>;
