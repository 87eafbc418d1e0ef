import { describe, expect, it } from 'vitest';
import { backoffDelayMs, capDelayMs } from '../../agent/backoff.js';

const base = { baseMs: 1_000, capMs: 60_000 };

describe('backoffDelayMs (full jitter, capped)', () => {
  it.each([
    // attempt, random, expected delay
    [0, 0.999_999, 999],
    [0, 0.5, 500],
    [1, 0.5, 1_000],
    [3, 0.5, 4_000],
    [5, 0.999_999, 31_999],
    [6, 0.999_999, 59_999], // 64 s ceiling is capped to 60 s
    [20, 0.5, 30_000],
    [5_000, 0.5, 30_000], // 2 ** 5000 is Infinity; the cap still holds
    [3, 0, 0],
    [-1, 0.5, 500], // nonsense attempts count as the first
    [Number.NaN, 0.5, 500],
  ])('attempt %s with random %s waits %s ms', (attempt, r, expected) => {
    expect(backoffDelayMs(attempt, { ...base, random: () => r })).toBe(expected);
  });

  it('spreads delays over the whole [0, ceiling) range with the real random source', () => {
    const delays = Array.from({ length: 2_000 }, () => backoffDelayMs(4, base));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThan(16_000);
    // 2,000 uniform draws essentially never all land in one half.
    expect(delays.some((d) => d < 8_000)).toBe(true);
    expect(delays.some((d) => d >= 8_000)).toBe(true);
  });

  it('capDelayMs stays in the upper half of the cap', () => {
    expect(capDelayMs({ ...base, random: () => 0 })).toBe(30_000);
    expect(capDelayMs({ ...base, random: () => 0.999_999 })).toBe(59_999);
  });
});
