/**
 * The policy, sample by sample: each row feeds one input at a time and asserts the phase after
 * it and the events it produced. Times are seconds from 0 to keep the tables readable.
 */
import { describe, expect, it } from 'vitest';
import { evaluate, thresholdSignal, type PolicyInput, type PolicyRule, type PolicyState } from '../../server/alerting/policy/policy.js';
import { FLAP_DAMPING, type Phase } from '../../server/alerting/policy/condition.js';
import { DEFAULT_RULES } from '../../server/alerting/policy/defaults.js';

const S = 1000;
const MIN = 60 * S;

/** A step: at second `t`, a sample value or a tick (optionally with silence for offline). */
type Step = [t: number, input: number | 'tick' | 'report' | { silentS: number }, phase: Phase, events: string[]];

function run(rule: PolicyRule, steps: Step[], intervalMs = 10 * S) {
  let state: PolicyState | undefined;
  steps.forEach(([t, what, phase, events], i) => {
    const input: PolicyInput =
      typeof what === 'number'
        ? { type: 'sample', value: what, tsMs: t * S, labels: {} }
        : what === 'tick'
          ? { type: 'tick', intervalMs }
          : what === 'report'
            ? { type: 'report' }
            : { type: 'tick', intervalMs, silentMs: what.silentS * S };
    const r = evaluate(state, input, rule, t * S);
    state = r.state;
    expect(state.condition.phase, `step ${i} (t=${t}s, ${JSON.stringify(what)}): phase`).toBe(phase);
    expect(
      r.events.map((e) => (e.type === 'opened' && e.isFlapping ? 'opened(flapping)' : e.type)),
      `step ${i}: events`,
    ).toEqual(events);
  });
  return state!;
}

const cpu = (over: Partial<Extract<PolicyRule, { kind: 'threshold' }>> = {}): PolicyRule => ({
  name: 'CPU',
  kind: 'threshold',
  metric: 'cpu.loadPct',
  labels: {},
  op: 'above',
  threshold: 90,
  clearThreshold: 80,
  forMs: 0,
  clearForMs: 0,
  ...over,
});

describe('threshold signal', () => {
  const cases: [string, PolicyRule, number, string][] = [
    ['above: over the threshold breaches', cpu(), 90.1, 'breach'],
    ['above: at the threshold is in the band', cpu(), 90, 'hold'],
    ['above: between clear and threshold holds', cpu(), 85, 'hold'],
    ['above: at the clear threshold clears', cpu(), 80, 'clear'],
    ['above: no hysteresis, at the threshold clears', cpu({ clearThreshold: 90 }), 90, 'clear'],
    ['below: under the threshold breaches', cpu({ op: 'below', threshold: 10, clearThreshold: 15 }), 9, 'breach'],
    ['below: in the band holds', cpu({ op: 'below', threshold: 10, clearThreshold: 15 }), 12, 'hold'],
    ['below: at the clear threshold clears', cpu({ op: 'below', threshold: 10, clearThreshold: 15 }), 15, 'clear'],
    ['service-down: 0 breaches', { name: 's', kind: 'service-down', metric: 'service.isRunning', labels: {}, forMs: 0, clearForMs: 0 }, 0, 'breach'],
    ['service-down: 1 clears', { name: 's', kind: 'service-down', metric: 'service.isRunning', labels: {}, forMs: 0, clearForMs: 0 }, 1, 'clear'],
    ['printer-error: 1 breaches', { name: 'p', kind: 'printer-error', metric: 'printer.hasError', labels: {}, forMs: 0, clearForMs: 0 }, 1, 'breach'],
    ['smart-failing: 0 clears', { name: 'd', kind: 'smart-failing', metric: 'smart.isFailing', labels: {}, forMs: 0, clearForMs: 0 }, 0, 'clear'],
  ];
  it.each(cases)('%s', (_name, rule, value, signal) => {
    expect(thresholdSignal(rule, value)).toBe(signal);
  });
});

describe('threshold rule, step by step', () => {
  it('opens at once without `for`, and clears only at the clear threshold (hysteresis)', () => {
    run(cpu(), [
      [0, 50, 'ok', []],
      [10, 95, 'firing', ['opened']],
      [20, 99, 'firing', []],
      [30, 85, 'firing', []], // between 80 and 90: still open
      [40, 91, 'firing', []],
      [50, 80, 'ok', ['cleared']],
      [60, 85, 'ok', []], // the band does not re-open
      [70, 90.5, 'firing', ['opened']],
    ]);
  });

  it('waits for `for` of sustained breach, and a dip into the band resets the window', () => {
    const rule = cpu({ forMs: 5 * MIN });
    run(rule, [
      [0, 95, 'pending', []],
      [120, 96, 'pending', []],
      [240, 85, 'ok', []], // dipped below the trigger threshold: the window restarts
      [250, 95, 'pending', []],
      [540, 95, 'pending', []], // 290 s into the window
      [550, 95, 'firing', ['opened']], // 300 s: opens
      [560, 70, 'ok', ['cleared']],
    ]);
  });

  it('lets a tick open a `for` window when the last breach is fresh, and drops it when stale', () => {
    const rule = cpu({ forMs: 60 * S });
    run(rule, [
      [0, 95, 'pending', []],
      [20, 'tick', 'pending', []], // breach 20 s old: still fresh (≤ 2 × 10 s interval + 5 s)
      [55, 95, 'pending', []],
      [60, 'tick', 'firing', ['opened']], // last breach 5 s old, window elapsed
    ]);
    run(rule, [
      [0, 95, 'pending', []],
      [26, 'tick', 'ok', []], // no sample for 26 s > 2 × 10 s interval + 5 s: cannot prove the breach
    ]);
  });

  it('holds a clear for clearForMs and returns to firing if the value comes back', () => {
    const rule = cpu({ clearForMs: 60 * S });
    run(rule, [
      [0, 95, 'firing', ['opened']],
      [10, 50, 'clearing', []],
      [40, 85, 'firing', []], // back in the band: did not stay clear
      [50, 50, 'clearing', []],
      [100, 50, 'clearing', []],
      [110, 50, 'ok', ['cleared']],
    ]);
    run(rule, [
      [0, 95, 'firing', ['opened']],
      [10, 50, 'clearing', []],
      [70, 'tick', 'ok', ['cleared']], // a tick completes the hold
    ]);
  });

  it('damps flapping: the third open within the window is flagged and then held open', () => {
    const rule = cpu();
    const s = run(rule, [
      [0, 95, 'firing', ['opened']],
      [10, 50, 'ok', ['cleared']],
      [20, 95, 'firing', ['opened']],
      [30, 50, 'ok', ['cleared']],
      [40, 95, 'firing', ['opened(flapping)']],
      [50, 50, 'clearing', []], // flapping: must stay clear for the flap hold time
      [60, 95, 'firing', []], // no new alert
      [70, 50, 'clearing', []],
      [80, 95, 'firing', []],
      [90, 50, 'clearing', []],
      [90 + FLAP_DAMPING.holdMs / S - 10, 50, 'clearing', []],
      [90 + FLAP_DAMPING.holdMs / S, 50, 'ok', ['cleared']],
    ]);
    expect(s.condition.isFlapping).toBe(false);
  });

  it('forgets old opens: three opens spread beyond the flap window are not flapping', () => {
    const gap = FLAP_DAMPING.windowMs / S / 2 + 1;
    run(cpu(), [
      [0, 95, 'firing', ['opened']],
      [10, 50, 'ok', ['cleared']],
      [gap, 95, 'firing', ['opened']],
      [gap + 10, 50, 'ok', ['cleared']],
      [2 * gap, 95, 'firing', ['opened']], // the first open is outside the window now
      [2 * gap + 10, 50, 'ok', ['cleared']],
    ]);
  });

  it('describes what opened and cleared', () => {
    const rule = cpu({ forMs: 0 });
    const opened = evaluate(undefined, { type: 'sample', value: 93.44, tsMs: 0, labels: {} }, rule, 0);
    expect(opened.events[0]).toMatchObject({ type: 'opened', value: 93.44, summary: 'CPU at 93 %' });
    const fs = cpu({ metric: 'fs.usedPct', forMs: 120_000 });
    const s1 = evaluate(undefined, { type: 'sample', value: 95, tsMs: 0, labels: { mount: '/data' } }, fs, 0).state;
    const s2 = evaluate(s1, { type: 'sample', value: 96, tsMs: 120_000, labels: { mount: '/data' } }, fs, 120_000);
    expect(s2.events[0]!.summary).toBe('/data 96 % full for 2 min');
    const cleared = evaluate(s2.state, { type: 'sample', value: 40, tsMs: 130_000, labels: { mount: '/data' } }, fs, 130_000);
    expect(cleared.events[0]).toMatchObject({ type: 'cleared', summary: 'Back to normal: /data 40 % full', openedAtMs: 120_000 });
  });
});

describe('offline rule, step by step', () => {
  const rule: PolicyRule = { name: 'Offline', kind: 'offline', missedIntervals: 3 };

  it('opens after more than N intervals of silence and clears on the next report', () => {
    run(rule, [
      [0, { silentS: 10 }, 'ok', []],
      [30, { silentS: 30 }, 'ok', []], // exactly 3 intervals: not yet
      [35, { silentS: 35 }, 'firing', ['opened']],
      [40, { silentS: 40 }, 'firing', []],
      [45, 'report', 'ok', ['cleared']],
    ]);
  });

  it('ignores samples and says how long the device was silent', () => {
    const r = evaluate(undefined, { type: 'tick', intervalMs: 10_000, silentMs: 95_000 }, rule, 95_000);
    expect(r.events[0]).toMatchObject({ type: 'opened', value: null, summary: 'Offline: no report for 1 min 35 s (one expected every 10 s)' });
    expect(evaluate(r.state, { type: 'sample', value: 1, tsMs: 0, labels: {} }, rule, 96_000).events).toEqual([]);
  });
});

describe('forecast rule, step by step', () => {
  const HOUR = 60 * MIN;
  const DAY = 24 * HOUR;
  const rule: PolicyRule = {
    name: 'Forecast',
    kind: 'forecast',
    metric: 'fs.usedBytes',
    labels: {},
    horizonMs: 7 * DAY,
    clearHorizonMs: 10 * DAY,
    windowMs: 6 * HOUR,
    minSpanMs: HOUR,
    forMs: 0,
  };
  const GB = 1e9;
  const feed = (state: PolicyState | undefined, points: [hours: number, usedGb: number][], capacityGb = 100) => {
    const events: string[] = [];
    for (const [h, gb] of points) {
      const r = evaluate(state, { type: 'sample', value: gb * GB, tsMs: h * HOUR, labels: { mount: '/' }, capacity: capacityGb * GB }, rule, h * HOUR);
      state = r.state;
      events.push(...r.events.map((e) => e.type));
    }
    return { state: state!, events };
  };

  it('needs enough history before predicting anything', () => {
    const { state, events } = feed(undefined, [
      [0, 50],
      [0.25, 60],
      [0.5, 70],
    ]);
    expect(events).toEqual([]); // fast growth, but only 30 min of data
    expect(state.lastTimeToFullMs).toBeUndefined();
  });

  it('opens when the trend reaches the disk within the horizon and clears when growth stops', () => {
    // 1 GB in 6 h = 4 GB/day with 29 GB free → full in 7.25 days: just outside the horizon.
    const slow = feed(
      undefined,
      Array.from({ length: 13 }, (_, i) => [i * 0.5, 70 + i / 12] as [number, number]),
    );
    expect(slow.events).toEqual([]);
    expect(slow.state.lastTimeToFullMs! / DAY).toBeCloseTo(7.25, 2);
    // 1 GB per hour with ~28 GB free: full in about a day.
    const fast = feed(
      undefined,
      Array.from({ length: 7 }, (_, i) => [i * 0.5, 70 + i / 2] as [number, number]),
    );
    expect(fast.events).toEqual(['opened']);
    expect(fast.state.condition.phase).toBe('firing');
    expect(fast.state.lastTimeToFullMs! / HOUR).toBeCloseTo(27, 0);
    // Cleanup: usage drops and stays flat → the trend turns negative → cleared.
    const after = feed(fast.state, [
      [3.5, 40],
      [4, 40],
      [4.5, 40],
      [5, 40],
    ]);
    expect(after.events).toEqual(['cleared']);
  });

  it('keeps a forecast open between the horizon and the clear horizon (hysteresis)', () => {
    // Opened at 1 GB/h with 27 GB free. Then the disk is enlarged: at the same growth, 8 days
    // to full is inside the band (7–10 days) and keeps it open; 11 days clears it.
    const open = feed(
      undefined,
      Array.from({ length: 7 }, (_, i) => [i * 0.5, 70 + i / 2] as [number, number]),
    );
    const sample = (h: number, gb: number, capacityGb: number, s: PolicyState) =>
      evaluate(s, { type: 'sample', value: gb * GB, tsMs: h * HOUR, labels: { mount: '/' }, capacity: capacityGb * GB }, rule, h * HOUR);
    const band = sample(3.5, 73.5, 73.5 + 8 * 24, open.state);
    expect(band.state.lastTimeToFullMs! / DAY).toBeCloseTo(8, 1);
    expect(band.state.condition.phase).toBe('firing');
    expect(band.events).toEqual([]);
    const beyond = sample(4, 74, 74 + 11 * 24, band.state);
    expect(beyond.events.map((e) => e.type)).toEqual(['cleared']);
  });

  it('summarizes the prediction', () => {
    let state: PolicyState | undefined;
    let summary = '';
    for (let i = 0; i < 7; i++) {
      const r = evaluate(
        state,
        { type: 'sample', value: (70 + i / 2) * GB, tsMs: i * 0.5 * HOUR, labels: { mount: '/' }, capacity: 100 * GB },
        rule,
        i * 0.5 * HOUR,
      );
      state = r.state;
      summary = r.events[0]?.summary ?? summary;
    }
    expect(summary).toBe('/ 71 % full, full in about 29 hours');
  });
});

describe('default rules of switches and firewalls (SNMP network template)', () => {
  const rule = (id: string) => {
    const d = DEFAULT_RULES.find((r) => r.id === id)!;
    return { name: d.name, ...d.params } as PolicyRule;
  };
  it('interface down: a port back within 2 min does not page; down for 2 min fires; up clears at once', () => {
    run(
      rule('default-interface-down'),
      [
        [0, 0, 'pending', []],
        [60, 0, 'pending', []],
        [90, 1, 'ok', []],
        [100, 0, 'pending', []],
        [160, 0, 'pending', []],
        [220, 0, 'firing', ['opened']],
        [280, 1, 'ok', ['cleared']],
      ],
      60 * S,
    );
  });
  it('device rebooted: fires on the poll that saw the restart and resolves on the next', () => {
    run(rule('default-device-rebooted'), [
      [0, 0, 'ok', []],
      [60, 1, 'firing', ['opened']],
      [120, 0, 'ok', ['cleared']],
    ]);
  });
});
