/** What a rule means: each mistake has its own code and a message naming the field. */
import { describe, expect, it } from 'vitest';
import { validateRuleParams } from '../../server/alerting/rule-validation.js';
import type { RuleInput } from '../../shared/alert-types.js';

describe('validateRuleParams: refusals', () => {
  const cpu: Partial<RuleInput> = { kind: 'threshold', metric: 'cpu.loadPct', op: 'above', threshold: 90 };
  const table: [string, Partial<RuleInput>, string, string][] = [
    [
      'missing kind',
      { metric: 'cpu.loadPct' },
      'RULE_UNKNOWN_KIND',
      'kind must be one of threshold, offline, forecast, service-down, printer-error, smart-failing; got null',
    ],
    [
      'unknown kind',
      { kind: 'anomaly' },
      'RULE_UNKNOWN_KIND',
      'kind must be one of threshold, offline, forecast, service-down, printer-error, smart-failing; got "anomaly"',
    ],
    ['unknown metric', { ...cpu, metric: 'cpu.magic' }, 'RULE_UNKNOWN_METRIC', 'unknown metric "cpu.magic"; see the metric list in docs/PROTOCOL.md'],
    ['label the metric lacks', { ...cpu, labels: { mount: '/' } }, 'RULE_UNKNOWN_LABEL', 'metric "cpu.loadPct" has no label "mount"; it has no labels'],
    [
      'wrong label of a labelled metric',
      { ...cpu, metric: 'fs.usedPct', labels: { disk: 'sda' } },
      'RULE_UNKNOWN_LABEL',
      'metric "fs.usedPct" has no label "disk"; it has [mount]',
    ],
    ['negative for', { ...cpu, forMs: -1 }, 'RULE_INVALID_DURATION', 'forMs must be a whole number of milliseconds in 0–2592000000; got -1'],
    ['fractional clearFor', { ...cpu, clearForMs: 1.5 }, 'RULE_INVALID_DURATION', 'clearForMs must be a whole number of milliseconds in 0–2592000000; got 1.5'],
    [
      'above: clear threshold above the threshold',
      { ...cpu, clearThreshold: 95 },
      'RULE_CLEAR_THRESHOLD_WRONG_SIDE',
      'an "above" rule clears below its threshold: clearThreshold (95) must be ≤ threshold (90)',
    ],
    [
      'below: clear threshold below the threshold',
      { ...cpu, op: 'below', threshold: 10, clearThreshold: 5 },
      'RULE_CLEAR_THRESHOLD_WRONG_SIDE',
      'a "below" rule clears above its threshold: clearThreshold (5) must be ≥ threshold (10)',
    ],
    ['percentage over 100', { ...cpu, threshold: 150 }, 'RULE_THRESHOLD_OUT_OF_RANGE', 'threshold of percentage metric "cpu.loadPct" must be 0–100; got 150'],
    ['threshold without op', { kind: 'threshold', metric: 'cpu.loadPct', threshold: 90 }, 'RULE_MISSING_FIELD', 'threshold rules need op ("above" or "below")'],
    ['threshold without threshold', { kind: 'threshold', metric: 'cpu.loadPct', op: 'above' }, 'RULE_MISSING_FIELD', 'threshold rules need a threshold'],
    ['field of another kind', { ...cpu, missedIntervals: 3 }, 'RULE_FIELD_NOT_ALLOWED', 'threshold rules do not take "missedIntervals"'],
    ['offline with an op', { kind: 'offline', missedIntervals: 3, op: 'above' }, 'RULE_FIELD_NOT_ALLOWED', 'offline rules do not take "op"'],
    [
      'offline without intervals',
      { kind: 'offline' },
      'RULE_MISSING_FIELD',
      'offline rules need missedIntervals (reports missed before the device counts as offline)',
    ],
    ['offline with zero intervals', { kind: 'offline', missedIntervals: 0 }, 'RULE_INVALID_INTERVALS', 'missedIntervals must be a whole number 1–1000; got 0'],
    [
      'forecast on a non-disk metric',
      { kind: 'forecast', metric: 'cpu.loadPct', horizonMs: 86_400_000 },
      'RULE_METRIC_NOT_ALLOWED',
      'forecast rules work on fs.usedBytes or fs.usedPct; got "cpu.loadPct"',
    ],
    [
      'forecast clearing before it opens',
      { kind: 'forecast', metric: 'fs.usedBytes', horizonMs: 7 * 86_400_000, clearHorizonMs: 86_400_000 },
      'RULE_CLEAR_THRESHOLD_WRONG_SIDE',
      'clearHorizonMs (86400000) must be at least horizonMs (604800000), or the forecast could never clear',
    ],
    [
      'forecast with a tiny window',
      { kind: 'forecast', metric: 'fs.usedBytes', horizonMs: 86_400_000, windowMs: 1000 },
      'RULE_INVALID_DURATION',
      'windowMs must be a whole number of milliseconds in 600000–2592000000; got 1000',
    ],
    [
      'forecast needing more history than it keeps',
      { kind: 'forecast', metric: 'fs.usedPct', horizonMs: 86_400_000, windowMs: 3_600_000, minSpanMs: 7_200_000 },
      'RULE_INVALID_DURATION',
      'minSpanMs (7200000) cannot exceed windowMs (3600000)',
    ],
    [
      'service-down on a numeric metric',
      { kind: 'service-down', metric: 'cpu.loadPct' },
      'RULE_METRIC_NOT_ALLOWED',
      'service-down rules need a boolean (1/0) metric; "cpu.loadPct" is percent',
    ],
  ];
  it.each(table)('%s → %s', (_name, input, code, message) => {
    expect(validateRuleParams(input)).toEqual({ ok: false, code, message });
  });
});

describe('validateRuleParams: defaults', () => {
  it('fills in a threshold rule: no hysteresis and no durations unless given', () => {
    expect(validateRuleParams({ kind: 'threshold', metric: 'mem.usedPct', op: 'above', threshold: 90 })).toEqual({
      ok: true,
      params: { kind: 'threshold', metric: 'mem.usedPct', labels: {}, op: 'above', threshold: 90, clearThreshold: 90, forMs: 0, clearForMs: 0 },
    });
  });
  it('fills in a forecast: 6 h window, 1 h history, clear horizon 1.5 × horizon', () => {
    expect(validateRuleParams({ kind: 'forecast', metric: 'fs.usedBytes', labels: { mount: '/' }, horizonMs: 2 * 86_400_000 })).toEqual({
      ok: true,
      params: {
        kind: 'forecast',
        metric: 'fs.usedBytes',
        labels: { mount: '/' },
        horizonMs: 172_800_000,
        clearHorizonMs: 259_200_000,
        windowMs: 21_600_000,
        minSpanMs: 3_600_000,
        forMs: 0,
      },
    });
  });
  it('gives the state kinds their metric', () => {
    expect(validateRuleParams({ kind: 'smart-failing' })).toMatchObject({ ok: true, params: { metric: 'smart.isFailing' } });
    expect(validateRuleParams({ kind: 'service-down', labels: { service: 'Spooler' }, forMs: 60_000 })).toMatchObject({
      ok: true,
      params: { metric: 'service.isRunning', labels: { service: 'Spooler' }, forMs: 60_000 },
    });
  });
});
