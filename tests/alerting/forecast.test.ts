/** The trend arithmetic under the forecast rule. */
import { describe, expect, it } from 'vitest';
import { addToTrend, createTrend, fitLinearTrend, predictTimeToFull, TREND_BUCKETS, trendPoints } from '../../server/alerting/policy/forecast.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2025-06-01T00:00:00Z');

describe('fitLinearTrend', () => {
  it('finds the slope of a line, even at epoch-sized times', () => {
    const fit = fitLinearTrend([0, 1, 2, 3].map((h) => ({ tsMs: T0 + h * HOUR, value: 100 + 5 * h })));
    expect(fit!.slopePerMs * HOUR).toBeCloseTo(5, 9);
    expect(fit!.spanMs).toBe(3 * HOUR);
  });
  it('fits noisy data by least squares', () => {
    const fit = fitLinearTrend([
      { tsMs: T0, value: 1 },
      { tsMs: T0 + HOUR, value: 3 },
      { tsMs: T0 + 2 * HOUR, value: 2 },
      { tsMs: T0 + 3 * HOUR, value: 4 },
    ]);
    expect(fit!.slopePerMs * HOUR).toBeCloseTo(0.8, 9);
  });
  it('needs two distinct times', () => {
    expect(fitLinearTrend([{ tsMs: T0, value: 1 }])).toBeNull();
    expect(
      fitLinearTrend([
        { tsMs: T0, value: 1 },
        { tsMs: T0, value: 2 },
      ]),
    ).toBeNull();
  });
});

describe('trend buckets', () => {
  it('averages samples per bucket and drops buckets older than the window', () => {
    const windowMs = 6 * HOUR;
    let trend = createTrend(windowMs);
    expect(trend.bucketMs).toBe(windowMs / TREND_BUCKETS);
    for (let m = 0; m <= 12 * 60; m += 1) trend = addToTrend(trend, { tsMs: T0 + m * 60_000, value: m }, windowMs);
    expect(trend.buckets.length).toBeLessThanOrEqual(TREND_BUCKETS + 1);
    const pts = trendPoints(trend);
    expect(pts[0]!.tsMs).toBeGreaterThanOrEqual(T0 + 6 * HOUR - trend.bucketMs);
    expect(pts.at(-1)!.value).toBe(720);
  });
  it('ignores samples that are not newer than the last one (replays)', () => {
    let trend = addToTrend(createTrend(HOUR * 6), { tsMs: T0 + 1000, value: 5 }, HOUR * 6);
    const same = addToTrend(trend, { tsMs: T0 + 1000, value: 99 }, HOUR * 6);
    expect(same).toBe(trend);
    trend = addToTrend(trend, { tsMs: T0 + 2000, value: 7 }, HOUR * 6);
    expect(trend.buckets[0]).toMatchObject({ count: 2, sumValue: 12 });
  });
});

describe('predictTimeToFull', () => {
  const grow = (perHour: number, hours: number, start = 50) => {
    let t = createTrend(6 * HOUR);
    for (let m = 0; m <= hours * 60; m += 15) t = addToTrend(t, { tsMs: T0 + m * 60_000, value: start + (perHour * m) / 60 }, 6 * HOUR);
    return t;
  };
  it('divides the free space by the growth rate', () => {
    const p = predictTimeToFull(grow(2, 3), 100, HOUR)!;
    expect(p.timeToFullMs! / HOUR).toBeCloseTo(22, 6); // 56 used after 3 h, 44 free at 2 per hour
  });
  it('answers null (never) when usage shrinks or stays flat', () => {
    expect(predictTimeToFull(grow(-1, 3), 100, HOUR)!.timeToFullMs).toBeNull();
    expect(predictTimeToFull(grow(0, 3), 100, HOUR)!.timeToFullMs).toBeNull();
  });
  it('says nothing until minSpanMs of history', () => {
    expect(predictTimeToFull(grow(2, 0.5), 100, HOUR)).toBeUndefined();
  });
  it('answers 0 when already over capacity', () => {
    expect(predictTimeToFull(grow(10, 6), 100, HOUR)!.timeToFullMs).toBe(0);
  });
});
