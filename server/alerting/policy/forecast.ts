/**
 * Disk-full forecasting, pure. Samples are folded into a few dozen time buckets per series (so
 * memory stays bounded at any report rate); a least-squares line through the bucket means gives
 * the growth rate, and the time to full is the free space left divided by that rate.
 *
 *   sample ─▶ addToTrend (bucket means over windowMs) ─▶ fitLinearTrend ─▶ predictTimeToFull
 */

/** One (time, value) point, e.g. (tsMs, usedBytes). */
export interface TrendPoint {
  tsMs: number;
  value: number;
}

/** A running mean of the samples that fell into one bucket. */
export interface TrendBucket {
  startMs: number;
  sumTsMs: number;
  sumValue: number;
  count: number;
}

/** Bucketed history of one series, plus its latest raw sample. */
export interface Trend {
  bucketMs: number;
  buckets: TrendBucket[];
  last: TrendPoint | null;
}

/** Buckets per window: enough for a stable fit, few enough to refit on every sample. */
export const TREND_BUCKETS = 24;

/** An empty trend for a window of `windowMs`. */
export function createTrend(windowMs: number): Trend {
  return { bucketMs: Math.max(60_000, Math.floor(windowMs / TREND_BUCKETS)), buckets: [], last: null };
}

/** Adds a point (returning a new trend) and drops buckets older than `windowMs` before it. */
export function addToTrend(trend: Trend, point: TrendPoint, windowMs: number): Trend {
  if (trend.last && point.tsMs <= trend.last.tsMs) return trend; // replays and out-of-order samples
  const startMs = point.tsMs - (point.tsMs % trend.bucketMs);
  const keepFrom = point.tsMs - windowMs;
  const buckets = trend.buckets.filter((b) => b.startMs + trend.bucketMs > keepFrom);
  const lastBucket = buckets.at(-1);
  if (lastBucket && lastBucket.startMs === startMs) {
    buckets[buckets.length - 1] = {
      startMs,
      sumTsMs: lastBucket.sumTsMs + point.tsMs,
      sumValue: lastBucket.sumValue + point.value,
      count: lastBucket.count + 1,
    };
  } else {
    buckets.push({ startMs, sumTsMs: point.tsMs, sumValue: point.value, count: 1 });
  }
  return { bucketMs: trend.bucketMs, buckets, last: point };
}

/** The bucket means as points, oldest first. */
export function trendPoints(trend: Trend): TrendPoint[] {
  return trend.buckets.map((b) => ({ tsMs: b.sumTsMs / b.count, value: b.sumValue / b.count }));
}

/** Least-squares line through points: slope per ms and the time span covered. Null below 2 points. */
export function fitLinearTrend(points: readonly TrendPoint[]): { slopePerMs: number; spanMs: number; count: number } | null {
  const n = points.length;
  if (n < 2) return null;
  // Center the times: squared epoch milliseconds would lose precision in doubles.
  const t0 = points[0]!.tsMs;
  let sumT = 0;
  let sumV = 0;
  for (const p of points) {
    sumT += p.tsMs - t0;
    sumV += p.value;
  }
  const meanT = sumT / n;
  const meanV = sumV / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    const dt = p.tsMs - t0 - meanT;
    num += dt * (p.value - meanV);
    den += dt * dt;
  }
  if (den === 0) return null;
  return { slopePerMs: num / den, spanMs: points[n - 1]!.tsMs - t0, count: n };
}

/** A prediction: ms until the series reaches capacity (null when it is not growing). */
export interface Prediction {
  timeToFullMs: number | null;
  slopePerMs: number;
  spanMs: number;
}

/**
 * Predicts when `trend` reaches `capacity` from its latest value at the fitted growth rate.
 * Undefined when there is too little data: fewer than 3 buckets or less than `minSpanMs` of history.
 */
export function predictTimeToFull(trend: Trend, capacity: number, minSpanMs: number): Prediction | undefined {
  if (!trend.last || trend.buckets.length < 3) return undefined;
  const fit = fitLinearTrend(trendPoints(trend));
  if (!fit || fit.spanMs < minSpanMs) return undefined;
  if (fit.slopePerMs <= 0) return { timeToFullMs: null, slopePerMs: fit.slopePerMs, spanMs: fit.spanMs };
  const free = capacity - trend.last.value;
  return { timeToFullMs: Math.max(0, free / fit.slopePerMs), slopePerMs: fit.slopePerMs, spanMs: fit.spanMs };
}
