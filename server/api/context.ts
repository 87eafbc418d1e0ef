/** What route modules get: stores, clock, logger and the live parts of the server. */
import type { Logger } from 'pino';
import type { Db } from '../store/database.js';
import type { UserStore } from '../store/users.js';
import type { ClientStore } from '../store/clients.js';
import type { DeviceStore, Device } from '../store/devices.js';
import type { MetricStore } from '../store/metrics.js';
import type { Alerting } from '../rules/alerting.js';
import type { Notifier } from '../notify/notifier.js';
import type { DeviceHealthQuery } from '../store/device-health.js';

export interface ApiContext {
  db: Db;
  users: UserStore;
  clients: ClientStore;
  devices: DeviceStore;
  metrics: MetricStore;
  logger: Logger;
  now: () => number;
  version: string;
  /** True when the server is reached over TLS (cookies get Secure). */
  isTls: boolean;
  /** Online rule for a device (connected and reporting). */
  isOnline: (d: Device) => boolean;
  /** Rules, alerts, incidents, maintenance and reports (server/rules/alerting.ts). */
  alerting: Alerting;
  /** Channels, on-call schedules, escalation and the delivery queue (server/notify/notifier.ts). */
  notify: Notifier;
  /** Open alerts/incidents per device, for the fleet's health colours. */
  deviceHealth: DeviceHealthQuery;
}
