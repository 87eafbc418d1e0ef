/**
 * Composition root of the server. Everything is built here from explicit parts and handed down;
 * tests build their own with a temp data dir and port 0.
 *
 *   agent ─ws─▶ gateway ─▶ ingest (group commit) ─▶ SQLite head rows ─upkeep─▶ blocks + rollups
 *        ◀─pause─┘ (back-pressure)  ├─ committed ─▶ live hub ─ws─▶ dashboards
 *                                   └─ committed ─▶ rule engine ─▶ alerts | incidents | outbox
 *                                                         └─ changed rows ─▶ live hub ─ws─▶ dashboards
 *   outbox ─▶ notifier (dispatch, escalate) ─▶ deliveries ─▶ worker ─▶ email | webhook | Slack | Teams | ntfy
 *   browser ─http─▶ express app (/api, dashboard files); Prometheus ─http─▶ /metrics
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino, type Logger } from 'pino';
import { AGENT_WS_PATH, LIVE_WS_PATH } from '../shared/protocol.js';
import { systemClock, type Clock } from './time/clock.js';
import { openDatabase, type Db } from './store/database.js';
import { createUserStore } from './store/users.js';
import { createClientStore } from './store/clients.js';
import { createDeviceStore, type Device } from './store/devices.js';
import { createCompactor, createMetricStore, createRetention, createStorageUpkeep, type RetentionPolicy, type StorageUpkeepOptions } from './series/index.js';
import { createAgentSettingsStore } from './store/agent-settings.js';
import { createInventoryStore } from './store/inventory.js';
import { createProbeStore } from './store/probes.js';
import { withProbeConfig } from './probe/probe-config.js';
import { LEGACY_PROBE_KEY_FILE, openLegacyProbeKey, probeCredentialBox } from './lib/probe-secret-box.js';
import { startCheckpointer } from './store/checkpointer.js';
import { createRecordRetention, startRecordRetention, type RecordRetentionPolicy } from './audit/record-retention.js';
import { createIngest, type IngestOptions } from './ingest/ingest.js';
import { createServerMetrics, metricsHandler, type MetricSources } from './metrics/prometheus.js';
import { createApiTokenStore } from './store/api-tokens.js';
import { createAuditLog } from './audit/audit-log.js';
import { withRedaction } from './logging.js';
import { createAgentGateway } from './gateway/agent-gateway.js';
import { createLiveHub } from './live/live-hub.js';
import { createAlerting, type RecordsChanged } from './alerting/index.js';
import { createBilling } from './billing/index.js';
import { loadBranding } from './billing/branding.js';
import { createNotifier } from './notify/notifier.js';
import type { AnyChannel } from './notify/channels/types.js';
import type { RetryPolicy } from './notify/worker.js';
import { createDeviceHealthQuery, withHealth } from './store/device-health.js';
import { SESSION_POLICY, crossOriginRefusal, sessionTokenFromRequest } from './auth/sessions.js';
import { bootstrapAdmin } from './auth/bootstrap.js';
import { createApp } from './api/app.js';
import type { ApiContext } from './api/context.js';
import { VERSION } from './version.js';
import { keyFilePath, openSecretBox } from './lib/secret-box.js';
import { refuseUpgrade } from './lib/raw-http.js';
import { resealLegacyProbeSecrets, sealPlaintextColumns, unknownKeyIds } from './auth/sealed-columns.js';
import { createTwoFactor } from './auth/two-factor.js';
import { createTwoFactorStore } from './store/two-factor.js';
import { createAuthSettingsStore } from './store/auth-settings.js';
import { DEFAULT_JOB_KEY_FILE, loadOrCreateJobSigner } from './jobs/job-signing.js';
import type { AgentRateLimitPolicy } from './gateway/agent-rate-limit.js';
import { loadOrCreateSigningKey } from './signing/signing-key.js';
import { loadAgentArtifacts } from './agent-dist/artifacts.js';
import { agentDistRoutes, installScriptRoutes } from './agent-dist/agent-dist-routes.js';
import { DEFAULT_CONNECTION_LIMITS, guardPendingConnections, serverTimeoutOptions, type ConnectionLimits } from './http/connection-guard.js';

/** Options of createServer. Only dataDir is required. */
export interface ServerOptions {
  /** Directory holding quarkpulse.db. */
  dataDir: string;
  /** Who sends client reports: the MSP's name (QP_MSP_NAME) and logo file (QP_MSP_LOGO: png, jpeg or svg). */
  branding?: { mspName?: string; logoFile?: string };
  /** Chromium for PDF reports (QP_CHROMIUM_PATH; default /usr/bin/chromium). */
  chromiumPath?: string;
  /** false: no monthly report timer (tests call the scheduler's tick themselves). */
  reportSchedule?: false;
  logger?: Logger;
  clock?: Clock;
  /** Password for the bootstrap admin (QP_ADMIN_PASSWORD); generated when absent. */
  adminPassword?: string;
  /** Directory of the built dashboard; defaults to dist/dashboard next to the package. */
  dashboardDir?: string;
  /** Group-commit delay, ms. */
  ingestMaxDelayMs?: number;
  /** How long an agent may take to say hello after the upgrade, ms. */
  agentHelloTimeoutMs?: number;
  /** How often the rule engine checks time-based conditions (offline, `for` windows), ms. */
  ruleTickIntervalMs?: number;
  /** URL people reach this server at, for links in notifications (QP_PUBLIC_URL); default the listen address. */
  publicUrl?: string;
  /** HTTP client of the webhook-like channels; default the global fetch. */
  fetch?: typeof fetch;
  /** Notification channel types; default email, webhook, Slack, Teams, ntfy. */
  channelTypes?: readonly AnyChannel[];
  /** How often the notifier dispatches, escalates and retries, ms (default 1 s). */
  notifyTickIntervalMs?: number;
  /** Retry budget and backoff of deliveries. */
  notifyRetry?: Partial<RetryPolicy>;
  /** Source of backoff jitter (tests make it deterministic). */
  random?: () => number;
  /** How often open dashboard sockets re-check their session, ms (default 30 s). */
  liveSessionCheckIntervalMs?: number;
  /** Serve HTTPS and wss:// with this PEM certificate (chain) and key instead of plain HTTP. */
  tls?: { certFile: string; keyFile: string };
  /** How long each resolution is kept (defaults: raw 7 d, 1 min 90 d, 1 h 2 y). */
  retention?: RetentionPolicy;
  /** Most reports in one ingest transaction. */
  ingestMaxBatch?: number;
  /** Reports queued for the writer above which agent sockets stop being read. */
  ingestHighWaterReports?: number;
  /** Reports one agent connection may have waiting for their commit before it is not read. */
  maxInFlightPerConnection?: number;
  /** Test hook: awaited before each ingest batch (plays a slow disk). */
  ingestBeforeBatch?: IngestOptions['beforeBatch'];
  /** Storage upkeep (compaction, retention) timing, or false to not run it (tests that drive it themselves). */
  storageUpkeep?: Partial<Pick<StorageUpkeepOptions, 'intervalMs' | 'budgetMs' | 'batchWindows' | 'pruneDevices' | 'pruneEveryTicks'>> | false;
  /** How long finished deliveries and the audit log are kept (server/store/record-retention.ts). */
  recordRetention?: RecordRetentionPolicy;
  /** How often old records are pruned, ms (default 10 min). */
  recordRetentionIntervalMs?: number;
  /** Bearer token for GET /metrics; without it only loopback clients may scrape. */
  metricsToken?: string;
  /** Figures owned by other modules, shown on /metrics when given. */
  metricSources?: Pick<MetricSources, 'outboxDepth' | 'openAlerts' | 'openIncidents'>;
  /** Flood limits of the agent socket per device (server/gateway/agent-rate-limit.ts). */
  agentRateLimit?: Partial<AgentRateLimitPolicy>;
  /** Timeouts and the cap on sockets waiting for their first request (server/http/connection-guard.ts). */
  connectionLimits?: Partial<ConnectionLimits>;
  /** Key file sealing secrets at rest (QP_SECRET_KEY_FILE); default `<dataDir>/secret.key`, created at first start. */
  secretKeyFile?: string;
  /** The job-signing key file (QP_JOB_SIGNING_KEY_FILE); default job-signing-key.pem in dataDir, generated at first start. */
  jobSigningKeyFile?: string;
  /** The Ed25519 signing key file (QP_SIGNING_KEY_FILE); default `<dataDir>/signing-key.pem`, made on first start. */
  signingKeyFile?: string;
  /** Directories with a build.json of agent executables (QP_AGENT_DIST_DIRS); default dist/agent/bin of this package. */
  agentArtifactDirs?: readonly string[];
}

/** A running (or ready to listen) Quarkpulse server. */
export interface QuarkpulseServer {
  /** Starts listening; resolves with the bound port. */
  listen(port: number, host?: string): Promise<number>;
  /** Stops accepting, closes sockets, flushes ingest, closes the database. */
  close(): Promise<void>;
  /** Base URL once listening, e.g. http://127.0.0.1:8080 (https:// with TLS). */
  url(): string;
  /** The admin password generated on first start, if one was generated. */
  generatedAdminPassword: string | undefined;
  db: Db;
  ctx: ApiContext;
  http: Server;
  /** Live parts, for tests and benchmarks. */
  ingest: ReturnType<typeof createIngest>;
  gateway: ReturnType<typeof createAgentGateway>;
  compactor: ReturnType<typeof createCompactor>;
}

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function defaultDashboardDir(): string {
  // From the source tree (server/ → dist/dashboard) and from the build (dist/server/ → dist/dashboard).
  return path.basename(packageRoot) === 'dist' ? path.join(packageRoot, 'dashboard') : path.join(packageRoot, 'dist', 'dashboard');
}

function defaultAgentArtifactDir(): string {
  return path.basename(packageRoot) === 'dist' ? path.join(packageRoot, 'agent', 'bin') : path.join(packageRoot, 'dist', 'agent', 'bin');
}

function readTls(tls: { certFile: string; keyFile: string }): { cert: Buffer; key: Buffer } {
  const read = (file: string, what: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new Error(`cannot read the TLS ${what} ${file}: ${(err as Error).message} — check QP_TLS_CERT / QP_TLS_KEY`, { cause: err });
    }
  };
  return { cert: read(tls.certFile, 'certificate'), key: read(tls.keyFile, 'key') };
}

/** Builds a server from its parts. */
export async function createServer(opts: ServerOptions): Promise<QuarkpulseServer> {
  // Redaction applies whatever logger the caller brought (server/logging.ts).
  const logger = withRedaction(opts.logger ?? pino({ name: 'quarkpulse-server' }));
  const clock = opts.clock ?? systemClock;
  const now = () => clock.now();
  // Before anything is opened, so a wrong path fails at startup with the path in the message.
  const tlsFiles = opts.tls ? readTls(opts.tls) : undefined;
  const jobSigner = loadOrCreateJobSigner(opts.jobSigningKeyFile ?? path.join(opts.dataDir, DEFAULT_JOB_KEY_FILE));
  const db = openDatabase(opts.dataDir);
  const secrets = openSecretBox(keyFilePath(opts.dataDir, opts.secretKeyFile), now());
  if (secrets.created) logger.info({ keyFile: secrets.keyFile }, 'created the key file that seals secrets at rest; back it up with the database');
  const missingKeys = unknownKeyIds(db, secrets);
  if (missingKeys.length > 0) {
    db.close();
    throw new Error(
      `the key file ${secrets.keyFile} does not hold key ${missingKeys.join(', ')} that sealed secrets in this database; restore the key file from your backup (or point QP_SECRET_KEY_FILE at it)`,
    );
  }
  const legacyProbeKey = path.join(opts.dataDir, LEGACY_PROBE_KEY_FILE);
  const resealedProbe = resealLegacyProbeSecrets(db, secrets, openLegacyProbeKey(legacyProbeKey), legacyProbeKey);
  if (resealedProbe > 0)
    logger.info({ values: resealedProbe, oldKeyFile: legacyProbeKey }, 'SNMP credentials moved to the key ring; the old probe key file is no longer used');
  const sealedNow = sealPlaintextColumns(db, secrets);
  if (sealedNow > 0) logger.info({ values: sealedNow }, 'sealed secrets stored in plain text by an older version');
  if (jobSigner.isNew) logger.info({ file: jobSigner.file, keyId: jobSigner.keyId }, 'generated the job-signing key (back it up; agents trust only this key)');
  // Outside the database on purpose: a copy of the database alone cannot sign (docs/SECURITY.md).
  const signingKey = loadOrCreateSigningKey(opts.signingKeyFile ?? path.join(opts.dataDir, 'signing-key.pem'));
  if (signingKey.isNew) logger.info({ file: signingKey.file, keyId: signingKey.keyId }, 'signing key created; back it up apart from the database');
  const agentArtifacts = loadAgentArtifacts({ dirs: opts.agentArtifactDirs ?? [defaultAgentArtifactDir()], key: signingKey, serverVersion: VERSION, logger });
  const users = createUserStore(db);
  const clients = createClientStore(db);
  const devices = createDeviceStore(db);
  const metrics = createMetricStore(db, { now, retention: opts.retention });
  const compactor = createCompactor({ db, metrics, now });
  const retention = createRetention({ metrics, now });
  const settings = createAgentSettingsStore(db);
  const inventory = createInventoryStore(db);
  // Sealed by the key ring under their own purpose (server/lib/probe-secret-box.ts).
  const probes = createProbeStore(db, probeCredentialBox(secrets));
  const apiTokens = createApiTokenStore(db);
  const audit = createAuditLog({ db, now });
  const twoFactor = createTwoFactor({ store: createTwoFactorStore(db), settings: createAuthSettingsStore(db), secrets, now, publicUrl: opts.publicUrl });
  const generatedAdminPassword = await bootstrapAdmin(users, opts.adminPassword, now());
  const deviceHealth = createDeviceHealthQuery(db);

  // Late-bound: the gateway needs ingest, ingest's post-commit hook needs the hub and gateway,
  // and the hub needs alerting (to read changed rows) while alerting reports to the hub.
  let isConnected: (id: string) => boolean = () => false;
  // A probed device is online while its probe is connected and reports it (site probe).
  const isOnline = (d: Device): boolean =>
    isConnected(d.probeDeviceId ?? d.id) && (d.lastSeenMs === null ? d.probeDeviceId === null : now() - d.lastSeenMs <= 3 * d.intervalMs + 5_000);
  const isStatusUnknown = (d: Device): boolean => d.probeDeviceId !== null && !isConnected(d.probeDeviceId);
  let onRecordsChanged: (change: RecordsChanged) => void = () => {};

  const alerting = createAlerting({
    db,
    users,
    clients,
    devices,
    logger,
    now,
    tickIntervalMs: opts.ruleTickIntervalMs,
    onRecordsChanged: (c) => onRecordsChanged(c),
  });
  const hub = createLiveHub({
    logger,
    checkOrigin: crossOriginRefusal,
    authenticate: (req) => {
      const token = sessionTokenFromRequest(req);
      const user = token ? users.findSessionUser(token, now(), SESSION_POLICY) : undefined;
      if (user && twoFactor.mustEnrol(user)) return undefined;
      return user && token ? { user, isSessionValid: () => users.findSessionUser(token, now(), SESSION_POLICY) !== undefined } : undefined;
    },
    summarize: (ids) => {
      const health = deviceHealth.openByDevice();
      return ids.flatMap((id) => {
        const s = devices.summary(id, isOnline, isStatusUnknown);
        return s ? [withHealth(s, health)] : [];
      });
    },
    loadAlerts: (ids) => ids.flatMap((id) => alerting.alerts.findById(id) ?? []),
    loadIncidents: (ids) => ids.flatMap((id) => alerting.incidents.findById(id) ?? []),
    sessionCheckIntervalMs: opts.liveSessionCheckIntervalMs,
  });
  onRecordsChanged = (c) => hub.markRecordsChanged(c);
  alerting.engine.start();
  let baseUrl = (): string => opts.publicUrl ?? 'http://localhost';
  const notify = createNotifier({
    db,
    users,
    clients,
    alerting,
    logger,
    now,
    secrets,
    baseUrl: () => baseUrl(),
    fetch: opts.fetch,
    channelTypes: opts.channelTypes,
    tickIntervalMs: opts.notifyTickIntervalMs,
    retry: opts.notifyRetry,
    random: opts.random,
  });
  // A committed alert change pages within milliseconds instead of waiting for the next tick.
  alerting.engine.subscribe(() => notify.kick());
  let serverMetrics: ReturnType<typeof createServerMetrics> | undefined;
  let gatewayRef: ReturnType<typeof createAgentGateway> | undefined;
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
    onPressure: (isUnder) => gatewayRef?.setPaused(isUnder),
    onBatch: (info) => serverMetrics?.observeBatch(info),
    onCommitted: (stored) => {
      for (const s of stored) {
        hub.publishSamples(s.deviceId, s.report.tsMs, s.report.metrics);
        hub.markDeviceChanged(s.deviceId);
      }
      alerting.engine.onReportsCommitted(stored);
    },
  });
  const gateway = createAgentGateway({
    devices,
    settings: withProbeConfig(settings, probes),
    probes,
    inventory,
    ingest,
    logger,
    now,
    serverVersion: VERSION,
    jobSigningKey: jobSigner.publicKey,
    helloTimeoutMs: opts.agentHelloTimeoutMs,
    maxInFlightPerConnection: opts.maxInFlightPerConnection,
    rateLimit: opts.agentRateLimit,
    onPresence: (id, isConnected) => {
      hub.markDeviceChanged(id);
      // A probe coming or going changes what its probed devices show (unknown while it is away).
      // Sockets still close while the server shuts down, after the database is closed.
      if (db.open) for (const t of probes.listOfProbe(id)) hub.markDeviceChanged(t.id);
      alerting.engine.onPresence(id, isConnected);
    },
  });
  gatewayRef = gateway;
  isConnected = (id) => gateway.isConnected(id);
  const upkeep =
    opts.storageUpkeep === false
      ? undefined
      : createStorageUpkeep({
          db,
          compactor,
          retention,
          logger,
          now,
          isBusy: () => ingest.isUnderPressure(),
          onStorageFault: (err) => ingest.noteWriteFailed(err, { during: 'storage upkeep' }),
          ...opts.storageUpkeep,
        });
  upkeep?.start();
  const recordPruner = startRecordRetention({
    retention: createRecordRetention({ db, audit, policy: opts.recordRetention }),
    now,
    logger,
    intervalMs: opts.recordRetentionIntervalMs,
    onStorageFault: (err) => ingest.noteWriteFailed(err, { during: 'record retention' }),
  });
  const stopCheckpointer = startCheckpointer(db, logger);
  serverMetrics = createServerMetrics({
    connectedAgents: () => gateway.connectionCount(),
    pausedAgentConnections: () => gateway.flowStats().pausedConnections,
    ingestStats: () => ingest.stats(),
    isIngestUnderPressure: () => ingest.isUnderPressure(),
    writerLagMs: () => ingest.lagMs(),
    storageStats: () => ({ windowsCompacted: compactor.stats().windowsCompacted, blocksPruned: retention.stats().blocksDeleted }),
    outboxDepth: () => notify.deliveries.countQueued(),
    openAlerts: () => alerting.alerts.countOpen(),
    openIncidents: () => alerting.incidents.countOpen(),
    ...opts.metricSources,
  });

  const servesTls = opts.tls !== undefined;
  // Browsers are on https when we serve TLS or when the public URL (a TLS-terminating proxy) is https.
  const isTls = servesTls || /^https:/i.test(opts.publicUrl ?? '');
  const billing = createBilling({
    db,
    clients,
    devices,
    alerts: alerting.alerts,
    incidents: alerting.incidents,
    channels: notify.channels,
    deliveries: notify.deliveries,
    logger,
    now,
    branding: loadBranding(opts.branding),
    chromiumPath: opts.chromiumPath,
  });
  if (opts.reportSchedule !== false) billing.reportScheduler.start();
  const ctx: ApiContext = {
    db,
    users,
    clients,
    devices,
    metrics,
    settings,
    inventory,
    logger,
    now,
    version: VERSION,
    isTls,
    isOnline,
    agents: gateway,
    alerting,
    billing,
    notify,
    deviceHealth,
    audit,
    apiTokens,
    secrets,
    twoFactor,
    probes,
    isStatusUnknown,
    jobSigner,
    signingKey,
  };
  const app = createApp(ctx, opts.dashboardDir ?? defaultDashboardDir(), {
    metricsHandler: metricsHandler(serverMetrics, opts.metricsToken),
    agentDist: agentDistRoutes(agentArtifacts),
    installScripts: installScriptRoutes(agentArtifacts, () => baseUrl()),
  });
  const limits: ConnectionLimits = { ...DEFAULT_CONNECTION_LIMITS, ...opts.connectionLimits };
  const http: Server = tlsFiles
    ? createHttpsServer({ ...tlsFiles, ...serverTimeoutOptions(limits) }, app)
    : createHttpServer(serverTimeoutOptions(limits), app);
  guardPendingConnections(http, { maxPending: limits.maxPending, maxPendingPerAddress: limits.maxPendingPerAddress, isTls: servesTls, logger });
  http.on('upgrade', (req, socket, head) => {
    socket.on('error', (err) => logger.debug({ err }, 'upgrade socket error'));
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    if (pathname === AGENT_WS_PATH) gateway.handleUpgrade(req, socket, head);
    else if (pathname === LIVE_WS_PATH) hub.handleUpgrade(req, socket, head);
    else refuseUpgrade(socket, 404);
  });

  let isClosed = false;
  const url = (): string => {
    const a = http.address() as AddressInfo | null;
    if (!a) throw new Error('server is not listening');
    const host = a.family === 'IPv6' ? `[${a.address === '::' ? '::1' : a.address}]` : a.address === '0.0.0.0' ? '127.0.0.1' : a.address;
    return `${servesTls ? 'https' : 'http'}://${host}:${a.port}`;
  };
  if (!opts.publicUrl) baseUrl = () => (http.listening ? url() : 'http://localhost');
  return {
    generatedAdminPassword,
    db,
    ctx,
    http,
    ingest,
    gateway,
    compactor,
    listen(port, host = '0.0.0.0') {
      return new Promise((resolve, reject) => {
        http.once('error', reject);
        // A reconnect storm of 15,000 agents outruns Node's default accept backlog of 511.
        http.listen(port, host, 4096, () => {
          http.off('error', reject);
          // Delivery starts once links in messages can point at a listening server.
          notify.start();
          resolve((http.address() as AddressInfo).port);
        });
      });
    },
    url,
    async close() {
      if (isClosed) return;
      isClosed = true;
      upkeep?.stop();
      recordPruner.stop();
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
      await billing.reportScheduler.stop();
      // Let sends in flight record their outcome; anything still queued is sent after the next start.
      await notify.stop();
      await stopCheckpointer();
      db.close();
    },
  };
}
