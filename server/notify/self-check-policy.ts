/**
 * The watcher watched from inside, pure: what the server's own health facts mean. Each check
 * is ok, warning or critical, with a sentence an admin understands at 3 a.m. (units, limits,
 * where). The runner (self-checks.ts) gathers the facts once a minute and pages the admins when
 * a check's status changes, and again when it is ok.
 *
 *   outbox      the oldest notification job not yet dispatched (the dispatcher takes milliseconds)
 *   deliveries  a message retried for a long time, or messages given up in the last hour
 *   ingest      agents are connected but no report was stored for a while
 *   disk        free space under the data directory
 *   database    the database file (with its WAL) over a size; its share of free pages, and
 *               whether the file can give them back (auto_vacuum) or needs `quarkpulse db vacuum`
 *   backup      the newest file in the backup directory (only when one is configured)
 */
import { formatBytes, formatDuration, formatPct } from '../../shared/format.js';

export const SELF_CHECK_IDS = ['outbox', 'deliveries', 'ingest', 'disk', 'database', 'backup'] as const;
export type SelfCheckId = (typeof SELF_CHECK_IDS)[number];
export type SelfCheckStatus = 'ok' | 'warning' | 'critical';

/** What the runner measured. Times in ms since the epoch. */
export interface SelfCheckFacts {
  nowMs: number;
  /** When the server started: nothing is "stalled" in its first minutes. */
  startedAtMs: number;
  /** Creation time of the oldest outbox job still pending, or null. */
  oldestPendingOutboxMs: number | null;
  /** Creation time of the oldest delivery still being retried (attempts > 0, not sent), or null. */
  oldestRetryingDeliveryMs: number | null;
  /** Deliveries given up (dead) in the last hour. */
  deadLastHour: number;
  connectedAgents: number;
  /** The shortest report interval of the connected agents, ms: no report is due before it. */
  shortestIntervalMs: number | null;
  /** When ingest last committed reports, or null (never since the start). */
  lastIngestCommitMs: number | null;
  /** Space under the data directory, or null when it could not be read. */
  disk: { path: string; freeBytes: number; totalBytes: number } | null;
  /** Database file plus WAL, bytes. */
  databaseBytes: number;
  /** Free pages of the main file, and whether the upkeep can give them back (incremental auto_vacuum). */
  databasePages?: { freeFraction: number; canReclaim: boolean };
  /** Backups, when a directory is configured: the newest file's time (null: none found). */
  backup: { dir: string; newestMs: number | null } | null;
}

/** Limits, each with its default. */
export interface SelfCheckLimits {
  outboxStuckMs: number;
  deliveryRetryingMs: number;
  ingestStalledMs: number;
  /** Warning below this share of free space (%); critical below half of it. */
  diskMinFreePct: number;
  /** Warning over this size; critical over 1.5 times it. */
  databaseMaxBytes: number;
  /** Warning past this age; critical past twice it. */
  backupMaxAgeMs: number;
}

export const DEFAULT_SELF_CHECK_LIMITS: SelfCheckLimits = {
  outboxStuckMs: 2 * 60_000,
  deliveryRetryingMs: 15 * 60_000,
  ingestStalledMs: 2 * 60_000,
  diskMinFreePct: 10,
  databaseMaxBytes: 20e9,
  backupMaxAgeMs: 2 * 86_400_000,
};

/** One check's verdict. */
export interface SelfCheckResult {
  id: SelfCheckId;
  status: SelfCheckStatus;
  /** One line: "Disk nearly full: 4.1 GB free of 100 GB (4.1 %) under /var/lib/quarkpulse". */
  summary: string;
}

const ok = (id: SelfCheckId, summary: string): SelfCheckResult => ({ id, status: 'ok', summary });
const age = (nowMs: number, atMs: number) => formatDuration(Math.max(0, nowMs - atMs));

/** Every check's verdict for these facts (the backup check only when a directory is configured). */
export function evaluateSelfChecks(f: SelfCheckFacts, limits: SelfCheckLimits = DEFAULT_SELF_CHECK_LIMITS): SelfCheckResult[] {
  const out: SelfCheckResult[] = [];

  const waited = f.oldestPendingOutboxMs === null ? 0 : f.nowMs - f.oldestPendingOutboxMs;
  out.push(
    waited > limits.outboxStuckMs
      ? {
          id: 'outbox',
          status: waited > 5 * limits.outboxStuckMs ? 'critical' : 'warning',
          summary: `Notifications stuck: the oldest alert notification has waited ${age(f.nowMs, f.oldestPendingOutboxMs!)} to be dispatched (limit ${formatDuration(limits.outboxStuckMs)})`,
        }
      : ok('outbox', 'Notifications are dispatched as they come'),
  );

  const retrying = f.oldestRetryingDeliveryMs === null ? 0 : f.nowMs - f.oldestRetryingDeliveryMs;
  out.push(
    retrying > limits.deliveryRetryingMs
      ? {
          id: 'deliveries',
          status: 'critical',
          summary: `Messages failing: one has been retried for ${age(f.nowMs, f.oldestRetryingDeliveryMs!)} without reaching its receiver (limit ${formatDuration(limits.deliveryRetryingMs)}); see the Notifications page`,
        }
      : f.deadLastHour > 0
        ? {
            id: 'deliveries',
            status: 'warning',
            summary: `${f.deadLastHour} message${f.deadLastHour === 1 ? ' was' : 's were'} given up in the last hour; see the Notifications page`,
          }
        : ok('deliveries', 'Messages reach their receivers'),
  );

  const quietSince = f.lastIngestCommitMs ?? f.startedAtMs;
  const quiet = f.nowMs - quietSince;
  // Agents on long intervals (up to an hour) owe nothing for three of them.
  const stallMs = Math.max(limits.ingestStalledMs, 3 * (f.shortestIntervalMs ?? 0));
  out.push(
    f.connectedAgents > 0 && quiet > stallMs && f.nowMs - f.startedAtMs > stallMs
      ? {
          id: 'ingest',
          status: 'critical',
          summary: `Reports not stored: ${f.connectedAgents} agent${f.connectedAgents === 1 ? ' is' : 's are'} connected but nothing was stored for ${age(f.nowMs, quietSince)} (limit ${formatDuration(stallMs)})`,
        }
      : ok('ingest', f.connectedAgents === 0 ? 'No agent connected' : 'Reports are stored as they come'),
  );

  if (f.disk && f.disk.totalBytes > 0) {
    const pct = (100 * f.disk.freeBytes) / f.disk.totalBytes;
    const words = `${formatBytes(f.disk.freeBytes)} free of ${formatBytes(f.disk.totalBytes)} (${pct.toFixed(1)} %) under ${f.disk.path}`;
    out.push(
      pct < limits.diskMinFreePct
        ? {
            id: 'disk',
            status: pct < limits.diskMinFreePct / 2 ? 'critical' : 'warning',
            summary: `Disk nearly full: ${words} (limit ${limits.diskMinFreePct} % free)`,
          }
        : ok('disk', `Disk: ${words}`),
    );
  }

  const pages = f.databasePages;
  const free = pages ? `, ${formatPct(100 * pages.freeFraction)} of it free pages` : '';
  // An old file without auto_vacuum keeps what compaction and retention freed until a full VACUUM.
  const advice = pages && !pages.canReclaim && pages.freeFraction >= 0.1 ? '; stop the server and run `quarkpulse db vacuum` to give them back' : '';
  const db = `${formatBytes(f.databaseBytes)} (limit ${formatBytes(limits.databaseMaxBytes)})`;
  out.push(
    f.databaseBytes > limits.databaseMaxBytes
      ? {
          id: 'database',
          status: f.databaseBytes > 1.5 * limits.databaseMaxBytes ? 'critical' : 'warning',
          // The free pages only where they are a cause the admin can remove (the upkeep reclaims the others).
          summary: `Database large: ${db}${advice ? free + advice : ''}; check metric retention (docs/STORAGE.md)`,
        }
      : ok('database', `Database: ${db}${free}${advice}`),
  );

  if (f.backup) {
    const b = f.backup;
    const limit = formatDuration(limits.backupMaxAgeMs);
    if (b.newestMs === null) out.push({ id: 'backup', status: 'critical', summary: `No backup: nothing found in ${b.dir} (limit ${limit})` });
    else {
      const old = f.nowMs - b.newestMs;
      out.push(
        old > limits.backupMaxAgeMs
          ? {
              id: 'backup',
              status: old > 2 * limits.backupMaxAgeMs ? 'critical' : 'warning',
              summary: `Backup old: the newest in ${b.dir} is ${age(f.nowMs, b.newestMs)} old (limit ${limit})`,
            }
          : ok('backup', `Backup: the newest in ${b.dir} is ${age(f.nowMs, b.newestMs)} old`),
      );
    }
  }
  return out;
}

/** Whether a change of status is worth a message: any change, except to or from nothing known. */
export function shouldNotify(before: SelfCheckStatus | undefined, after: SelfCheckStatus): boolean {
  if (before === undefined) return after !== 'ok';
  return before !== after;
}
