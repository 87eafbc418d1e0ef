import { describe, expect, it } from 'vitest';
import { attemptForSpread, backoffDelayMs, capDelayMs } from '../../agent/backoff.js';

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

/** A seeded uniform random number generator (mulberry32), so the fleet simulation is exact. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe('reconnect storm after a server restart', () => {
  it('attemptForSpread picks the first attempt whose ceiling reaches the spread', () => {
    expect(attemptForSpread(30_000, base)).toBe(5); // 32 s ceiling
    expect(attemptForSpread(500, base)).toBe(0);
    expect(attemptForSpread(120_000, base)).toBe(6); // capped at 60 s
  });

  it('15,000 agents dropped at once, server back after 20 s: no second sees more than 5 % of the fleet, and no delay exceeds the cap', () => {
    const random = seeded(42);
    const opts = { ...base, random };
    const fleet = 15_000;
    const downUntilMs = 20_000;
    const perSecond = new Map<number, number>();
    let maxDelayMs = 0;
    for (let i = 0; i < fleet; i++) {
      // The connection manager's policy: a lost ready connection continues at attemptForSpread.
      let attempt = attemptForSpread(30_000, opts);
      let t = 0;
      for (;;) {
        const delay = backoffDelayMs(attempt++, opts);
        maxDelayMs = Math.max(maxDelayMs, delay);
        t += delay;
        if (t >= downUntilMs) break; // this attempt reaches the restarted server
      }
      const second = Math.floor(t / 1_000);
      perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
    }
    const busiest = Math.max(...perSecond.values());
    expect(busiest).toBeLessThan(fleet * 0.05);
    expect(maxDelayMs).toBeLessThanOrEqual(base.capMs);
    // Without the spread (attempt 0 after the drop) the same fleet would crowd far more into one second.
    const naive = new Map<number, number>();
    for (let i = 0; i < fleet; i++) {
      let attempt = 0;
      let t = 0;
      while (t < downUntilMs) t += backoffDelayMs(attempt++, opts);
      naive.set(Math.floor(t / 1_000), (naive.get(Math.floor(t / 1_000)) ?? 0) + 1);
    }
    expect(Math.max(...naive.values())).toBeGreaterThan(busiest);
  });
});
