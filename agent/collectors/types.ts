import type { Sample } from '../../shared/protocol.js';
import type { MetricName } from '../../shared/metrics.js';

/**
 * One optional source of metrics. `init()` answers "does this machine have it?" once, so a laptop
 * collector never errors every cycle on a server; `collect()` is then called once per interval.
 */
export interface Collector {
  readonly name: string;
  init(): Promise<boolean>;
  collect(): Promise<Sample[]>;
}

/** Longest label value the protocol accepts (shared/protocol.ts labelValue). */
export const MAX_LABEL_VALUE_LENGTH = 200;

/**
 * Appends a sample only when the value is a finite number, so NaN/null from a flaky platform call
 * is dropped here instead of making the server refuse the whole report.
 */
export function pushSample(
  out: Sample[],
  name: MetricName,
  value: number | null | undefined,
  labels?: Record<string, string>,
): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) return;
  out.push(labels ? { name, labels, value } : { name, value });
}

/** Clamps a percentage into 0–100; rounding noise (100.0000001) must not look like a bad value. */
export function clampPct(value: number): number {
  return Math.min(100, Math.max(0, value));
}
