/**
 * Escalation, pure: given a policy, when paging started, whether the alert is still
 * unacknowledged, and which steps were already paged — which steps to page now, and when to
 * look again.
 *
 * Level i of cycle c is due at  start + c × cycleMs + levels[i].afterMs,
 * where cycleMs = levels[last].afterMs + repeatAfterMs, and c runs 0…repeat (repeat = null:
 * until acknowledged). Example: levels at 0, 10 min, 20 min and repeatAfterMs 10 min page the
 * on-call at 0, the backup at 10, all admins at 20, and the on-call again at 30 min.
 *
 *   stopped (acknowledged / resolved)      → nothing now, never again
 *   steps of the latest due cycle, unpaged → page them now (after downtime, several at once)
 *   steps of earlier cycles, unpaged       → superseded by the newer cycle; not paged
 */

/** What planning needs of a policy. */
export interface PlanPolicy {
  /** Ascending, ms after paging started. */
  levels: readonly { afterMs: number }[];
  /** Extra cycles after the first; null = until acknowledged. */
  repeat: number | null;
  /** Pause after the last level before the ladder starts again, ms. */
  repeatAfterMs: number;
}

/** One step of the ladder: level `level` (0-based) of cycle `cycle`. */
export interface EscalationStep {
  cycle: number;
  level: number;
  atMs: number;
}

/** Where an escalation stands. */
export interface EscalationInput {
  startedAtMs: number;
  isStopped: boolean;
  /** Keys (stepKey) of the steps already paged. */
  pagedSteps: ReadonlySet<string>;
}

/** What to do now. */
export interface EscalationPlan {
  due: EscalationStep[];
  /** When the next step falls due, or null when the ladder is done (or stopped). */
  nextAtMs: number | null;
}

/** The stored key of a step, "cycle.level". */
export const stepKey = (s: { cycle: number; level: number }): string => `${s.cycle}.${s.level}`;

/** Length of one pass through the ladder, ms. */
export function cycleLengthMs(policy: PlanPolicy): number {
  return (policy.levels.at(-1)?.afterMs ?? 0) + policy.repeatAfterMs;
}

/** Decides which steps to page at `nowMs`. */
export function planEscalation(policy: PlanPolicy, input: EscalationInput, nowMs: number): EscalationPlan {
  const first = policy.levels[0];
  if (input.isStopped || !first) return { due: [], nextAtMs: null };
  const cycleMs = Math.max(1, cycleLengthMs(policy));
  const lastCycle = policy.repeat ?? Number.POSITIVE_INFINITY;
  const at = (cycle: number, level: number) => input.startedAtMs + cycle * cycleMs + policy.levels[level]!.afterMs;

  const elapsed = nowMs - input.startedAtMs - first.afterMs;
  const cycle = elapsed < 0 ? -1 : Math.min(lastCycle, Math.floor(elapsed / cycleMs));
  const due: EscalationStep[] = [];
  let nextAtMs: number | null = null;
  if (cycle >= 0) {
    for (let level = 0; level < policy.levels.length; level++) {
      const atMs = at(cycle, level);
      if (atMs <= nowMs) {
        if (!input.pagedSteps.has(stepKey({ cycle, level }))) due.push({ cycle, level, atMs });
      } else if (nextAtMs === null && !input.pagedSteps.has(stepKey({ cycle, level }))) {
        nextAtMs = atMs;
      }
    }
  }
  if (nextAtMs === null && cycle + 1 <= lastCycle) nextAtMs = at(cycle + 1, 0);
  return { due, nextAtMs };
}
