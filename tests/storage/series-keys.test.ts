/**
 * The hot path's series keys and label JSON (looked up, not built per sample) and its head rows
 * (written without a map and a sort when a report's series ascend) against the general forms.
 */
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { METRICS, formatSeriesKey, oneLabelJsonOf, seriesKeyOf } from '../../shared/metrics.js';
import { canonicalLabels } from '../../server/series/metrics.js';
import { createStorageFixture, type StorageFixture } from './storage-fixture.js';

const T0 = Date.UTC(2026, 10, 2, 9, 0, 0);

/** A sample the protocol accepts: its metric's label keys and no others, in a null-prototype object as decoded. */
const validSample = fc.tuple(fc.constantFrom(...METRICS), fc.string({ minLength: 1, maxLength: 20 }), fc.boolean()).map(([def, value, isNullPrototype]) => {
  if (def.labelKeys.length === 0) return { name: def.name, labels: undefined };
  const labels: Record<string, string> = isNullPrototype ? (Object.create(null) as Record<string, string>) : {};
  for (const k of def.labelKeys) labels[k] = value;
  return { name: def.name, labels };
});

describe('series keys of accepted samples', () => {
  it('are the formatted key and the canonical label JSON, every time', () => {
    fc.assert(
      fc.property(fc.array(validSample, { minLength: 1, maxLength: 20 }), (samples) => {
        // Twice: built the first time, looked up the second.
        for (let round = 0; round < 2; round++) {
          for (const s of samples) {
            expect(seriesKeyOf(s.name, s.labels)).toBe(formatSeriesKey(s.name, s.labels));
            if (s.labels) expect(oneLabelJsonOf(s.name, s.labels)).toBe(canonicalLabels(s.labels));
            else expect(oneLabelJsonOf(s.name, s.labels)).toBeUndefined();
          }
        }
      }),
    );
  });

  it('leaves label sets the memo does not know to the general forms', () => {
    expect(seriesKeyOf('fs.usedPct', {})).toBe(formatSeriesKey('fs.usedPct', {}));
    expect(seriesKeyOf('no.suchMetric', { b: '2', a: '1' })).toBe('no.suchMetric{a=1,b=2}');
    expect(oneLabelJsonOf('no.suchMetric', { a: '1' })).toBeUndefined();
    expect(oneLabelJsonOf('cpu.loadPct', {})).toBeUndefined();
    expect(oneLabelJsonOf('fs.usedPct', { iface: 'eth0' })).toBeUndefined();
  });

  it('does not let an odd first label set decide the key of a value', () => {
    const odd = { mount: '/odd', zone: 'x' };
    expect(seriesKeyOf('fs.sizeBytes', { mount: '/odd' })).toBe('fs.sizeBytes{mount=/odd}');
    seriesKeyOf('fs.sizeBytes', odd);
    expect(seriesKeyOf('fs.sizeBytes', { mount: '/odd' })).toBe('fs.sizeBytes{mount=/odd}');
  });
});

describe('head rows of a report', () => {
  let f: StorageFixture;
  afterEach(() => f.close());

  it('hold one value per series, ascending, whatever the order and repeats of the samples', () => {
    f = createStorageFixture(T0);
    const d = f.addDevice();
    const write = (seq: number, samples: { name: string; labels?: Record<string, string>; value: number }[]) =>
      f.db.transaction(() => f.metrics.insertReport(d, seq, T0 + seq * 1_000, samples))();
    // First report: series 1..3 in this order.
    expect(
      write(1, [
        { name: 'cpu.loadPct', value: 10 },
        { name: 'fs.usedPct', labels: { mount: '/' }, value: 50 },
        { name: 'mem.usedPct', value: 20 },
      ]),
    ).toBe(3);
    // Reversed, a new series in between and a repeated one (the last value wins).
    expect(
      write(2, [
        { name: 'mem.usedPct', value: 21 },
        { name: 'fs.usedPct', labels: { mount: '/data' }, value: 70 },
        { name: 'fs.usedPct', labels: { mount: '/' }, value: 51 },
        { name: 'cpu.loadPct', value: 11 },
        { name: 'mem.usedPct', value: 22 },
      ]),
    ).toBe(4);
    const [first, second] = f.metrics.readHead(d, T0, T0 + 10_000);
    expect(first!.values).toEqual([10, 50, 20]);
    const ids = second!.seriesIds;
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(new Set(ids).size).toBe(4);
    expect(second!.values).toEqual([11, 51, 22, 70]);
  });
});
