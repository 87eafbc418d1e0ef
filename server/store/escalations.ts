/** Escalation state per paged alert: the policy copied at the start, steps paged, next check. */
import type { EscalationPolicy } from '../../shared/notify-types.js';
import type { Db } from './database.js';

/** An escalation in progress (or finished). */
export interface EscalationRecord {
  alertId: string;
  policyId: string | null;
  policy: Pick<EscalationPolicy, 'name' | 'levels' | 'repeat' | 'repeatAfterMs'>;
  startedAtMs: number;
  stoppedAtMs: number | null;
  stopReason: string | null;
  pagedSteps: string[];
  nextCheckAtMs: number | null;
}

interface EscalationRow {
  alert_id: string;
  policy_id: string | null;
  policy_json: string;
  started_at_ms: number;
  stopped_at_ms: number | null;
  stop_reason: string | null;
  paged_steps_json: string;
  next_check_at_ms: number | null;
}

const toRecord = (r: EscalationRow): EscalationRecord => ({
  alertId: r.alert_id,
  policyId: r.policy_id,
  policy: JSON.parse(r.policy_json) as EscalationRecord['policy'],
  startedAtMs: r.started_at_ms,
  stoppedAtMs: r.stopped_at_ms,
  stopReason: r.stop_reason,
  pagedSteps: JSON.parse(r.paged_steps_json) as string[],
  nextCheckAtMs: r.next_check_at_ms,
});

/** Builds the escalation statements once. */
export function createEscalationStore(db: Db) {
  const insert = db.prepare(
    `INSERT OR IGNORE INTO escalations (alert_id, policy_id, policy_json, started_at_ms, next_check_at_ms) VALUES (@alertId, @policyId, @policyJson, @startedAtMs, @startedAtMs)`,
  );
  const byAlert = db.prepare<[string], EscalationRow>('SELECT * FROM escalations WHERE alert_id = ?');
  const due = db.prepare<[number, number], EscalationRow>(
    'SELECT * FROM escalations WHERE next_check_at_ms IS NOT NULL AND next_check_at_ms <= ? ORDER BY next_check_at_ms LIMIT ?',
  );
  const nextDue = db.prepare<[], { at: number | null }>('SELECT min(next_check_at_ms) AS at FROM escalations WHERE next_check_at_ms IS NOT NULL');
  const progress = db.prepare<{ alertId: string; pagedJson: string; nextAtMs: number | null }>(
    'UPDATE escalations SET paged_steps_json = @pagedJson, next_check_at_ms = @nextAtMs WHERE alert_id = @alertId',
  );
  const stop = db.prepare<{ alertId: string; atMs: number; reason: string }>(
    'UPDATE escalations SET stopped_at_ms = @atMs, stop_reason = @reason, next_check_at_ms = NULL WHERE alert_id = @alertId AND stopped_at_ms IS NULL',
  );

  const reassign = db.prepare<[string, string]>('UPDATE escalations SET alert_id = ? WHERE alert_id = ?');

  return {
    /**
     * Hands an escalation to another alert (the next open member of a group whose leader
     * cleared), keeping its steps and clock; false when `from` had none or `to` has one.
     */
    reassign(from: string, to: string): boolean {
      if (byAlert.get(to)) return false;
      return reassign.run(to, from).changes === 1;
    },
    /** Starts an escalation; false when the alert already has one. */
    start(e: { alertId: string; policyId: string | null; policy: EscalationRecord['policy']; startedAtMs: number }): boolean {
      return insert.run({ alertId: e.alertId, policyId: e.policyId, policyJson: JSON.stringify(e.policy), startedAtMs: e.startedAtMs }).changes === 1;
    },
    find(alertId: string): EscalationRecord | undefined {
      const r = byAlert.get(alertId);
      return r && toRecord(r);
    },
    /** Escalations whose next check is due. */
    due(nowMs: number, limit = 500): EscalationRecord[] {
      return due.all(nowMs, limit).map(toRecord);
    },
    /** The earliest next check, ms, or null. */
    nextDueAtMs(): number | null {
      return nextDue.get()?.at ?? null;
    },
    progress(alertId: string, pagedSteps: string[], nextAtMs: number | null): void {
      progress.run({ alertId, pagedJson: JSON.stringify(pagedSteps), nextAtMs });
    },
    /** Stops an escalation (acknowledged, resolved); false when it was already stopped. */
    stop(alertId: string, atMs: number, reason: string): boolean {
      return stop.run({ alertId, atMs, reason }).changes === 1;
    },
  };
}
export type EscalationStore = ReturnType<typeof createEscalationStore>;
