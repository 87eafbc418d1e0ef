import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeAgentMessage, isValidReportFast, reportSchema, type Report } from '../../shared/protocol.js';
import { METRICS } from '../../shared/metrics.js';

/** Samples that are valid, or broken in one of the ways agents (or attackers) break them. */
const validSampleArb = fc
  .record({
    def: fc.constantFrom(...METRICS),
    labelValue: fc.string({ minLength: 1, maxLength: 20 }),
    value: fc.double({ noNaN: true, noDefaultInfinity: true }),
  })
  .map(({ def, labelValue, value }) => ({
    name: def.name,
    ...(def.labelKeys.length > 0 ? { labels: Object.fromEntries(def.labelKeys.map((k) => [k, labelValue])) } : {}),
    value,
  }));
const sampleArb = fc.oneof(
  { arbitrary: validSampleArb, weight: 30 },
  fc
    .record({
      def: fc.constantFrom(...METRICS),
      labelValue: fc.oneof(fc.string({ minLength: 1, maxLength: 10 }), fc.constant(''), fc.string({ minLength: 199, maxLength: 202 })),
      value: fc.oneof(fc.double(), fc.constant('1' as unknown as number)),
      extraLabel: fc.boolean(),
      dropLabels: fc.boolean(),
      extraKey: fc.boolean(),
      nullLabels: fc.boolean(),
      // Keys that name prototype machinery; JSON.parse makes them own keys, as a hostile frame does.
      protoKey: fc.option(fc.constantFrom('__proto__', 'constructor', 'prototype'), { nil: undefined }),
    })
    .map(({ def, labelValue, value, extraLabel, dropLabels, extraKey, nullLabels, protoKey }) => {
      const s: Record<string, unknown> = { name: def.name, value };
      if (def.labelKeys.length > 0 && !dropLabels) s.labels = Object.fromEntries(def.labelKeys.map((k) => [k, labelValue]));
      if (extraLabel) s.labels = { ...(s.labels as object), zone: 'x' };
      if (extraKey) s.unit = 'pct';
      if (nullLabels) s.labels = null;
      if (protoKey) {
        const labels = (s.labels && typeof s.labels === 'object' ? s.labels : {}) as object;
        Object.defineProperty(labels, protoKey, { value: labelValue, enumerable: true, configurable: true, writable: true });
        s.labels = labels;
      }
      return s;
    }),
  fc.record({ name: fc.string(), value: fc.double() }),
  fc.anything(),
);
const intish = (min: number, max: number) =>
  fc.oneof({ arbitrary: fc.integer({ min, max }), weight: 10 }, fc.double(), fc.constant(2 ** 53), fc.constant(min - 1));

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
        // Neither path lets a prototype key through, and both hand out labels without a prototype.
        const decoded = decodeAgentMessage(JSON.stringify(raw));
        expect(decoded.ok).toBe(slow.success);
        for (const accepted of [slow.success ? slow.data : undefined, decoded.ok ? (decoded.message as Report) : undefined]) {
          for (const m of accepted?.metrics ?? []) {
            if (!m.labels) continue;
            expect(Object.getPrototypeOf(m.labels)).toBe(null);
            for (const k of ['__proto__', 'constructor', 'prototype']) expect(Object.keys(m.labels)).not.toContain(k);
          }
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

  it('refuses __proto__, constructor and prototype label keys with the code and message of any extra label', () => {
    const frame = (labels: string) => `{"type":"report","v":1,"seq":3,"tsMs":1800000000000,"metrics":[{"name":"fs.usedPct","labels":${labels},"value":1}]}`;
    for (const key of ['zone', '__proto__', 'constructor', 'prototype']) {
      expect(decodeAgentMessage(frame(`{"mount":"/","${key}":"x"}`)), key).toEqual({
        ok: false,
        code: 'UNKNOWN_METRIC',
        message: `metrics.0: metric "fs.usedPct" needs labels [mount] but got [${[key, 'mount'].sort().join(',')}]`,
        seq: 3,
      });
    }
    const ok = decodeAgentMessage(frame('{"mount":"/"}'));
    expect(ok.ok && Object.getPrototypeOf((ok.message as Report).metrics[0]!.labels)).toBe(null);
  });
});
