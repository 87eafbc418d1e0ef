/**
 * The storage path: the database file, the keys kept beside it (secrets at rest, job and artifact
 * signing), every row store and the series engine. Nothing here runs a timer; the upkeep that does
 * is started by startStorageUpkeep once ingest exists (it yields to ingest under pressure).
 */
import path from 'node:path';
import type { Logger } from 'pino';
import { openDatabase } from '../store/database.js';
import { createUserStore } from '../store/users.js';
import { createClientStore } from '../store/clients.js';
import { createDeviceStore } from '../store/devices.js';
import { createCompactor, createMetricStore, createRetention, createStorageUpkeep } from '../series/index.js';
import { createAgentSettingsStore } from '../store/agent-settings.js';
import { createAgentUpdateStore } from '../store/agent-updates.js';
import { createRefusedAgentStore } from '../store/refused-agents.js';
import { VERSION } from '../lib/version.js';
import { createInventoryStore } from '../store/inventory.js';
import { createProbeStore } from '../store/probes.js';
import { createApiTokenStore } from '../store/api-tokens.js';
import { createTwoFactorStore } from '../store/two-factor.js';
import { createAuthSettingsStore } from '../store/auth-settings.js';
import { createDeviceHealthQuery } from '../store/device-health.js';
import { startCheckpointer } from '../store/checkpointer.js';
import { autoVacuumMode, pageStats } from '../store/vacuum.js';
import { LEGACY_PROBE_KEY_FILE, openLegacyProbeKey, probeCredentialBox, purposeBox } from '../lib/probe-secret-box.js';
import { createDiscoveryStore, DISCOVERY_CREDENTIAL_PURPOSE } from '../store/discovery.js';
import { keyFilePath, openSecretBox } from '../lib/secret-box.js';
import { createAuditLog } from '../audit/audit-log.js';
import { createRecordRetention, startRecordRetention } from '../audit/record-retention.js';
import { resealLegacyProbeSecrets, sealPlaintextColumns, unknownKeyIds } from '../auth/sealed-columns.js';
import { createTwoFactor } from '../auth/two-factor.js';
import { bootstrapAdmin } from '../auth/bootstrap.js';
import { createServerSettingsStore } from '../store/server-settings.js';
import type { Ingest } from '../ingest/ingest.js';
import { DEFAULT_JOB_KEY_FILE, jobSignerFromKey, loadLegacyJobSigner, signingKeyEndorsement } from '../jobs/job-signing.js';
import { loadOrCreateSigningKey } from '../signing/signing-key.js';
import type { ServerOptions } from './options.js';

/** Opens the database and its keys, and builds the stores. Throws (with the path) when a key file does not fit the database. */
export async function openStorage(opts: ServerOptions, logger: Logger, now: () => number) {
  // The server's one key, outside the database on purpose: a copy of the database alone cannot sign (docs/SECURITY.md).
  const signingKey = loadOrCreateSigningKey(opts.signingKeyFile ?? path.join(opts.dataDir, 'signing-key.pem'));
  // An older installation's separate job key: still signs jobs for the agents that pinned it, while its file exists.
  const legacyJobKey = loadLegacyJobSigner(opts.jobSigningKeyFile ?? path.join(opts.dataDir, DEFAULT_JOB_KEY_FILE));
  const jobSigner = jobSignerFromKey(signingKey, legacyJobKey);
  const db = openDatabase(opts.dataDir);
  if (autoVacuumMode(db) === 'none') {
    const pages = pageStats(db);
    logger.warn(
      { file: db.name, freePages: pages.freePages, freePct: Math.round(1000 * pages.freeFraction) / 10, freeBytes: pages.freePages * pages.pageSize },
      'this database was made by an older version without auto_vacuum, so space freed by compaction and retention stays in the file; stop the server and run `quarkpulse db vacuum` once (docs/OPERATIONS.md)',
    );
  }
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
  if (legacyJobKey)
    logger.info(
      { file: legacyJobKey.file, keyId: legacyJobKey.keyId },
      'the job key of an older installation signs jobs too, for agents that pinned it; remove the file once every agent runs 0.2 or later',
    );
  if (signingKey.isNew) logger.info({ file: signingKey.file, keyId: signingKey.keyId }, 'signing key created; back it up apart from the database');
  const users = createUserStore(db);
  const metrics = createMetricStore(db, { now, retention: opts.retention });
  const serverSettings = createServerSettingsStore(db);
  /** Where people reach the server: --public-url / QP_PUBLIC_URL over the one chosen at setup. */
  const publicUrl = (): string | undefined => opts.publicUrl ?? serverSettings.get('publicUrl');
  const twoFactor = createTwoFactor({ store: createTwoFactorStore(db), settings: createAuthSettingsStore(db), secrets, now, publicUrl });
  const { setupCode } = await bootstrapAdmin(users, serverSettings, opts.adminPassword, now());
  return {
    db,
    secrets,
    jobSigner,
    signingKey,
    /** With a legacy job key: the one key, endorsed by it, for agents that pinned only the job key. */
    signingKeyEndorsement: signingKeyEndorsement(signingKey, legacyJobKey),
    users,
    clients: createClientStore(db),
    devices: createDeviceStore(db),
    metrics,
    compactor: createCompactor({ db, metrics, now }),
    retention: createRetention({ metrics, now }),
    settings: createAgentSettingsStore(db),
    agentUpdates: createAgentUpdateStore(db, VERSION),
    refusedAgents: createRefusedAgentStore(db),
    inventory: createInventoryStore(db),
    // Sealed by the key ring under their own purpose (server/lib/probe-secret-box.ts).
    probes: createProbeStore(db, probeCredentialBox(secrets)),
    // Discovery scans' SNMP credentials, sealed under their own purpose.
    discovery: createDiscoveryStore(db, purposeBox(secrets, DISCOVERY_CREDENTIAL_PURPOSE)),
    apiTokens: createApiTokenStore(db),
    audit: createAuditLog({ db, now }),
    twoFactor,
    deviceHealth: createDeviceHealthQuery(db),
    serverSettings,
    publicUrl,
    /** On a first start without QP_ADMIN_PASSWORD: the one-time code of the setup page. */
    setupCode,
  };
}

export type Storage = Awaited<ReturnType<typeof openStorage>>;

/**
 * Starts what keeps the database in shape: compaction and retention of the series (paused while
 * ingest is behind), pruning of old records, and WAL checkpoints. A storage fault in any of them
 * goes to the `onStorageFault` listeners, which the root points at ingest's storage health, so
 * agents get STORAGE_UNAVAILABLE rather than silent loss.
 */
export function startStorageUpkeep(
  storage: Storage,
  ingest: Ingest,
  opts: ServerOptions,
  logger: Logger,
  now: () => number,
): {
  onStorageFault(listener: (err: unknown, during: 'storage upkeep' | 'record retention') => void): () => void;
  stopUpkeep(): void;
  stopCheckpointer(): Promise<void>;
} {
  const { db, compactor, retention, audit } = storage;
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
          ...opts.storageUpkeep,
        });
  upkeep?.start();
  const recordPruner = startRecordRetention({
    retention: createRecordRetention({ db, audit, policy: opts.recordRetention }),
    now,
    logger,
    intervalMs: opts.recordRetentionIntervalMs,
  });
  const stopCheckpointer = startCheckpointer(db, logger);
  return {
    /** Subscribes to storage faults of the series upkeep and the record pruner, with which one it was; returns the unsubscribe function. */
    onStorageFault(listener) {
      const offUpkeep = upkeep?.onStorageFault((err) => listener(err, 'storage upkeep'));
      const offPruner = recordPruner.onStorageFault((err) => listener(err, 'record retention'));
      return () => {
        offUpkeep?.();
        offPruner();
      };
    },
    /** Stops compaction, retention and record pruning (first thing on close). */
    stopUpkeep() {
      upkeep?.stop();
      recordPruner.stop();
    },
    /** Resolves after the last checkpoint (last thing before the database closes). */
    stopCheckpointer,
  };
}
