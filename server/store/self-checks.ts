/** The last verdict of each self-check (server/notify/self-checks.ts). */
import type { Db } from './database.js';

/** One check as stored. */
export interface StoredSelfCheck {
  id: string;
  status: 'ok' | 'warning' | 'critical';
  summary: string;
  /** Since when this status holds, ms. */
  sinceMs: number;
  checkedAtMs: number;
  /** The status the admins were last told of (null: never told). */
  notifiedStatus: 'ok' | 'warning' | 'critical' | null;
}

interface Row {
  id: string;
  status: StoredSelfCheck['status'];
  summary: string;
  since_ms: number;
  checked_at_ms: number;
  notified_status: StoredSelfCheck['notifiedStatus'];
}

const toCheck = (r: Row): StoredSelfCheck => ({
  id: r.id,
  status: r.status,
  summary: r.summary,
  sinceMs: r.since_ms,
  checkedAtMs: r.checked_at_ms,
  notifiedStatus: r.notified_status,
});

/** Builds the statements once. */
export function createSelfCheckStore(db: Db) {
  const all = db.prepare<[], Row>('SELECT * FROM self_checks ORDER BY id');
  const upsert = db.prepare<{ id: string; status: string; summary: string; atMs: number }>(
    `INSERT INTO self_checks (id, status, summary, since_ms, checked_at_ms) VALUES (@id, @status, @summary, @atMs, @atMs)
     ON CONFLICT (id) DO UPDATE SET summary = @summary, checked_at_ms = @atMs,
       since_ms = CASE WHEN status = @status THEN since_ms ELSE @atMs END, status = @status`,
  );
  const notified = db.prepare<[string, string]>('UPDATE self_checks SET notified_status = ? WHERE id = ?');
  return {
    list(): StoredSelfCheck[] {
      return all.all().map(toCheck);
    },
    /** Records a verdict; `since` moves only when the status changes. */
    record(id: string, status: StoredSelfCheck['status'], summary: string, atMs: number): void {
      upsert.run({ id, status, summary, atMs });
    },
    markNotified(id: string, status: StoredSelfCheck['status']): void {
      notified.run(status, id);
    },
  };
}
export type SelfCheckStore = ReturnType<typeof createSelfCheckStore>;
