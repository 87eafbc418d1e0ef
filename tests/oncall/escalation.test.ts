/** Escalation planning as a table: what to page at each moment, and when to look again. */
import { describe, expect, it } from 'vitest';
import { cycleLengthMs, planEscalation, type PlanPolicy } from '../../server/oncall/escalation.js';

const MIN = 60_000;
// On-call now, backup after 10 min, all admins after 20 min; next pass 10 min after the last level.
const ladder = (repeat: number | null): PlanPolicy => ({
  levels: [{ afterMs: 0 }, { afterMs: 10 * MIN }, { afterMs: 20 * MIN }],
  repeat,
  repeatAfterMs: 10 * MIN,
});
const plan = (policy: PlanPolicy, atMin: number, paged: string[] = [], isStopped = false) => {
  const p = planEscalation(policy, { startedAtMs: 0, isStopped, pagedSteps: new Set(paged) }, atMin * MIN);
  return { due: p.due.map((s) => `${s.cycle}.${s.level}`), nextAtMin: p.nextAtMs === null ? null : p.nextAtMs / MIN };
};

describe('planEscalation', () => {
  it.each([
    // minute, already paged, repeat, → due, next check (min)
    [0, [], 0, ['0.0'], 10], // start: level 1 at once
    [0, ['0.0'], 0, [], 10],
    [9.99, ['0.0'], 0, [], 10],
    [10, ['0.0'], 0, ['0.1'], 20],
    [20, ['0.0', '0.1'], 0, ['0.2'], null],
    [25, ['0.0', '0.1'], 0, ['0.2'], null],
    [25, ['0.0'], 0, ['0.1', '0.2'], null], // after downtime: every level due now pages at once
    [500, ['0.0', '0.1', '0.2'], 0, [], null],
    [20, ['0.0', '0.1'], 1, ['0.2'], 30],
    [30, ['0.0', '0.1', '0.2'], 1, ['1.0'], 40],
    [60, ['0.0', '0.1', '0.2', '1.0', '1.1', '1.2'], 1, [], null],
    [95, ['0.0', '0.1', '0.2'], null, ['3.0'], 100], // until acknowledged: missed passes are superseded by the current one
    [100, ['0.0', '3.0'], null, ['3.1'], 110],
  ] as [number, string[], number | null, string[], number | null][])('at %s min, paged %j, repeat %s → due %j, next %s', (atMin, paged, repeat, due, next) => {
    expect(plan(ladder(repeat), atMin, paged)).toEqual({ due, nextAtMin: next });
  });

  it('nothing once stopped (acknowledged or resolved)', () => {
    expect(plan(ladder(null), 15, ['0.0'], true)).toEqual({ due: [], nextAtMin: null });
  });

  it('a first level with a delay pages nothing before it', () => {
    const delayed: PlanPolicy = { levels: [{ afterMs: 5 * MIN }], repeat: 0, repeatAfterMs: MIN };
    expect(plan(delayed, 0)).toEqual({ due: [], nextAtMin: 5 });
    expect(plan(delayed, 5)).toEqual({ due: ['0.0'], nextAtMin: null });
  });

  it('an empty ladder does nothing', () => {
    expect(plan({ levels: [], repeat: 3, repeatAfterMs: MIN }, 0)).toEqual({ due: [], nextAtMin: null });
  });

  it('a pass lasts the last level plus the pause', () => {
    expect(cycleLengthMs(ladder(1))).toBe(30 * MIN);
  });
});
