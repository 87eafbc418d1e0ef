/**
 * The rule policy: evaluate(state, input, rule, nowMs) → { state, events }. Pure: no database,
 * no clock, no I/O. Each rule kind turns its input into a signal; the shared condition machine
 * (condition.ts, whose transition table is the one to read) decides when to open and close.
 *
 *   kind            input            signal
 *   ─────────────── ──────────────── ─────────────────────────────────────────────────────────
 *   threshold       sample v         above: v > threshold → breach, v ≤ clear → clear, else hold
 *                                    below: v < threshold → breach, v ≥ clear → clear, else hold
 *   service-down    sample v         v < 0.5 (not running) → breach, else clear
 *   printer-error,  sample v         v ≥ 0.5 → breach, else clear
 *   smart-failing
 *   offline         tick silentMs    silentMs > missedIntervals × intervalMs → breach, else none
 *                   report           clear
 *   forecast        sample v         time to full < horizon → breach; ≥ clearHorizon or not
 *                                    growing → clear; between → hold; too little data → none
 *   any             tick             none (lets `for` and clear-hold windows elapse)
 */
import type { RuleParams } from '../../../shared/alert-types.js';
import { formatApproxDuration, formatDuration } from '../../../shared/format.js';
import { describeReading, labelMetric } from '../../../shared/metric-labels.js';
import { INITIAL_CONDITION, stepCondition, type ConditionState, type ConditionTiming, type Signal } from './condition.js';
import { addToTrend, createTrend, predictTimeToFull, type Trend } from './forecast.js';

/** A rule as the policy needs it: its name and its kind's parameters. */
export type PolicyRule = RuleParams & { name: string };

/** State of one (rule, device, labels) condition. */
export interface PolicyState {
  condition: ConditionState;
  labels: Record<string, string>;
  /** Last sample value (threshold kinds), used bytes/pct (forecast), or silence ms (offline). */
  lastValue: number | null;
  /** Forecast kinds only: the bucketed history and the last prediction. */
  trend?: Trend;
  lastTimeToFullMs?: number | null;
  lastSlopePerMs?: number;
}

/** One input to a condition. */
export type PolicyInput =
  /** A sample of the rule's metric; capacity is the series' size (forecast on usedBytes). */
  | { type: 'sample'; value: number; tsMs: number; labels: Record<string, string>; capacity?: number | null }
  /** The device sent a report (offline rules clear on it). */
  | { type: 'report' }
  /** Time passed; silentMs is how long the device has not reported (offline rules). */
  | { type: 'tick'; intervalMs: number; silentMs?: number };

/** An opened or cleared condition, with a line a technician can read. */
export interface PolicyEvent {
  type: 'opened' | 'cleared';
  atMs: number;
  value: number | null;
  isFlapping: boolean;
  summary: string;
  /** For cleared events: when the condition had opened. */
  openedAtMs?: number;
}

/** A fresh state for a condition with these labels. */
export function initialPolicyState(labels: Record<string, string> = {}): PolicyState {
  return { condition: INITIAL_CONDITION, labels, lastValue: null };
}

/** Evaluates one input against one rule. */
export function evaluate(state: PolicyState | undefined, input: PolicyInput, rule: PolicyRule, nowMs: number): { state: PolicyState; events: PolicyEvent[] } {
  let s = state ?? initialPolicyState(input.type === 'sample' ? input.labels : {});
  let signal: Signal = 'none';

  switch (rule.kind) {
    case 'threshold':
    case 'service-down':
    case 'printer-error':
    case 'smart-failing':
      if (input.type === 'sample') {
        signal = thresholdSignal(rule, input.value);
        s = { ...s, lastValue: input.value };
      }
      break;
    case 'offline':
      if (input.type === 'report') signal = 'clear';
      else if (input.type === 'tick' && input.silentMs !== undefined) {
        signal = input.silentMs > rule.missedIntervals * input.intervalMs ? 'breach' : 'none';
        s = { ...s, lastValue: input.silentMs };
      }
      break;
    case 'forecast':
      if (input.type === 'sample') {
        const trend = addToTrend(s.trend ?? createTrend(rule.windowMs), { tsMs: input.tsMs, value: input.value }, rule.windowMs);
        const capacity = rule.metric === 'fs.usedPct' ? 100 : input.capacity;
        const prediction = capacity ? predictTimeToFull(trend, capacity, rule.minSpanMs) : undefined;
        s = { ...s, trend, lastValue: input.value };
        if (prediction) {
          s.lastTimeToFullMs = prediction.timeToFullMs;
          s.lastSlopePerMs = prediction.slopePerMs;
          const ttf = prediction.timeToFullMs;
          signal = ttf === null || ttf >= rule.clearHorizonMs ? 'clear' : ttf < rule.horizonMs ? 'breach' : 'hold';
        }
      }
      break;
  }

  const step = stepCondition(s.condition, signal, timingOf(rule, input), nowMs);
  const next: PolicyState = step.state === s.condition ? s : { ...s, condition: step.state };
  const events = step.events.map((e): PolicyEvent =>
    e.type === 'opened'
      ? { type: 'opened', atMs: e.atMs, value: eventValue(rule, next), isFlapping: e.isFlapping, summary: describeOpened(rule, next, input) }
      : { type: 'cleared', atMs: e.atMs, value: eventValue(rule, next), isFlapping: false, summary: describeCleared(rule, next), openedAtMs: e.openedAtMs },
  );
  return { state: next, events };
}

/** The signal a value gives under a threshold-like rule. */
export function thresholdSignal(rule: PolicyRule, value: number): Exclude<Signal, 'none'> {
  switch (rule.kind) {
    case 'threshold':
      if (rule.op === 'above') return value > rule.threshold ? 'breach' : value <= rule.clearThreshold ? 'clear' : 'hold';
      return value < rule.threshold ? 'breach' : value >= rule.clearThreshold ? 'clear' : 'hold';
    case 'service-down':
      return value < 0.5 ? 'breach' : 'clear';
    case 'printer-error':
    case 'smart-failing':
      return value >= 0.5 ? 'breach' : 'clear';
    default:
      return 'clear';
  }
}

function timingOf(rule: PolicyRule, input: PolicyInput): ConditionTiming {
  // Only ticks can find a breach stale: the device's own samples are by definition fresh.
  const staleAfterMs = input.type === 'tick' ? 2 * input.intervalMs + 5_000 : Number.POSITIVE_INFINITY;
  switch (rule.kind) {
    case 'offline':
      return { forMs: 0, clearForMs: 0, staleAfterMs };
    case 'forecast':
      return { forMs: rule.forMs, clearForMs: 0, staleAfterMs };
    default:
      return { forMs: rule.forMs, clearForMs: rule.clearForMs, staleAfterMs };
  }
}

function eventValue(rule: PolicyRule, s: PolicyState): number | null {
  return rule.kind === 'offline' ? null : s.lastValue;
}

function labelText(labels: Record<string, string>, key: string): string {
  return labels[key] ?? Object.values(labels)[0] ?? '?';
}

// Summaries are the alert's headline in plain words ("CPU at 97 % for 5 min"); the metric id
// and the rule's limits go in a message's details section, not here.
function describeOpened(rule: PolicyRule, s: PolicyState, input: PolicyInput): string {
  const v = s.lastValue;
  switch (rule.kind) {
    case 'threshold': {
      const sustained = rule.forMs > 0 ? ` for ${formatDuration(rule.forMs)}` : '';
      return `${v === null ? labelMetric(rule.metric, s.labels) : describeReading(rule.metric, s.labels, v)}${sustained}`;
    }
    case 'offline': {
      const silent = input.type === 'tick' && input.silentMs !== undefined ? input.silentMs : (v ?? 0);
      const interval = input.type === 'tick' ? ` (one expected every ${formatDuration(input.intervalMs)})` : '';
      return `Offline: no report for ${formatDuration(silent)}${interval}`;
    }
    case 'forecast': {
      const ttf = s.lastTimeToFullMs;
      const capacity = rule.metric === 'fs.usedPct' ? 100 : input.type === 'sample' ? input.capacity : null;
      const now =
        v === null
          ? labelMetric(rule.metric, s.labels)
          : capacity
            ? describeReading('fs.usedPct', s.labels, (v / capacity) * 100)
            : describeReading(rule.metric, s.labels, v);
      return `${now}, full in ${ttf == null ? 'an unknown time' : formatApproxDuration(ttf)}`;
    }
    case 'service-down':
      return `Service ${labelText(s.labels, 'service')} is not running`;
    case 'printer-error':
      return `Printer ${labelText(s.labels, 'printer')} reports an error (jam, paper or offline)`;
    case 'smart-failing':
      return `Disk ${labelText(s.labels, 'disk')} fails its SMART self-assessment`;
  }
}

function describeCleared(rule: PolicyRule, s: PolicyState): string {
  switch (rule.kind) {
    case 'threshold':
      return s.lastValue === null
        ? `${labelMetric(rule.metric, s.labels)} back to normal`
        : `Back to normal: ${describeReading(rule.metric, s.labels, s.lastValue)}`;
    case 'offline':
      return 'Reporting again';
    case 'forecast':
      return s.lastTimeToFullMs == null
        ? `${labelMetric(rule.metric, s.labels)}: no longer growing`
        : `${labelMetric(rule.metric, s.labels)}: full in ${formatApproxDuration(s.lastTimeToFullMs)}, no longer urgent`;
    case 'service-down':
      return `Service ${labelText(s.labels, 'service')} is running again`;
    case 'printer-error':
      return `Printer ${labelText(s.labels, 'printer')} no longer reports an error`;
    case 'smart-failing':
      return `Disk ${labelText(s.labels, 'disk')} passes its SMART self-assessment again`;
  }
}
