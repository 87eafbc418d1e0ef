import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isValidReportFast, reportSchema } from '../../shared/protocol.js';
import { METRICS } from '../../shared/metrics.js';

/** Samples that are valid, or broken in one of the ways agents (or attackers) break them. */
const validSampleArb = fc
  .record({ def: fc.constantFrom(...METRICS), labelValue: fc.string({ minLength: 1, maxLength: 20 }), value: fc.double({ noNaN: true, noDefaultInfinity: true }) })
  .map(({ def, labelValue, value }) => ({
    name: def.name,
    ...(def.labelKeys.length > 0 ? { labels: Object.fromEntries(def.labelKeys.map((k) => [k, labelValue])) } : {}),
    value,
  }));
const sampleArb = fc.oneof(
  { arbitrary: validSampleArb, weight: 30 },
  fc.record({
    def: fc.constantFrom(...METRICS),
    labelValue: fc.oneof(fc.string({ minLength: 1, maxLength: 10 }), fc.constant(''), fc.string({ minLength: 199, maxLength: 202 })),
    value: fc.oneof(fc.double(), fc.constant('1' as unknown as number)),
    extraLabel: fc.boolean(),
    dropLabels: fc.boolean(),
    extraKey: fc.boolean(),
    nullLabels: fc.boolean(),
  }).map(({ def, labelValue, value, extraLabel, dropLabels, extraKey, nullLabels }) => {
    const s: Record<string, unknown> = { name: def.name, value };
    if (def.labelKeys.length > 0 && !dropLabels) s.labels = Object.fromEntries(def.labelKeys.map((k) => [k, labelValue]));
    if (extraLabel) s.labels = { ...(s.labels as object), zone: 'x' };
    if (extraKey) s.unit = 'pct';
    if (nullLabels) s.labels = null;
    return s;
  }),
  fc.record({ name: fc.string(), value: fc.double() }),
  fc.anything(),
);
const intish = (min: number, max: number) => fc.oneof({ arbitrary: fc.integer({ min, max }), weight: 10 }, fc.double(), fc.constant(2 ** 53), fc.constant(min - 1));

const reportArb = fc
  .record({
    seq: intish(1, 2 ** 40),
    tsMs: fc.oneof(intish(946_684_800_000, 2_000_000_000_000), fc.constant(32_503_680_000_001)),
    metrics: fc.oneof({ arbitrary: fc.array(sampleArb, { maxLength: 6 }), weight: 10 }, fc.constant({})),
    extra: fc.option(fc.string(), { nil: undefined, freq: 10 }),
  })
  .map(({ seq, tsMs, metrics, extra }) => {
    const r: Record<string, unknown> = { type: 'report', v: 1, seq, tsMs, metrics };
    if (extra !== undefined) r.deviceId = extra;
    // Through JSON, as frames arrive (no undefined, no NaN).
    return JSON.parse(JSON.stringify(r)) as Record<string, unknown>;
  });

describe('report fast path', () => {
  it('accepts only what the zod schema accepts, unchanged', () => {
    let fastAccepted = 0;
    fc.assert(
      fc.property(reportArb, (raw) => {
        const fast = isValidReportFast(raw);
        const slow = reportSchema.safeParse(raw);
        if (fast) {
          fastAccepted++;
          expect(slow.success).toBe(true);
          expect(slow.data).toEqual(raw);
        }
      }),
      { numRuns: 3_000 },
    );
    // The generator makes a valid report ~2–3 % of the time (≈ 60–90 of 3,000 runs): enough that
    // the accept path is exercised, without a bound that an unlucky draw of the same odds misses.
    expect(fastAccepted).toBeGreaterThan(20);
  });

  it('takes every well-formed report (no silent fallback to the slow path)', () => {
    const good = {
      type: 'report',
      v: 1,
      seq: 7,
      tsMs: 1_800_000_000_000,
      metrics: [
        { name: 'cpu.loadPct', value: 12.5 },
        { name: 'fs.usedPct', labels: { mount: '/' }, value: 40 },
        { name: 'net.rxBytesPerSec', labels: { iface: 'eth0' }, value: 1e6 },
      ],
    };
    expect(isValidReportFast(good)).toBe(true);
    expect(isValidReportFast({ ...good, metrics: [{ name: 'fs.usedPct', value: 1 }] })).toBe(false);
    expect(isValidReportFast(JSON.parse('{"type":"report","v":1,"seq":1,"tsMs":1800000000000,"metrics":[],"__proto__":{}}'))).toBe(false);
  });
});
