/**
 * Composition root of the server. Everything is built here from explicit parts and handed down;
 * tests build their own with a temp data dir and port 0. It reads top to bottom: each path is
 * built (server/compose/), then every arrow below is one subscription, made in one place.
 *
 *   agent ─ws─▶ gateway ─▶ ingest (group commit) ─▶ SQLite head rows ─upkeep─▶ blocks + rollups
 *        ◀─pause─┘ (back-pressure)  ├─ committed ─▶ live hub ─ws─▶ dashboards
 *                                   └─ committed ─▶ rule engine ─▶ alerts | incidents | outbox
 *                                                         └─ changed rows ─▶ live hub ─ws─▶ dashboards
 *   outbox ─▶ notifier (dispatch, escalate) ─▶ deliveries ─▶ worker ─▶ email | webhook | Slack | Teams | ntfy
 *   browser ─http─▶ express app (/api, dashboard files); Prometheus ─http─▶ /metrics
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { systemClock } from './time/clock.js';
import type { Db } from './store/database.js';
import type { Compactor } from './series/index.js';
import type { Ingest } from './ingest/ingest.js';
import type { AgentGateway } from './gateway/agent-gateway.js';
import { createAlerting } from './alerting/index.js';
import type { ApiContext } from './api/context.js';
import { withRedaction } from './logging.js';
import type { ServerOptions } from './compose/options.js';
import { openStorage, startStorageUpkeep } from './compose/storage.js';
import { createAgentPath } from './compose/agents.js';
import { createNotifyPath } from './compose/notify.js';
import { attachWeb, createListener } from './compose/http.js';
import { createHeartbeat, type Heartbeat } from './notify/heartbeat.js';
import { isSetupPending } from './auth/bootstrap.js';
import { createJobsPath } from './compose/jobs.js';

export type { ServerOptions } from './compose/options.js';

/** A running (or ready to listen) Quarkpulse server. */
export interface QuarkpulseServer {
  /** Starts listening; resolves with the bound port. */
  listen(port: number, host?: string): Promise<number>;
  /** Stops accepting, closes sockets, flushes ingest, closes the database. */
  close(): Promise<void>;
  /** Base URL once listening, e.g. http://127.0.0.1:8080 (https:// with TLS). */
  url(): string;
  /** On a first start without QP_ADMIN_PASSWORD: the one-time code of the setup page (print it once). */
  setupCode: string | undefined;
  /** The setup page's address with its code, while setup is pending (the code is in the fragment: never sent to a server log). */
  setupUrl(): string | undefined;
  db: Db;
  ctx: ApiContext;
  http: Server;
  /** Live parts, for tests and benchmarks. */
  ingest: Ingest;
  gateway: AgentGateway;
  compactor: Compactor;
  /** The outbound heartbeat, when one is configured. */
  heartbeat: Heartbeat | undefined;
}

/** Builds a server from its parts. */
export async function createServer(opts: ServerOptions): Promise<QuarkpulseServer> {
  // Redaction applies whatever logger the caller brought (server/logging.ts).
  const logger = withRedaction(opts.logger ?? pino({ name: 'quarkpulse-server' }));
  const clock = opts.clock ?? systemClock;
  const now = () => clock.now();

  // 1. The listener first (a wrong TLS path fails before any file is opened), then storage.
  const listener = createListener(opts, logger);
  const storage = await openStorage(opts, logger, now);
  const { db, users, clients, devices, probes } = storage;
  listener.usePublicUrl(storage.publicUrl);

  // 2. The paths, each from the ones below it.
  const alerting = createAlerting({ db, users, clients, devices, logger, audit: storage.audit, now, tickIntervalMs: opts.ruleTickIntervalMs });
  const agents = createAgentPath(storage, opts, logger, now, alerting.watch);
  const { ingest, gateway } = agents;
  const upkeep = startStorageUpkeep(storage, ingest, opts, logger, now);
  const out = createNotifyPath(storage, alerting, agents, listener.baseUrl, opts, logger, now);
  const { notify, billing } = out;
  const { jobs, policies } = createJobsPath(storage, alerting, agents, logger, now);
  const { hub, serverMetrics, ctx } = attachWeb({ storage, agents, alerting, out, listener, jobs, policies }, opts, logger, now);

  // 3. Who tells whom: every arrow of the diagram above, in the order each event is handled.
  ingest.onPressure((isUnder) => gateway.setPaused(isUnder));
  // A locked or full database during upkeep is ingest's storage health to report (one mechanism).
  upkeep.onStorageFault((err, during) => ingest.noteWriteFailed(err, { during }));
  ingest.onBatch((info) => serverMetrics.observeBatch(info));
  ingest.onCommitted((stored) => {
    for (const s of stored) {
      hub.publishSamples(s.deviceId, s.report.tsMs, s.report.metrics);
      hub.markDeviceChanged(s.deviceId);
    }
    alerting.engine.onReportsCommitted(stored);
  });
  gateway.onPresence((id, isConnected) => {
    hub.markDeviceChanged(id);
    // A probe coming or going changes what its probed devices show (unknown while it is away).
    // Sockets still close while the server shuts down, after the database is closed.
    if (db.open) for (const t of probes.listOfProbe(id)) hub.markDeviceChanged(t.id);
    alerting.engine.onPresence(id, isConnected);
    if (!isConnected) alerting.watch.forget(id);
  });
  // Rules changed (or a device moved): agents whose watched thresholds changed get a new config.
  alerting.engine.onRuleSetChanged((deviceId) => {
    for (const id of deviceId !== undefined ? [deviceId] : gateway.connectedDeviceIds()) {
      if (gateway.isConnected(id) && alerting.watch.hasChanged(id)) gateway.refreshConfig(id);
    }
  });
  // Job statuses and hellos go to the job service, which answers through the gateway.
  gateway.attachJobs(jobs);
  // An ended job is a sample for the rules: failed maintenance alerts or opens an incident.
  jobs.onResult((deviceId, task, failed) =>
    alerting.engine.onServerSamples(deviceId, [{ name: 'maintenance.failed', labels: { task }, value: failed ? 1 : 0 }]),
  );
  alerting.onRecordsChanged((c) => hub.markRecordsChanged(c));
  // A committed alert change pages within milliseconds instead of waiting for the next tick.
  alerting.engine.onChanges(() => notify.kick());

  // 4. Timers start once everything they tell is listening.
  alerting.engine.start();
  jobs.start();
  policies.start();
  if (opts.reportSchedule !== false) billing.reportScheduler.start();

  const { http } = listener;
  const heartbeat = opts.heartbeat && createHeartbeat({ ...opts.heartbeat, logger, fetch: opts.fetch, now });
  let isClosed = false;
  return {
    setupCode: storage.setupCode,
    setupUrl: () =>
      storage.setupCode && isSetupPending(storage.serverSettings) ? `${listener.baseUrl()}/#/setup?code=${encodeURIComponent(storage.setupCode)}` : undefined,
    db,
    ctx,
    http,
    ingest,
    gateway,
    compactor: storage.compactor,
    heartbeat,
    listen(port, host = '0.0.0.0') {
      return new Promise((resolve, reject) => {
        http.once('error', reject);
        // A reconnect storm of 15,000 agents outruns Node's default accept backlog of 511.
        http.listen(port, host, 4096, () => {
          http.off('error', reject);
          // Delivery starts once links in messages can point at a listening server.
          notify.start();
          // The outside watcher hears from us once we can take agents and people.
          heartbeat?.start();
          ctx.setup.warnIfLinksLocal(listener.baseUrl());
          resolve((http.address() as AddressInfo).port);
        });
      });
    },
    url: listener.url,
    async close() {
      if (isClosed) return;
      isClosed = true;
      // The pings stop first: a server shutting down is no longer watching.
      await heartbeat?.stop();
      upkeep.stopUpkeep();
      // Stop accepting, then commit what is queued while the agents' sockets are still open, so
      // their acks go out before the close frames (anything unacked is replayed, never lost).
      const httpClosed = new Promise<void>((resolve) => http.close(() => resolve()));
      ingest.flushAll();
      gateway.close();
      hub.close();
      http.closeAllConnections();
      await httpClosed;
      ingest.flushAll();
      alerting.engine.stop();
      jobs.stop();
      policies.stop();
      await billing.reportScheduler.stop();
      // Let sends in flight record their outcome; anything still queued is sent after the next start.
      await notify.stop();
      await upkeep.stopCheckpointer();
      db.close();
    },
  };
}
