/**
 * The server watches itself once a minute: it gathers its own health facts (outbox, deliveries,
 * ingest, disk, database size, backups), judges them with the pure policy
 * (self-check-policy.ts), stores each verdict, and when a check's status changes pages every
 * admin through all their contact points, the same delivery path as alert pages (durable,
 * retried, dead letters raised). A check that stays bad pages once; its all-clear goes to the
 * same people.
 *
 *   timer ─▶ facts ─▶ evaluate (pure) ─▶ self_checks rows ─▶ changed? ─▶ deliveries to admins ─▶ worker
 */
import { readdirSync, statfsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Db } from '../store/database.js';
import { autoVacuumMode, pageStats } from '../store/vacuum.js';
import type { DeliveryStore } from '../store/deliveries.js';
import type { OutboxStore } from '../store/outbox.js';
import type { SelfCheckStore, StoredSelfCheck } from '../store/self-checks.js';
import type { UserStore } from '../store/users.js';
import { deliveryTarget, type RecipientResolver } from '../oncall/recipients.js';
import { buildSelfCheckMessage } from './message.js';
import { DEFAULT_SELF_CHECK_LIMITS, evaluateSelfChecks, shouldNotify, type SelfCheckFacts, type SelfCheckLimits } from './self-check-policy.js';

/** Where the self-checks look, and their limits. */
export interface SelfCheckOptions {
  /** How often the checks run, ms (default 60 s). */
  intervalMs?: number;
  limits?: Partial<SelfCheckLimits>;
  /** Directory the backups are written to (QP_BACKUP_DIR); no backup check without one. */
  backupDir?: string;
}

/** What the runner reads from the rest of the server. */
export interface SelfCheckDeps {
  db: Db;
  store: SelfCheckStore;
  outbox: OutboxStore;
  deliveries: DeliveryStore;
  users: UserStore;
  resolver: RecipientResolver;
  logger: Logger;
  now: () => number;
  baseUrl: () => string;
  /** Connected agents and the last ingest commit, from the composition root. */
  ingest: () => { connectedAgents: number; shortestIntervalMs: number | null; lastCommitMs: number | null };
  /** Tells the worker there is something to send. */
  kick: () => void;
  options?: SelfCheckOptions;
}

/** The newest modification time of the files in `dir`, or null (none, or unreadable). */
function newestFileMs(dir: string): number | null {
  let newest: number | null = null;
  try {
    for (const name of readdirSync(dir)) {
      const st = statSync(path.join(dir, name), { throwIfNoEntry: false });
      if (st?.isFile() && (newest === null || st.mtimeMs > newest)) newest = st.mtimeMs;
    }
  } catch {
    return null;
  }
  return newest;
}

/** Builds the runner; start() once the notifier runs, stop() before the database closes. */
export function createSelfChecks(deps: SelfCheckDeps) {
  const { db, store, logger } = deps;
  const limits: SelfCheckLimits = { ...DEFAULT_SELF_CHECK_LIMITS, ...deps.options?.limits };
  const startedAtMs = deps.now();
  const dataDir = path.dirname(db.name);
  let timer: NodeJS.Timeout | undefined;

  function facts(nowMs: number): SelfCheckFacts {
    let disk: SelfCheckFacts['disk'] = null;
    try {
      const s = statfsSync(dataDir);
      disk = { path: dataDir, freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
    } catch (err) {
      logger.warn({ err, dataDir }, 'self-check: cannot read free disk space');
    }
    const size = (file: string) => statSync(file, { throwIfNoEntry: false })?.size ?? 0;
    const ingest = deps.ingest();
    return {
      nowMs,
      startedAtMs,
      oldestPendingOutboxMs: deps.outbox.oldestPendingMs(),
      oldestRetryingDeliveryMs: deps.deliveries.oldestRetryingMs(),
      deadLastHour: deps.deliveries.deadSince(nowMs - 3_600_000),
      connectedAgents: ingest.connectedAgents,
      shortestIntervalMs: ingest.shortestIntervalMs,
      lastIngestCommitMs: ingest.lastCommitMs,
      disk,
      databaseBytes: size(db.name) + size(`${db.name}-wal`),
      databasePages: { freeFraction: pageStats(db).freeFraction, canReclaim: autoVacuumMode(db) === 'incremental' },
      backup: deps.options?.backupDir ? { dir: deps.options.backupDir, newestMs: newestFileMs(deps.options.backupDir) } : null,
    };
  }

  /** Pages every admin about one check's change; returns the deliveries queued. */
  function tell(check: StoredSelfCheck, previous: StoredSelfCheck['status'] | null, nowMs: number): number {
    const admins = deps.users
      .list()
      .filter((u) => u.role === 'admin')
      .map((u) => u.id);
    const r = deps.resolver.resolveUsers(admins);
    if (r.destinations.length === 0) logger.error({ check: check.id, status: check.status, problems: r.problems }, 'self-check: no admin can be reached');
    let n = 0;
    for (const d of r.destinations) {
      const idempotencyKey = `self-check:${check.id}:${check.sinceMs}:${check.status}|${d.destinationKey}`;
      const message = buildSelfCheckMessage(
        { id: check.id, status: check.status, summary: check.summary, sinceMs: check.sinceMs, previous },
        { idempotencyKey, to: d.to, mentions: d.mentions, ackUrl: null, viewUrl: `${deps.baseUrl().replace(/\/+$/, '')}/#/`, atMs: nowMs },
      );
      const queued = deps.deliveries.insert(
        {
          idempotencyKey,
          outboxId: null,
          alertId: null,
          purpose: check.status === 'ok' ? 'update' : 'page',
          kind: message.kind,
          ...deliveryTarget(d),
          level: null,
          message,
        },
        nowMs,
      );
      if (queued) n++;
    }
    return n;
  }

  const runOnce = db.transaction((nowMs: number): StoredSelfCheck[] => {
    const before = new Map(store.list().map((c) => [c.id, c]));
    let queued = 0;
    for (const result of evaluateSelfChecks(facts(nowMs), limits)) {
      store.record(result.id, result.status, result.summary, nowMs);
      const was = before.get(result.id);
      const told = was?.notifiedStatus ?? undefined;
      if (!shouldNotify(told, result.status)) continue;
      // `since` moves only when the status changed (the store's rule).
      const sinceMs = was && was.status === result.status ? was.sinceMs : nowMs;
      queued += tell(
        { id: result.id, status: result.status, summary: result.summary, sinceMs, checkedAtMs: nowMs, notifiedStatus: told ?? null },
        told ?? null,
        nowMs,
      );
      store.markNotified(result.id, result.status);
      if (result.status !== 'ok') logger.warn({ check: result.id, status: result.status }, result.summary);
      else logger.info({ check: result.id }, `self-check ok again: ${result.summary}`);
    }
    if (queued > 0) deps.kick();
    return store.list();
  });

  return {
    /** Runs every check now; returns the stored verdicts. Tests drive time with it. */
    run(): StoredSelfCheck[] {
      return runOnce(deps.now());
    },
    list: () => store.list(),
    start(): void {
      if (timer) return;
      timer = setInterval(() => {
        try {
          runOnce(deps.now());
        } catch (err) {
          logger.error({ err }, 'self-check run failed');
        }
      }, deps.options?.intervalMs ?? 60_000);
      timer.unref();
    },
    stop(): void {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
export type SelfChecks = ReturnType<typeof createSelfChecks>;
