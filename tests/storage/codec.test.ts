import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ByteReader, ByteWriter } from '../../server/series/codec/bytes.js';
import { commonDecimals, readColumn, writeColumn } from '../../server/series/codec/column.js';
import { decodeBlock, encodeBlock, type Block } from '../../server/series/codec/block.js';
import { decodeReport, encodeReport } from '../../server/series/codec/report.js';
import { quantize } from '../../server/series/quantize.js';

const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => (v === 0 ? 0 : v));
/** Values shaped like stored metrics: quantized decimals, random walks, constants, huge bytes. */
const metricLike = fc.oneof(
  fc.array(finite, { maxLength: 50 }),
  fc
    .tuple(
      fc.integer({ min: 0, max: 6 }),
      fc.double({ min: -1e6, max: 1e6, noNaN: true }),
      fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { maxLength: 400 }),
    )
    .map(([d, start, steps]) => {
      let v = start;
      return steps.map((s) => quantize((v += s), d));
    }),
  fc.tuple(fc.integer({ min: 0, max: 2 ** 47 }), fc.integer({ min: 1, max: 400 })).map(([v, n]) => new Array<number>(n).fill(v)),
  fc.array(fc.integer({ min: -(2 ** 48), max: 2 ** 48 }), { maxLength: 100 }),
);

function roundTripColumn(values: number[]): number[] {
  const w = new ByteWriter(8);
  writeColumn(w, values);
  const r = new ByteReader(w.finish());
  const out = readColumn(r, values.length);
  expect(r.isAtEnd).toBe(true);
  return out;
}

describe('storage encodings', () => {
  it('varints and zigzags round-trip up to 2^52', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -(2 ** 52) + 1, max: 2 ** 52 - 1 })), (xs) => {
        const w = new ByteWriter(1);
        for (const x of xs) w.zigzag(x);
        const r = new ByteReader(w.finish());
        expect(xs.map(() => r.zigzag())).toEqual(xs);
      }),
    );
  });

  it('a column decodes to exactly the numbers encoded (any finite doubles)', () => {
    fc.assert(
      fc.property(metricLike, (values) => {
        expect(roundTripColumn(values)).toEqual(values);
      }),
      { numRuns: 500 },
    );
  });

  it('finds the fewest decimals that represent every value', () => {
    expect(commonDecimals([1, 2, 3])).toBe(0);
    expect(commonDecimals([1.5, 2.25])).toBe(2);
    expect(commonDecimals([0.1, 0.2, 0.3])).toBe(1);
    expect(commonDecimals([Math.PI])).toBe(-1);
    expect(commonDecimals([2 ** 50])).toBe(-1);
  });

  it('stores a quantized random walk in under 2 bytes per value and a constant in almost nothing', () => {
    let v = 40;
    const walk = Array.from({ length: 360 }, () => quantize((v += Math.sin(v) * 3), 2));
    const w = new ByteWriter();
    writeColumn(w, walk);
    expect(w.length / walk.length).toBeLessThan(2.5);
    const c = new ByteWriter();
    writeColumn(c, new Array(360).fill(17_179_869_184));
    expect(c.length).toBeLessThan(16);
  });

  it('a block with many random series, gaps and columns round-trips, and skips unwanted series', () => {
    const blockArb = fc
      .tuple(
        fc.uniqueArray(fc.integer({ min: 1_700_000_000_000, max: 1_700_000_000_000 + 3_600_000 }), { minLength: 1, maxLength: 60 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 1, maxLength: 30 }),
        fc.constantFrom(1, 4),
        fc.integer(),
      )
      .map(([tsList, ids, columnCount, seed]): Block => {
        const timestamps = tsList.sort((a, b) => a - b);
        let s = seed;
        const rnd = () => (s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
        const series = ids
          .sort((a, b) => a - b)
          .map((seriesId) => {
            const isFull = rnd() < 0.5;
            const present = isFull ? null : Uint8Array.from(timestamps, () => (rnd() < 0.7 ? 1 : 0));
            const k = present ? present.reduce((a, b) => a + b, 0) : timestamps.length;
            const columns = Array.from({ length: columnCount }, () =>
              Array.from({ length: k }, () => (rnd() < 0.5 ? quantize(rnd() * 1000, 2) : rnd() * 1e12)),
            );
            return { seriesId, present, columns };
          });
        return { columnCount, timestamps, series };
      });
    fc.assert(
      fc.property(blockArb, (block) => {
        const normalized = { ...block, series: block.series.map((s) => ({ ...s, present: s.present && s.present.every((p) => p === 1) ? null : s.present })) };
        expect(decodeBlock(encodeBlock(block))).toEqual(normalized);
        const wanted = new Set(block.series.filter((_, i) => i % 2 === 0).map((s) => s.seriesId));
        const partial = decodeBlock(encodeBlock(block), (id) => wanted.has(id));
        expect(partial.series.map((s) => s.seriesId)).toEqual([...wanted]);
      }),
      { numRuns: 200 },
    );
  });

  it('a report row round-trips', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 2 ** 40 }), { maxLength: 100 }),
        fc.array(finite, { minLength: 100, maxLength: 100 }),
        (ids, vals) => {
          ids.sort((a, b) => a - b);
          const values = vals.slice(0, ids.length);
          expect(decodeReport(encodeReport(ids, values))).toEqual({ seriesIds: ids, values });
        },
      ),
    );
  });

  it('quantizes by unit precision, leaving huge values alone', () => {
    expect(quantize(12.345678, 2)).toBe(12.35);
    expect(quantize(-0.001, 2)).toBe(0);
    expect(Object.is(quantize(-0.001, 2), 0)).toBe(true);
    expect(quantize(1e20, 0)).toBe(1e20);
  });
});
