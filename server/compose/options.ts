/** What createServer (server/index.ts) can be told; read by every wiring path of server/compose/. */
import type { SelfCheckOptions } from '../notify/self-checks.js';
import type { Logger } from 'pino';
import type { Clock } from '../time/clock.js';
import type { RetentionPolicy, StorageUpkeepOptions } from '../series/index.js';
import type { RecordRetentionPolicy } from '../audit/record-retention.js';
import type { IngestOptions } from '../ingest/ingest.js';
import type { MetricSources } from '../metrics/prometheus.js';
import type { AnyChannel } from '../notify/channels/types.js';
import type { RetryPolicy } from '../notify/worker.js';
import type { AgentRateLimitPolicy } from '../gateway/agent-rate-limit.js';
import type { ConnectionLimits } from '../http/connection-guard.js';

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
  /** Host name lookup for the public URL's "does not resolve" warning; default DNS (tests pass their own). */
  resolveHost?: (host: string) => Promise<unknown>;
  /** The server's own health checks, paged to the admins (server/notify/self-checks.ts); false turns them off. */
  selfChecks?: SelfCheckOptions | false;
  /** Outbound heartbeat (dead man's switch): GET `url` every `intervalMs` (server/notify/heartbeat.ts). */
  heartbeat?: { url: string; intervalMs: number; retryDelayMs?: number };
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
  /** Storage upkeep (compaction, retention, giving free pages back) timing, or false to not run it (tests that drive it themselves). */
  storageUpkeep?:
    | Partial<Pick<StorageUpkeepOptions, 'intervalMs' | 'budgetMs' | 'batchWindows' | 'pruneDevices' | 'pruneEveryTicks' | 'vacuumPages' | 'vacuumAbovePages'>>
    | false;
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
  /** An older installation's separate job key (QP_JOB_SIGNING_KEY_FILE; default job-signing-key.pem in dataDir): used beside the signing key while it exists, never made. */
  jobSigningKeyFile?: string;
  /** The Ed25519 signing key file (QP_SIGNING_KEY_FILE); default `<dataDir>/signing-key.pem`, made on first start. */
  signingKeyFile?: string;
  /** Directories with a build.json of agent executables (QP_AGENT_DIST_DIRS); default dist/agent/bin of this package. */
  agentArtifactDirs?: readonly string[];
}
