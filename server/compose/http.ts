/**
 * The people's path in: the HTTP(S) listener, the dashboards' live socket, the REST app with the
 * dashboard files, /metrics, agent downloads and the WebSocket upgrade routing. The listener is made
 * first (without a handler) so every link builder can ask for its URL; the app is attached last.
 */
import type { JobService } from '../jobs/job-service.js';
import type { PolicyService } from '../jobs/policy-service.js';
import { createSetupService } from '../setup/setup-service.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { AGENT_WS_PATH, LIVE_WS_PATH } from '../../shared/protocol.js';
import { createLiveHub } from '../live/live-hub.js';
import { createServerMetrics, metricsHandler } from '../metrics/prometheus.js';
import { withHealth } from '../store/device-health.js';
import { SESSION_POLICY, crossOriginRefusal, sessionTokenFromRequest } from '../auth/sessions.js';
import { loadAgentArtifacts } from '../agent-dist/artifacts.js';
import { createAgentUpdateService } from '../fleet/agent-update-service.js';
import { createRefusedAgentService } from '../fleet/refused-agent-service.js';
import { agentDistRoutes, installScriptRoutes } from '../agent-dist/agent-dist-routes.js';
import { DEFAULT_CONNECTION_LIMITS, guardPendingConnections, serverTimeoutOptions, type ConnectionLimits } from '../http/connection-guard.js';
import { refuseUpgrade } from '../lib/raw-http.js';
import { createApp } from '../api/app.js';
import type { ApiContext } from '../api/context.js';
import { createFleet } from '../fleet/index.js';
import { createUserService } from '../accounts/user-service.js';
import { createApiTokenService } from '../accounts/api-token-service.js';
import { createTwoFactorService } from '../accounts/two-factor-service.js';
import { createLoginService } from '../accounts/login-service.js';
import { createSsoService } from '../accounts/sso-service.js';
import { createSsoClient } from '../auth/sso.js';
import { createAuthSettingsStore } from '../store/auth-settings.js';
import { createUserIdentityStore } from '../store/user-identities.js';
import { createTwoFactorStore } from '../store/two-factor.js';
import type { Alerting } from '../alerting/index.js';
import type { createNotifyPath } from './notify.js';
import type { AgentPath } from './agents.js';
import type { Storage } from './storage.js';
import type { ServerOptions } from './options.js';
import { VERSION } from '../lib/version.js';

// server/compose/ → the repository (from source) or dist/ (from the build).
const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function defaultDashboardDir(): string {
  // From the source tree (→ dist/dashboard) and from the build (dist/ → dist/dashboard).
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

/** The listener before anything else is opened, so a wrong TLS path fails at startup with the path in the message. */
export function createListener(opts: ServerOptions, logger: Logger) {
  const tlsFiles = opts.tls ? readTls(opts.tls) : undefined;
  const servesTls = tlsFiles !== undefined;
  const limits: ConnectionLimits = { ...DEFAULT_CONNECTION_LIMITS, ...opts.connectionLimits };
  const http: Server = tlsFiles ? createHttpsServer({ ...tlsFiles, ...serverTimeoutOptions(limits) }) : createHttpServer(serverTimeoutOptions(limits));
  guardPendingConnections(http, { maxPending: limits.maxPending, maxPendingPerAddress: limits.maxPendingPerAddress, isTls: servesTls, logger });
  const url = (): string => {
    const a = http.address() as AddressInfo | null;
    if (!a) throw new Error('server is not listening');
    const host = a.family === 'IPv6' ? `[${a.address === '::' ? '::1' : a.address}]` : a.address === '0.0.0.0' ? '127.0.0.1' : a.address;
    return `${servesTls ? 'https' : 'http'}://${host}:${a.port}`;
  };
  // The public URL: --public-url / QP_PUBLIC_URL, else the one stored at setup (known once storage is open).
  let publicUrl = (): string | undefined => opts.publicUrl;
  /** Where people reach us: the public URL when set, else the listen address. */
  const baseUrl = (): string => publicUrl() ?? (http.listening ? url() : 'http://localhost');
  return {
    http,
    url,
    baseUrl,
    /** Reads the public URL from here on (storage's: flag/env over the stored one). */
    usePublicUrl(get: () => string | undefined): void {
      publicUrl = get;
    },
    /** Browsers are on https when we serve TLS or when the public URL (a TLS-terminating proxy) is https; read at startup. */
    get isTls(): boolean {
      return servesTls || /^https:/i.test(publicUrl() ?? '');
    },
  };
}

export type Listener = ReturnType<typeof createListener>;

interface WebParts {
  storage: Storage;
  agents: AgentPath;
  alerting: Alerting;
  out: ReturnType<typeof createNotifyPath>;
  listener: Listener;
  jobs: JobService;
  policies: PolicyService;
}

/** Builds the live hub, /metrics and the REST app, and attaches them (and the upgrade routing) to the listener. */
export function attachWeb(parts: WebParts, opts: ServerOptions, logger: Logger, now: () => number) {
  const { storage, agents, alerting, listener } = parts;
  const { notify, billing } = parts.out;
  const { users, devices, twoFactor, deviceHealth, signingKey } = storage;
  const { gateway, ingest } = agents;
  const hub = createLiveHub({
    logger,
    checkOrigin: crossOriginRefusal,
    authenticate: (req) => {
      const token = sessionTokenFromRequest(req);
      const user = token ? users.findSessionUser(token, now(), SESSION_POLICY) : undefined;
      if (user && user.sessionMethod !== 'sso' && twoFactor.mustEnrol(user)) return undefined;
      return user && token ? { user, isSessionValid: () => users.findSessionUser(token, now(), SESSION_POLICY) !== undefined } : undefined;
    },
    summarize: (ids) => {
      const health = deviceHealth.openByDevice();
      return ids.flatMap((id) => {
        const s = devices.summary(id, agents.isOnline, agents.isStatusUnknown);
        return s ? [withHealth(s, health)] : [];
      });
    },
    loadAlerts: (ids) => ids.flatMap((id) => alerting.alerts.findById(id) ?? []),
    loadIncidents: (ids) => ids.flatMap((id) => alerting.incidents.findById(id) ?? []),
    sessionCheckIntervalMs: opts.liveSessionCheckIntervalMs,
  });
  const serverMetrics = createServerMetrics({
    connectedAgents: () => gateway.connectionCount(),
    pausedAgentConnections: () => gateway.flowStats().pausedConnections,
    ingestStats: () => ingest.stats(),
    isIngestUnderPressure: () => ingest.isUnderPressure(),
    writerLagMs: () => ingest.lagMs(),
    storageStats: () => ({ windowsCompacted: storage.compactor.stats().windowsCompacted, blocksPruned: storage.retention.stats().blocksDeleted }),
    outboxDepth: () => notify.deliveries.countQueued(),
    openAlerts: () => alerting.alerts.countOpen(),
    openIncidents: () => alerting.incidents.countOpen(),
    ...opts.metricSources,
  });
  const fleet = createFleet({
    clients: storage.clients,
    devices,
    settings: storage.settings,
    probes: storage.probes,
    discovery: storage.discovery,
    audit: storage.audit,
    now,
  });
  const userService = createUserService({
    users,
    apiTokens: storage.apiTokens,
    twoFactor: createTwoFactorStore(storage.db),
    audit: storage.audit,
    now,
  });
  const sso = createSsoService({
    settings: createAuthSettingsStore(storage.db),
    secrets: storage.secrets,
    users,
    identities: createUserIdentityStore(storage.db),
    userService,
    audit: storage.audit,
    client: createSsoClient({ secrets: storage.secrets, now }),
    now,
    baseUrl: listener.baseUrl,
  });
  const setup = createSetupService({
    db: storage.db,
    users,
    settings: storage.serverSettings,
    audit: storage.audit,
    fleet,
    notify,
    logger,
    now,
    publicUrlOverride: opts.publicUrl,
    resolve: opts.resolveHost,
  });
  const agentArtifacts = loadAgentArtifacts({ dirs: opts.agentArtifactDirs ?? [defaultAgentArtifactDir()], key: signingKey, serverVersion: VERSION, logger });
  const ctx: ApiContext = {
    db: storage.db,
    fleet,
    refusedAgents: createRefusedAgentService({ refused: storage.refusedAgents, audit: storage.audit }),
    agentUpdates: createAgentUpdateService({
      updates: storage.agentUpdates,
      clients: storage.clients,
      devices,
      audit: storage.audit,
      now,
      availableVersions: () => agentArtifacts.manifest().artifacts.map((a) => a.version),
    }),
    setup,
    jobs: parts.jobs,
    policies: parts.policies,
    userService,
    sso,
    baseUrl: listener.baseUrl,
    loginService: createLoginService({
      users,
      twoFactor,
      audit: storage.audit,
      passwordSignIn: { isAllowed: (name) => sso.isPasswordSignInAllowed(name), provider: () => sso.displayName() },
    }),
    twoFactorService: createTwoFactorService({ twoFactor, users, audit: storage.audit }),
    apiTokenService: createApiTokenService({ apiTokens: storage.apiTokens, audit: storage.audit, now }),
    users,
    clients: storage.clients,
    devices,
    metrics: storage.metrics,
    settings: storage.settings,
    inventory: storage.inventory,
    logger,
    now,
    version: VERSION,
    isTls: listener.isTls,
    isOnline: agents.isOnline,
    agents: gateway,
    alerting,
    billing,
    notify,
    deviceHealth,
    audit: storage.audit,
    apiTokens: storage.apiTokens,
    secrets: storage.secrets,
    twoFactor,
    probes: storage.probes,
    isStatusUnknown: agents.isStatusUnknown,
    jobSigner: storage.jobSigner,
    signingKey,
  };
  const app = createApp(ctx, opts.dashboardDir ?? defaultDashboardDir(), {
    metricsHandler: metricsHandler(serverMetrics, opts.metricsToken),
    agentDist: agentDistRoutes(agentArtifacts),
    installScripts: installScriptRoutes(agentArtifacts, listener.baseUrl),
  });
  const { http } = listener;
  http.on('request', app);
  http.on('upgrade', (req, socket, head) => {
    socket.on('error', (err) => logger.debug({ err }, 'upgrade socket error'));
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    if (pathname === AGENT_WS_PATH) gateway.handleUpgrade(req, socket, head);
    else if (pathname === LIVE_WS_PATH) hub.handleUpgrade(req, socket, head);
    else refuseUpgrade(socket, 404);
  });
  return { hub, serverMetrics, ctx };
}
