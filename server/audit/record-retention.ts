/**
 * Retention of the records that otherwise grow forever: finished deliveries (with their attempts)
 * and finished outbox jobs, expired login sessions, and the audit log. Metric blocks have their
 * own retention (retention.ts). Defaults: deliveries 90 days, audit log 400 days (at least 183
 * days, the six months the CISA/Five Eyes MSP advisory asks for, can be configured), expired
 * sessions at once. Pending or in-flight deliveries and outbox jobs are never pruned, whatever
 * their age. Each tick deletes at most `batchRows` rows per table in one short transaction, so a
 * first run over a large backlog does not hold the writer up; pruned audit entries are counted
 * in one `retention.prune` entry.
 *
 *   timer (intervalMs) ─▶ step(now): DELETE … WHERE old LIMIT batch (per table) ─▶ audit count
 */
import type { Logger } from 'pino';
import type { Db } from '../store/database.js';
import { DAY_MS } from '../series/index.js';
import { storageFaultOf } from '../store/faults.js';
import { createListeners } from '../lib/listeners.js';
import type { AuditLog } from './audit-log.js';

/** How long finished records are kept, ms. */
export interface RecordRetentionPolicy {
  /** Sent or dead deliveries (and their attempts), dispatched or skipped outbox jobs. */
  deliveriesMs: number;
  /** Audit log entries. */
  auditMs: number;
}

export const DEFAULT_RECORD_RETENTION: RecordRetentionPolicy = { deliveriesMs: 90 * DAY_MS, auditMs: 400 * DAY_MS };
/** The audit log is kept at least six months (the MSP advisory's figure). */
export const MIN_AUDIT_RETENTION_MS = 183 * DAY_MS;

/** Checks a policy; throws a message that says what to fix. */
export function validateRecordRetention(p: RecordRetentionPolicy): RecordRetentionPolicy {
  if (!Number.isFinite(p.deliveriesMs) || p.deliveriesMs < DAY_MS)
    throw new Error(`delivery retention must be at least 1 day (got ${p.deliveriesMs / DAY_MS} days)`);
  if (!Number.isFinite(p.auditMs) || p.auditMs < MIN_AUDIT_RETENTION_MS) {
    throw new Error(`audit log retention must be at least ${MIN_AUDIT_RETENTION_MS / DAY_MS} days, six months (got ${p.auditMs / DAY_MS} days)`);
  }
  return p;
}

/** Rows deleted by one step, per table. */
export interface PruneCounts {
  deliveries: number;
  outbox: number;
  sessions: number;
  audit: number;
}

/** Builds the pruning statements once; `step` runs one batch in one transaction. */
export function createRecordRetention(deps: { db: Db; audit: AuditLog; policy?: RecordRetentionPolicy; batchRows?: number }) {
  const policy = validateRecordRetention(deps.policy ?? DEFAULT_RECORD_RETENTION);
  const batch = deps.batchRows ?? 2_000;
  // Attempts go with their delivery (ON DELETE CASCADE).
  const deliveries = deps.db.prepare<[number, number]>(
    `DELETE FROM deliveries WHERE id IN (
       SELECT id FROM deliveries WHERE status IN ('sent', 'dead') AND coalesce(sent_at_ms, dead_at_ms, created_at_ms) < ? ORDER BY id LIMIT ?)`,
  );
  const outbox = deps.db.prepare<[number, number]>(
    `DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE status IN ('dispatched', 'skipped') AND created_at_ms < ? ORDER BY id LIMIT ?)`,
  );
  const sessions = deps.db.prepare<[number, number]>(
    'DELETE FROM sessions WHERE token_hash IN (SELECT token_hash FROM sessions WHERE expires_at_ms <= ? LIMIT ?)',
  );
  const audit = deps.db.prepare<[number, number]>('DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at_ms < ? ORDER BY id LIMIT ?)');

  const step = deps.db.transaction((nowMs: number): PruneCounts => {
    const auditCutoffMs = nowMs - policy.auditMs;
    const counts: PruneCounts = {
      deliveries: deliveries.run(nowMs - policy.deliveriesMs, batch).changes,
      outbox: outbox.run(nowMs - policy.deliveriesMs, batch).changes,
      sessions: sessions.run(nowMs, batch).changes,
      audit: audit.run(auditCutoffMs, batch).changes,
    };
    if (counts.audit > 0) {
      deps.audit.record(
        { id: null, name: 'retention' },
        {
          action: 'retention.prune',
          entityType: 'audit-log',
          entityId: null,
          summary: `deleted ${counts.audit} audit entries older than ${policy.auditMs / DAY_MS} days`,
          detail: { ...counts, auditCutoffMs },
        },
      );
    }
    return counts;
  });
  return {
    policy,
    /** Deletes one batch of what is past its retention at `nowMs`. */
    step,
  };
}
export type RecordRetention = ReturnType<typeof createRecordRetention>;

/**
 * Runs the pruning every `intervalMs` (default 10 min) until stopped, batch after batch while a
 * backlog lasts. Storage faults go to the `onStorageFault` listeners when there are any (one log
 * line per fault there); anything else is logged and the timer carries on.
 */
export function startRecordRetention(opts: { retention: RecordRetention; now: () => number; logger: Logger; intervalMs?: number }) {
  const intervalMs = opts.intervalMs ?? 10 * 60_000;
  const faultListeners = createListeners<[err: unknown]>((err) => opts.logger.error({ err }, 'storage fault listener failed'));
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    let isBacklog = false;
    try {
      const c = opts.retention.step(opts.now());
      const total = c.deliveries + c.outbox + c.sessions + c.audit;
      if (total > 0) opts.logger.info({ ...c }, 'retention: pruned old records');
      isBacklog = Math.max(c.deliveries, c.outbox, c.sessions, c.audit) > 0;
    } catch (err) {
      if (storageFaultOf(err) && faultListeners.size > 0) faultListeners.emit(err);
      else opts.logger.error({ err }, 'retention of records failed');
    }
    timer = setTimeout(tick, isBacklog ? Math.min(1_000, intervalMs) : intervalMs);
    timer.unref();
  };
  timer = setTimeout(tick, Math.min(5_000, intervalMs));
  timer.unref();
  return {
    /** Subscribes to storage faults (locked database, disk full); returns the unsubscribe function. */
    onStorageFault: (listener: (err: unknown) => void) => faultListeners.add(listener),
    stop(): void {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
