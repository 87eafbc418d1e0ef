/**
 * The agents' path: the group-commit writer and the agents' WebSocket gateway in front of it, and
 * what "online" means for a device (its own socket, or its site probe's). Subscriptions between
 * these and the other paths are made by the composition root (server/index.ts).
 */
import type { Logger } from 'pino';
import type { Device } from '../store/devices.js';
import { createIngest } from '../ingest/ingest.js';
import { createAgentGateway } from '../gateway/agent-gateway.js';
import { withProbeConfig } from '../probe/probe-config.js';
import { withUpdateConfig } from '../store/agent-updates.js';
import { VERSION } from '../lib/version.js';
import { isReachable } from '../../shared/probe-constants.js';
import type { WatchConfigSource } from '../alerting/watch-config.js';
import type { Storage } from './storage.js';
import type { ServerOptions } from './options.js';

/** Builds ingest and the gateway; the gateway is paused by the root when ingest is behind. */
export function createAgentPath(storage: Storage, opts: ServerOptions, logger: Logger, now: () => number, watch?: Pick<WatchConfigSource, 'wrap'>) {
  const { db, devices, metrics, settings, probes, discovery, inventory, jobSigner, agentUpdates } = storage;
  const ingest = createIngest({
    db,
    devices,
    metrics,
    logger,
    now,
    maxDelayMs: opts.ingestMaxDelayMs,
    maxBatch: opts.ingestMaxBatch,
    highWaterReports: opts.ingestHighWaterReports,
    beforeBatch: opts.ingestBeforeBatch,
  });
  const gateway = createAgentGateway({
    devices,
    // Welcome and config frames carry the watched thresholds, the probe targets (and scans) and the wanted agent version.
    settings: withUpdateConfig(withProbeConfig(watch ? watch.wrap(settings) : settings, probes, discovery), agentUpdates),
    updates: agentUpdates,
    refused: storage.refusedAgents,
    probes,
    inventory,
    ingest,
    logger,
    now,
    serverVersion: VERSION,
    jobSigningKey: jobSigner.publicKey,
    signingKeyEndorsement: storage.signingKeyEndorsement,
    helloTimeoutMs: opts.agentHelloTimeoutMs,
    maxInFlightPerConnection: opts.maxInFlightPerConnection,
    rateLimit: opts.agentRateLimit,
    discovery: {
      // A scan's last frame drops it from the probe's config.
      onResult: (deviceId, msg) => {
        const outcome = discovery.recordResult(deviceId, msg.scanId, msg.scanned, msg.found, msg.isDone, now());
        if (outcome === 'finished') gateway.refreshConfig(deviceId);
        return outcome !== 'unknown';
      },
    },
  });
  // A probed device answers when one of its reachability checks (snmp, ping, tcp, http) is up
  // in its latest values: its probe keeps reporting a silent printer, with check.isUp 0, so a
  // fresh last-seen time alone would keep it "online". Worked out again only when a report came
  // (last-seen moved) or its checks changed; the fleet list's device rows carry no latest values.
  const reachability = new Map<string, { lastSeenMs: number | null; checks: string; isReachable: boolean | undefined }>();
  const isAnswering = (d: Device): boolean => {
    const probed = probes.find(d.id);
    if (!probed) return true;
    const checks = JSON.stringify(probed.checks.map((c) => [c.id, c.type]));
    const cached = reachability.get(d.id);
    if (cached && cached.lastSeenMs === d.lastSeenMs && cached.checks === checks) return cached.isReachable !== false;
    const latest = devices.findById(d.id)?.latest ?? {};
    const entry = { lastSeenMs: d.lastSeenMs, checks, isReachable: isReachable(probed.checks, latest) };
    reachability.set(d.id, entry);
    return entry.isReachable !== false;
  };
  // A probed device is online while its probe is connected, reports it, and it answers (site probe).
  const isOnline = (d: Device): boolean =>
    gateway.isConnected(d.probeDeviceId ?? d.id) &&
    (d.lastSeenMs === null ? d.probeDeviceId === null : now() - d.lastSeenMs <= 3 * d.intervalMs + 5_000) &&
    (d.probeDeviceId === null || isAnswering(d));
  const isStatusUnknown = (d: Device): boolean => d.probeDeviceId !== null && !gateway.isConnected(d.probeDeviceId);
  return { ingest, gateway, isOnline, isStatusUnknown };
}

export type AgentPath = ReturnType<typeof createAgentPath>;
