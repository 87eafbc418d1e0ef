/**
 * The notification outbox: durable jobs written in the same transaction as the alert change
 * they announce, so a notification is never lost and never invented. Delivery (the on-call
 * module) claims pending rows, sends, and records the outcome; the idempotency key makes a job
 * unique, so writing the same change twice queues it once.
 */
import type { OutboxKind } from '../../shared/alert-types.js';
import type { Db } from './database.js';

/** A queued notification job. */
export interface OutboxJob {
  id: number;
  idempotencyKey: string;
  kind: OutboxKind;
  alertId: string | null;
  payload: Record<string, unknown>;
  status: string;
  attempts: number;
  nextAttemptAtMs: number;
  createdAtMs: number;
}

interface OutboxRow {
  id: number;
  idempotency_key: string;
  kind: OutboxKind;
  alert_id: string | null;
  payload_json: string;
  status: string;
  attempts: number;
  next_attempt_at_ms: number;
  created_at_ms: number;
}

const toJob = (r: OutboxRow): OutboxJob => ({
  id: r.id,
  idempotencyKey: r.idempotency_key,
  kind: r.kind,
  alertId: r.alert_id,
  payload: JSON.parse(r.payload_json) as Record<string, unknown>,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAtMs: r.next_attempt_at_ms,
  createdAtMs: r.created_at_ms,
});

/** The idempotency key of an alert's notification of one kind: at most one per alert and kind. */
export function alertJobKey(alertId: string, kind: OutboxKind): string {
  return `${kind}:${alertId}`;
}

/** Builds the outbox statements once. */
export function createOutboxStore(db: Db) {
  const insert = db.prepare(
    `INSERT OR IGNORE INTO outbox (idempotency_key, kind, alert_id, payload_json, status, attempts, next_attempt_at_ms, created_at_ms)
     VALUES (@key, @kind, @alertId, @payloadJson, 'pending', 0, @nowMs, @nowMs)`,
  );
  const list = db.prepare<{ status: string | null; alertId: string | null; limit: number }, OutboxRow>(
    `SELECT * FROM outbox WHERE (@status IS NULL OR status = @status) AND (@alertId IS NULL OR alert_id = @alertId) ORDER BY id LIMIT @limit`,
  );

  const oldestPending = db.prepare<[], { at: number | null }>("SELECT min(created_at_ms) AS at FROM outbox WHERE status = 'pending'");
  const due = db.prepare<[number, number], OutboxRow>(`SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at_ms <= ? ORDER BY id LIMIT ?`);
  const finish = db.prepare<{ id: number; status: string; note: string | null }>(
    `UPDATE outbox SET status = @status, attempts = attempts + 1, last_error = @note WHERE id = @id AND status = 'pending'`,
  );

  return {
    /** Creation time of the oldest job not yet dispatched, or null (the self-check's "stuck"). */
    oldestPendingMs(): number | null {
      return oldestPending.get()?.at ?? null;
    },
    /** Pending jobs that are due, oldest first (the on-call dispatcher turns them into deliveries). */
    due(nowMs: number, limit: number): OutboxJob[] {
      return due.all(nowMs, limit).map(toJob);
    },
    /** Marks a pending job handled ('dispatched', or 'skipped' with why); call in the dispatching transaction. */
    finish(id: number, status: 'dispatched' | 'skipped', note: string | null = null): boolean {
      return finish.run({ id, status, note }).changes === 1;
    },
    /** Queues a job; call inside the transaction of the change it announces. False if the key was already queued. */
    enqueue(job: { kind: OutboxKind; alertId: string; payload: Record<string, unknown> }, nowMs: number): boolean {
      const r = insert.run({ key: alertJobKey(job.alertId, job.kind), kind: job.kind, alertId: job.alertId, payloadJson: JSON.stringify(job.payload), nowMs });
      return r.changes === 1;
    },
    /** Jobs, oldest first, optionally by status and alert. */
    list(filter: { status?: string; alertId?: string; limit?: number } = {}): OutboxJob[] {
      return list.all({ status: filter.status ?? null, alertId: filter.alertId ?? null, limit: filter.limit ?? 1000 }).map(toJob);
    },
  };
}
export type OutboxStore = ReturnType<typeof createOutboxStore>;
