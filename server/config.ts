/**
 * Server settings from flags and environment (QP_PORT, QP_DATA_DIR, QP_ADMIN_PASSWORD,
 * QP_LOG_LEVEL, QP_PUBLIC_URL, QP_TLS_CERT, QP_TLS_KEY, QP_METRICS_TOKEN, QP_JOB_SIGNING_KEY_FILE, QP_RETENTION_RAW_DAYS,
 * QP_RETENTION_1M_DAYS, QP_RETENTION_1H_DAYS, QP_RETENTION_DELIVERIES_DAYS, QP_RETENTION_AUDIT_DAYS,
 * QP_SECRET_KEY_FILE, QP_HEARTBEAT_URL, QP_HEARTBEAT_INTERVAL_S, QP_MSP_NAME, QP_MSP_LOGO, QP_CHROMIUM_PATH, QP_SIGNING_KEY_FILE, QP_AGENT_DIST_DIRS, QP_BACKUP_DIR,
 * QP_BACKUP_MAX_AGE_DAYS, QP_DB_MAX_GB, QP_DISK_MIN_FREE_PCT), validated with zod. A bad value throws a message
 * that says what to fix.
 */
import { z } from 'zod';
import { parsePublicUrl } from './lib/public-url.js';
import { DAY_MS, DEFAULT_RETENTION, validateRetention, type RetentionPolicy } from './series/index.js';
import { DEFAULT_RECORD_RETENTION, validateRecordRetention, type RecordRetentionPolicy } from './audit/record-retention.js';

const days = (name: string) => z.coerce.number({ error: `${name} must be a number of days` }).positive(`${name} must be more than 0 days`);

const settingsSchema = z.object({
  port: z.coerce.number().int().min(0, 'port must be 0–65535').max(65535, 'port must be 0–65535'),
  host: z.string().min(1),
  dataDir: z.string().min(1, 'data directory must not be empty'),
  adminPassword: z.string().min(10, 'QP_ADMIN_PASSWORD must be at least 10 characters').optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  /** Where people reach the server; links in notifications (acknowledge, open) use it. */
  publicUrl: z
    .string()
    .transform((raw, ctx) => {
      const r = parsePublicUrl(raw);
      if ('url' in r) return r.url;
      ctx.addIssue({ code: 'custom', message: `--public-url / QP_PUBLIC_URL: ${r.error}` });
      return z.NEVER;
    })
    .optional(),
  /** PEM certificate chain and key: with both, the server speaks HTTPS and wss:// only. */
  tls: z.object({ certFile: z.string().min(1), keyFile: z.string().min(1) }).optional(),
  metricsToken: z.string().min(16, 'QP_METRICS_TOKEN must be at least 16 characters').optional(),
  jobSigningKeyFile: z.string().min(1).optional(),
  retentionRawDays: days('QP_RETENTION_RAW_DAYS'),
  retention1mDays: days('QP_RETENTION_1M_DAYS'),
  retention1hDays: days('QP_RETENTION_1H_DAYS'),
  /** Dead man's switch: GET this URL every heartbeatIntervalS (healthchecks.io and the like). */
  heartbeatUrl: z
    .url({ protocol: /^https?$/, error: 'QP_HEARTBEAT_URL must be an http(s) URL such as https://hc-ping.com/<uuid>' })
    .refine((u) => !URL.canParse(u) || (new URL(u).username === '' && new URL(u).password === ''), 'QP_HEARTBEAT_URL must not contain user:password@')
    .optional(),
  heartbeatIntervalS: z.coerce
    .number({ error: 'QP_HEARTBEAT_INTERVAL_S must be a number of seconds' })
    .int('QP_HEARTBEAT_INTERVAL_S must be whole seconds')
    .min(1, 'QP_HEARTBEAT_INTERVAL_S must be 1–3600 seconds')
    .max(3600, 'QP_HEARTBEAT_INTERVAL_S must be 1–3600 seconds'),
  /** Key file sealing secrets at rest; default <data dir>/secret.key. */
  secretKeyFile: z.string().min(1).optional(),
  /** The MSP's name and logo on client reports. */
  mspName: z.string().trim().min(1).max(100, 'QP_MSP_NAME must be at most 100 characters').optional(),
  mspLogo: z.string().min(1).optional(),
  /** Chromium that prints PDF reports. */
  chromiumPath: z.string().min(1).optional(),
  retentionDeliveriesDays: days('QP_RETENTION_DELIVERIES_DAYS'),
  retentionAuditDays: days('QP_RETENTION_AUDIT_DAYS'),
  /** Ed25519 signing key file, outside the database (server/signing/). */
  signingKeyFile: z.string().min(1).optional(),
  /** Self-checks (server/notify/self-checks.ts): where backups go and how old the newest may be. */
  backupDir: z.string().min(1).optional(),
  backupMaxAgeDays: days('QP_BACKUP_MAX_AGE_DAYS').max(365, 'QP_BACKUP_MAX_AGE_DAYS must be at most 365 days'),
  databaseMaxGb: z.coerce.number({ error: 'QP_DB_MAX_GB must be a number of gigabytes' }).positive('QP_DB_MAX_GB must be more than 0 GB'),
  diskMinFreePct: z.coerce
    .number({ error: 'QP_DISK_MIN_FREE_PCT must be a percentage' })
    .min(1, 'QP_DISK_MIN_FREE_PCT must be 1–50 %')
    .max(50, 'QP_DISK_MIN_FREE_PCT must be 1–50 %'),
  /** Directories holding agent executables and their build.json. */
  agentArtifactDirs: z.array(z.string().min(1, 'QP_AGENT_DIST_DIRS must not hold an empty path')).optional(),
});
export type ServerSettings = z.infer<typeof settingsSchema> & { retention: RetentionPolicy; recordRetention: RecordRetentionPolicy };

/** Merges flags over environment over defaults and validates the result. */
export function resolveServerSettings(
  flags: { port?: string; host?: string; data?: string; tlsCert?: string; tlsKey?: string; publicUrl?: string },
  env: NodeJS.ProcessEnv,
): ServerSettings {
  const certFile = flags.tlsCert ?? (env.QP_TLS_CERT || undefined);
  const keyFile = flags.tlsKey ?? (env.QP_TLS_KEY || undefined);
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new Error('invalid setting tls: give both the certificate (--tls-cert / QP_TLS_CERT) and the key (--tls-key / QP_TLS_KEY), or neither');
  }
  const r = settingsSchema.safeParse({
    port: flags.port ?? env.QP_PORT ?? 8080,
    host: flags.host ?? env.QP_HOST ?? '0.0.0.0',
    dataDir: flags.data ?? env.QP_DATA_DIR ?? './data',
    adminPassword: env.QP_ADMIN_PASSWORD || undefined,
    logLevel: env.QP_LOG_LEVEL ?? 'info',
    publicUrl: flags.publicUrl ?? (env.QP_PUBLIC_URL || undefined),
    tls: certFile && keyFile ? { certFile, keyFile } : undefined,
    metricsToken: env.QP_METRICS_TOKEN || undefined,
    jobSigningKeyFile: env.QP_JOB_SIGNING_KEY_FILE || undefined,
    retentionRawDays: env.QP_RETENTION_RAW_DAYS ?? DEFAULT_RETENTION.rawMs / DAY_MS,
    retention1mDays: env.QP_RETENTION_1M_DAYS ?? DEFAULT_RETENTION.rollup1mMs / DAY_MS,
    retention1hDays: env.QP_RETENTION_1H_DAYS ?? DEFAULT_RETENTION.rollup1hMs / DAY_MS,
    secretKeyFile: env.QP_SECRET_KEY_FILE || undefined,
    heartbeatUrl: env.QP_HEARTBEAT_URL || undefined,
    heartbeatIntervalS: env.QP_HEARTBEAT_INTERVAL_S ?? 60,
    mspName: env.QP_MSP_NAME || undefined,
    mspLogo: env.QP_MSP_LOGO || undefined,
    chromiumPath: env.QP_CHROMIUM_PATH || undefined,
    retentionDeliveriesDays: env.QP_RETENTION_DELIVERIES_DAYS ?? DEFAULT_RECORD_RETENTION.deliveriesMs / DAY_MS,
    retentionAuditDays: env.QP_RETENTION_AUDIT_DAYS ?? DEFAULT_RECORD_RETENTION.auditMs / DAY_MS,
    signingKeyFile: env.QP_SIGNING_KEY_FILE || undefined,
    agentArtifactDirs: env.QP_AGENT_DIST_DIRS ? env.QP_AGENT_DIST_DIRS.split(':') : undefined,
    backupDir: env.QP_BACKUP_DIR || undefined,
    backupMaxAgeDays: env.QP_BACKUP_MAX_AGE_DAYS ?? 2,
    databaseMaxGb: env.QP_DB_MAX_GB ?? 20,
    diskMinFreePct: env.QP_DISK_MIN_FREE_PCT ?? 10,
  });
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new Error(`invalid setting ${issue.path.join('.')}: ${issue.message}`);
  }
  const retention = validateRetention({
    rawMs: r.data.retentionRawDays * DAY_MS,
    rollup1mMs: r.data.retention1mDays * DAY_MS,
    rollup1hMs: r.data.retention1hDays * DAY_MS,
  });
  let recordRetention: RecordRetentionPolicy;
  try {
    recordRetention = validateRecordRetention({ deliveriesMs: r.data.retentionDeliveriesDays * DAY_MS, auditMs: r.data.retentionAuditDays * DAY_MS });
  } catch (err) {
    throw new Error(`invalid setting QP_RETENTION_DELIVERIES_DAYS / QP_RETENTION_AUDIT_DAYS: ${(err as Error).message}`, { cause: err });
  }
  return { ...r.data, retention, recordRetention };
}
