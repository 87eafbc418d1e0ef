import type { InventorySections, Sample } from '../../shared/protocol.js';
import type { MetricName } from '../../shared/metrics.js';

/** What a collector may return besides plain samples: inventory sections (details that are not numbers). */
export interface CollectorOutput {
  readonly samples: Sample[];
  readonly inventory?: InventorySections;
}

/**
 * One optional source of metrics. `init()` answers "does this machine have it?" once, so a laptop
 * collector never errors every cycle on a server; `collect()` is then called once per interval,
 * or once per its own `intervalMs` when that is set (top processes every minute, SMART every
 * 15 minutes), never more often than the agent's cycle.
 */
export interface Collector {
  readonly name: string;
  /** Run at most this often, ms; absent: every cycle. */
  readonly intervalMs?: number;
  /**
   * Longest one collect() may take, ms; absent: the cycle timeout. A collector that is slower than
   * the cycle (apt, smartctl) finishes in the background and its results go into the next report.
   */
  readonly timeoutMs?: number;
  init(): Promise<boolean>;
  collect(): Promise<Sample[] | CollectorOutput>;
  /**
   * Metrics this collector can read cheaply enough to sample every second between reports
   * (config.watch, agent/watch.ts); absent: none.
   */
  readonly watchable?: readonly MetricName[];
  /**
   * Reads only the `watchable` metrics, now, cheaply (no child process; /proc on Linux). Called
   * once per second while the server asks to watch one of them, never otherwise; keeps its own
   * baseline, so it does not disturb what collect() reports.
   */
  watch?(): Promise<Sample[]>;
}

/** Longest label value the protocol accepts (shared/protocol.ts labelValue). */
export const MAX_LABEL_VALUE_LENGTH = 200;

/**
 * Appends a sample only when the value is a finite number, so NaN/null from a flaky platform call
 * is dropped here instead of making the server refuse the whole report.
 */
export function pushSample(out: Sample[], name: MetricName, value: number | null | undefined, labels?: Record<string, string>): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) return;
  out.push(labels ? { name, labels, value } : { name, value });
}

/** Clamps a percentage into 0–100; rounding noise (100.0000001) must not look like a bad value. */
export function clampPct(value: number): number {
  return Math.min(100, Math.max(0, value));
}

/** Trims a platform string to `max` characters; empty and whitespace-only become undefined. */
export function cleanText(value: unknown, max: number): string | undefined {
  if (typeof value !== 'string') return undefined;
  const t = value.trim();
  return t ? t.slice(0, max) : undefined;
}
