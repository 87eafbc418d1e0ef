/**
 * Storage precision per metric unit. Agents may send values with any number of digits
 * (systeminformation reports CPU load as 12.345678901); what we keep is rounded to a precision
 * far below what anyone reads off a chart, so values become small integers that compress well.
 * The live view and rule evaluation see the value exactly as sent; only storage rounds.
 */
import { findMetric, type MetricUnit } from '../../shared/metrics.js';

/** Decimals kept in storage, by unit. */
export const STORED_DECIMALS: Readonly<Record<MetricUnit, number>> = {
  percent: 2, // 0.01 %
  ratio: 3, // load averages: the kernel reports 2
  celsius: 1,
  bytes: 0,
  bytesPerSec: 0,
  bitsPerSec: 0,
  seconds: 0,
  count: 0,
  boolean: 0,
  milliseconds: 1, // probe round trips on a LAN are below 1 ms
  days: 2, // certificate expiry: about a quarter of an hour
};

const POW10 = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000];
/** Beyond this magnitude a value is kept as sent (it would not fit the integer encodings). */
const MAX_SCALED = 2 ** 48;

/** Decimals kept for a metric name; unknown names keep 6. */
export function storedDecimals(name: string): number {
  const def = findMetric(name);
  return def ? STORED_DECIMALS[def.unit] : 6;
}

/** Rounds `value` to `decimals` places (−0 becomes 0); huge values are returned unchanged. */
export function quantize(value: number, decimals: number): number {
  const s = POW10[decimals] ?? 1;
  const scaled = value * s;
  if (!(Math.abs(scaled) <= MAX_SCALED)) return value;
  const q = Math.round(scaled) / s;
  return q === 0 ? 0 : q;
}
