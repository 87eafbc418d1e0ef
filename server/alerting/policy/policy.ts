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
import { findMetric } from '../../../shared/metrics.js';
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
  const events = step.events.map(
    (e): PolicyEvent =>
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

/** Human duration: 90_000 → "1.5 min", 3 days → "3.0 days". */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${trim(ms / 60_000)} min`;
  if (ms < 86_400_000) return `${trim(ms / 3_600_000)} h`;
  return `${trim(ms / 86_400_000)} days`;
}

function trim(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** A value with its metric's unit, e.g. "93.5 %", "12.4 GB", "71 °C". */
export function formatValue(metric: string, value: number): string {
  switch (findMetric(metric)?.unit) {
    case 'percent':
      return `${trim(Math.round(value * 10) / 10)} %`;
    case 'bytes':
      return formatBytes(value);
    case 'bytesPerSec':
      return `${formatBytes(value)}/s`;
    case 'celsius':
      return `${trim(Math.round(value * 10) / 10)} °C`;
    case 'seconds':
      return formatDuration(value * 1000);
    default:
      return trim(Math.round(value * 100) / 100);
  }
}

function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

function labelText(labels: Record<string, string>): string {
  const keys = Object.keys(labels).sort();
  return keys.length === 0 ? '' : ` ${keys.map((k) => `${k}=${labels[k]}`).join(' ')}`;
}

function describeOpened(rule: PolicyRule, s: PolicyState, input: PolicyInput): string {
  const v = s.lastValue;
  switch (rule.kind) {
    case 'threshold': {
      const sustained = rule.forMs > 0 ? ` for ${formatDuration(rule.forMs)}` : '';
      return `${rule.metric}${labelText(s.labels)} is ${v === null ? '?' : formatValue(rule.metric, v)}, ${rule.op} ${formatValue(rule.metric, rule.threshold)}${sustained}`;
    }
    case 'offline': {
      const silent = input.type === 'tick' && input.silentMs !== undefined ? input.silentMs : (v ?? 0);
      const interval = input.type === 'tick' ? ` (${rule.missedIntervals} intervals of ${formatDuration(input.intervalMs)})` : '';
      return `no report for ${formatDuration(silent)}${interval}`;
    }
    case 'forecast': {
      const ttf = s.lastTimeToFullMs;
      const perDay = (s.lastSlopePerMs ?? 0) * 86_400_000;
      return `${rule.metric}${labelText(s.labels)} predicted full in ${ttf == null ? '?' : formatDuration(ttf)} (growing ${formatValue(rule.metric, perDay)}/day)`;
    }
    case 'service-down':
      return `service${labelText(s.labels)} is not running`;
    case 'printer-error':
      return `printer${labelText(s.labels)} reports an error`;
    case 'smart-failing':
      return `disk${labelText(s.labels)} fails its SMART self-assessment`;
  }
}

function describeCleared(rule: PolicyRule, s: PolicyState): string {
  switch (rule.kind) {
    case 'threshold':
      return `${rule.metric}${labelText(s.labels)} back to ${s.lastValue === null ? '?' : formatValue(rule.metric, s.lastValue)}`;
    case 'offline':
      return 'reporting again';
    case 'forecast':
      return s.lastTimeToFullMs == null
        ? `${rule.metric}${labelText(s.labels)} no longer growing`
        : `${rule.metric}${labelText(s.labels)} predicted full in ${formatDuration(s.lastTimeToFullMs)}`;
    default:
      return `${rule.kind.replace('-', ' ')}${labelText(s.labels)} cleared`;
  }
}
