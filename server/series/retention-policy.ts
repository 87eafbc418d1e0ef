/**
 * How long each resolution is kept, and the time windows blocks cover. Defaults: raw 7 days,
 * 1-minute rollups 90 days, 1-hour rollups 2 years (QP_RETENTION_RAW_DAYS, …_1M_DAYS, …_1H_DAYS).
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Window of one raw block and one 1-minute rollup block. */
export const RAW_WINDOW_MS = HOUR_MS;
/** Window of one 1-hour rollup block. */
export const ROLLUP_1H_WINDOW_MS = DAY_MS;

/** Retention per resolution, ms. raw ≤ 1 m ≤ 1 h. */
export interface RetentionPolicy {
  rawMs: number;
  rollup1mMs: number;
  rollup1hMs: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = {
  rawMs: 7 * DAY_MS,
  rollup1mMs: 90 * DAY_MS,
  rollup1hMs: 730 * DAY_MS,
};

/** Checks a policy; throws a message that says what to fix. */
export function validateRetention(p: RetentionPolicy): RetentionPolicy {
  for (const [k, v] of Object.entries(p)) {
    if (!Number.isFinite(v) || v < 2 * HOUR_MS) throw new Error(`retention ${k} must be at least 2 hours (got ${v} ms)`);
  }
  if (!(p.rawMs <= p.rollup1mMs && p.rollup1mMs <= p.rollup1hMs)) {
    throw new Error('retention must keep raw ≤ 1-minute rollups ≤ 1-hour rollups (rollups are computed from raw data)');
  }
  return p;
}

/** Start of the window of `windowMs` containing `tsMs` (UTC-aligned). */
export function windowStart(tsMs: number, windowMs: number): number {
  return Math.floor(tsMs / windowMs) * windowMs;
}
