/**
 * Checks what a rule means, beyond its JSON shape, and builds its normalized parameters. Pure.
 * Every mistake has its own code so an API client (or a person) knows exactly what to fix:
 *
 *   RULE_UNKNOWN_KIND               kind missing or not one of RULE_KINDS
 *   RULE_FIELD_NOT_ALLOWED          a parameter this kind does not take (e.g. op on an offline rule)
 *   RULE_MISSING_FIELD              a parameter this kind needs (e.g. threshold)
 *   RULE_UNKNOWN_METRIC             metric not in shared/metrics.ts
 *   RULE_METRIC_NOT_ALLOWED         a known metric this kind cannot use (forecast on cpu.loadPct)
 *   RULE_UNKNOWN_LABEL              a label the metric does not carry
 *   RULE_INVALID_DURATION           negative, fractional or out-of-range ms durations
 *   RULE_INVALID_INTERVALS          missedIntervals not an integer 1–1000
 *   RULE_THRESHOLD_OUT_OF_RANGE     a percentage outside 0–100
 *   RULE_CLEAR_THRESHOLD_WRONG_SIDE clear threshold past the trigger threshold (or clear horizon
 *                                   shorter than the horizon): the condition could never clear
 */
import { RULE_KINDS, type RuleInput, type RuleKind, type RuleParams } from '../../shared/alert-types.js';
import { findMetric } from '../../shared/metrics.js';

/** A validation failure: a stable code and a message naming the field. */
export interface RuleProblem {
  code: string;
  message: string;
}

/** The outcome of validating a rule's parameters. */
export type RuleValidation = { ok: true; params: RuleParams } | ({ ok: false } & RuleProblem);

type ParamField = Exclude<keyof RuleInput, 'name' | 'kind' | 'severity' | 'scope' | 'overridesRuleId' | 'isEnabled'>;

const FIELDS_BY_KIND: Record<RuleKind, readonly ParamField[]> = {
  threshold: ['metric', 'labels', 'op', 'threshold', 'clearThreshold', 'forMs', 'clearForMs'],
  offline: ['missedIntervals'],
  forecast: ['metric', 'labels', 'horizonMs', 'clearHorizonMs', 'windowMs', 'minSpanMs', 'forMs'],
  'service-down': ['metric', 'labels', 'forMs', 'clearForMs'],
  'printer-error': ['metric', 'labels', 'forMs', 'clearForMs'],
  'smart-failing': ['metric', 'labels', 'forMs', 'clearForMs'],
};
const ALL_PARAM_FIELDS: readonly ParamField[] = [...new Set(Object.values(FIELDS_BY_KIND).flat())];

const BOOLEAN_DEFAULT_METRIC = { 'service-down': 'service.isRunning', 'printer-error': 'printer.hasError', 'smart-failing': 'smart.isFailing' } as const;
const FORECAST_METRICS = ['fs.usedBytes', 'fs.usedPct'] as const;

const MIN = 60_000;
const DAY = 86_400_000;

/** True when `kind` is a rule kind. */
export function isRuleKind(kind: unknown): kind is RuleKind {
  return typeof kind === 'string' && (RULE_KINDS as readonly string[]).includes(kind);
}

/** The parameter fields of a rule, flat, as an input would carry them (for merging). */
export function paramsToInput(params: RuleParams): Partial<RuleInput> {
  return { ...params };
}

const fail = (code: string, message: string): RuleValidation => ({ ok: false, code, message });

function checkDuration(field: string, value: number | undefined, maxMs: number, minMs = 0): RuleProblem | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < minMs || value > maxMs) {
    const range = minMs > 0 ? `${minMs}–${maxMs}` : `0–${maxMs}`;
    return { code: 'RULE_INVALID_DURATION', message: `${field} must be a whole number of milliseconds in ${range}; got ${value}` };
  }
  return undefined;
}

/** Validates the parameters of a rule of `input.kind` and fills in defaults. */
export function validateRuleParams(input: Partial<RuleInput>): RuleValidation {
  const kind = input.kind;
  if (!isRuleKind(kind)) {
    return fail('RULE_UNKNOWN_KIND', `kind must be one of ${RULE_KINDS.join(', ')}; got ${JSON.stringify(kind ?? null)}`);
  }
  const allowed = FIELDS_BY_KIND[kind];
  for (const f of ALL_PARAM_FIELDS) {
    if (input[f] !== undefined && !allowed.includes(f)) return fail('RULE_FIELD_NOT_ALLOWED', `${kind} rules do not take "${f}"`);
  }

  const durations: [string, number | undefined, number, number?][] = [
    ['forMs', input.forMs, 30 * DAY],
    ['clearForMs', input.clearForMs, 30 * DAY],
    ['horizonMs', input.horizonMs, 365 * DAY, MIN],
    ['clearHorizonMs', input.clearHorizonMs, 730 * DAY, MIN],
    ['windowMs', input.windowMs, 30 * DAY, 10 * MIN],
    ['minSpanMs', input.minSpanMs, 30 * DAY],
  ];
  for (const [field, value, max, min] of durations) {
    const problem = checkDuration(field, value, max, min);
    if (problem) return { ok: false, ...problem };
  }

  if (kind === 'offline') {
    const n = input.missedIntervals;
    if (n === undefined) return fail('RULE_MISSING_FIELD', 'offline rules need missedIntervals (reports missed before the device counts as offline)');
    if (!Number.isInteger(n) || n < 1 || n > 1000) return fail('RULE_INVALID_INTERVALS', `missedIntervals must be a whole number 1–1000; got ${n}`);
    return { ok: true, params: { kind, missedIntervals: n } };
  }

  const metricName = input.metric ?? (kind in BOOLEAN_DEFAULT_METRIC ? BOOLEAN_DEFAULT_METRIC[kind as keyof typeof BOOLEAN_DEFAULT_METRIC] : undefined);
  if (metricName === undefined) return fail('RULE_MISSING_FIELD', `${kind} rules need a metric`);
  const metric = findMetric(metricName);
  if (!metric) return fail('RULE_UNKNOWN_METRIC', `unknown metric "${metricName}"; see the metric list in docs/PROTOCOL.md`);
  const labels = input.labels ?? {};
  for (const key of Object.keys(labels)) {
    if (!metric.labelKeys.includes(key)) {
      const known = metric.labelKeys.length > 0 ? `it has [${metric.labelKeys.join(', ')}]` : 'it has no labels';
      return fail('RULE_UNKNOWN_LABEL', `metric "${metric.name}" has no label "${key}"; ${known}`);
    }
  }

  if (kind === 'forecast') {
    if (!(FORECAST_METRICS as readonly string[]).includes(metric.name)) {
      return fail('RULE_METRIC_NOT_ALLOWED', `forecast rules work on ${FORECAST_METRICS.join(' or ')}; got "${metric.name}"`);
    }
    if (input.horizonMs === undefined) return fail('RULE_MISSING_FIELD', 'forecast rules need horizonMs (alert when full within this many ms)');
    const horizonMs = input.horizonMs;
    const clearHorizonMs = input.clearHorizonMs ?? Math.round(horizonMs * 1.5);
    if (clearHorizonMs < horizonMs) {
      return fail(
        'RULE_CLEAR_THRESHOLD_WRONG_SIDE',
        `clearHorizonMs (${clearHorizonMs}) must be at least horizonMs (${horizonMs}), or the forecast could never clear`,
      );
    }
    const windowMs = input.windowMs ?? 6 * 60 * MIN;
    const minSpanMs = input.minSpanMs ?? Math.min(60 * MIN, windowMs);
    if (minSpanMs > windowMs) return fail('RULE_INVALID_DURATION', `minSpanMs (${minSpanMs}) cannot exceed windowMs (${windowMs})`);
    return {
      ok: true,
      params: { kind, metric: metric.name as 'fs.usedBytes' | 'fs.usedPct', labels, horizonMs, clearHorizonMs, windowMs, minSpanMs, forMs: input.forMs ?? 0 },
    };
  }

  if (kind !== 'threshold') {
    if (metric.unit !== 'boolean') return fail('RULE_METRIC_NOT_ALLOWED', `${kind} rules need a boolean (1/0) metric; "${metric.name}" is ${metric.unit}`);
    return { ok: true, params: { kind, metric: metric.name, labels, forMs: input.forMs ?? 0, clearForMs: input.clearForMs ?? 0 } };
  }

  if (input.op === undefined) return fail('RULE_MISSING_FIELD', 'threshold rules need op ("above" or "below")');
  if (input.threshold === undefined) return fail('RULE_MISSING_FIELD', 'threshold rules need a threshold');
  const { op, threshold } = input;
  const clearThreshold = input.clearThreshold ?? threshold;
  if (metric.unit === 'percent') {
    for (const [field, v] of [
      ['threshold', threshold],
      ['clearThreshold', clearThreshold],
    ] as const) {
      if (v < 0 || v > 100) return fail('RULE_THRESHOLD_OUT_OF_RANGE', `${field} of percentage metric "${metric.name}" must be 0–100; got ${v}`);
    }
  }
  if (op === 'above' && clearThreshold > threshold) {
    return fail(
      'RULE_CLEAR_THRESHOLD_WRONG_SIDE',
      `an "above" rule clears below its threshold: clearThreshold (${clearThreshold}) must be ≤ threshold (${threshold})`,
    );
  }
  if (op === 'below' && clearThreshold < threshold) {
    return fail(
      'RULE_CLEAR_THRESHOLD_WRONG_SIDE',
      `a "below" rule clears above its threshold: clearThreshold (${clearThreshold}) must be ≥ threshold (${threshold})`,
    );
  }
  return {
    ok: true,
    params: { kind, metric: metric.name, labels, op, threshold, clearThreshold, forMs: input.forMs ?? 0, clearForMs: input.clearForMs ?? 0 },
  };
}
