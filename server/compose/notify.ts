/**
 * What leaves the server for people: the notifier (outbox → deliveries → channels, escalation,
 * digests) and the monthly client reports it mails. Links in both point at `baseUrl()`.
 */
import type { Logger } from 'pino';
import { createNotifier } from '../notify/notifier.js';
import { createBilling } from '../billing/index.js';
import { loadBranding } from '../billing/branding.js';
import type { Alerting } from '../alerting/index.js';
import type { Storage } from './storage.js';
import type { ServerOptions } from './options.js';
import type { AgentPath } from './agents.js';

/** Builds the notifier (started by the root once the server listens) and billing with its report scheduler (not started). */
export function createNotifyPath(
  storage: Storage,
  alerting: Alerting,
  agents: AgentPath,
  baseUrl: () => string,
  opts: ServerOptions,
  logger: Logger,
  now: () => number,
) {
  const { db, users, clients, devices, secrets } = storage;
  const notify = createNotifier({
    db,
    users,
    clients,
    alerting,
    logger,
    audit: storage.audit,
    now,
    secrets,
    baseUrl,
    probedDevicesOf: (deviceId) => storage.probes.listOfProbe(deviceId).map((p) => p.hostname),
    fetch: opts.fetch,
    channelTypes: opts.channelTypes,
    tickIntervalMs: opts.notifyTickIntervalMs,
    retry: opts.notifyRetry,
    random: opts.random,
    selfChecks: opts.selfChecks,
    ingestFacts: () => {
      const last = agents.ingest.stats().lastCommitAtMs;
      return {
        connectedAgents: agents.gateway.connectionCount(),
        shortestIntervalMs: agents.gateway.shortestIntervalMs(),
        lastCommitMs: last > 0 ? last : null,
      };
    },
  });
  const billing = createBilling({
    db,
    clients,
    devices,
    alerts: alerting.alerts,
    incidents: alerting.incidents,
    channels: notify.channels,
    deliveries: notify.deliveries,
    logger,
    audit: storage.audit,
    now,
    branding: loadBranding(opts.branding),
    chromiumPath: opts.chromiumPath,
    // Status links show each device's state now, as the fleet does.
    presence: { isOnline: agents.isOnline, isStatusUnknown: agents.isStatusUnknown, health: () => storage.deviceHealth.openByDevice() },
  });
  return { notify, billing };
}
