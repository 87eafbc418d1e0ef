import { afterEach, describe, expect, it } from 'vitest';
import type { Sample } from '../../shared/protocol.js';
import { createStorageFixture, type StorageFixture } from './storage-fixture.js';

const T0 = Date.UTC(2026, 0, 5); // an hour (and day) boundary
const MIN = 60_000;
const HOUR = 3_600_000;

/** Deterministic report i (every 10 s from T0); the disk series is missing every 7th report. */
function samplesAt(i: number): Sample[] {
  const s: Sample[] = [
    { name: 'cpu.loadPct', value: ((i * 37) % 100) + 0.25 },
    { name: 'mem.usedBytes', value: 8_000_000_000 + ((i * 7919) % 1_000_000) * 1024 },
  ];
  if (i % 7 !== 0) s.push({ name: 'fs.usedPct', labels: { mount: '/' }, value: 50 + (i % 13) / 4 });
  return s;
}

function insert(f: StorageFixture, deviceId: string, reports: { seq: number; tsMs: number; samples: Sample[] }[]): void {
  f.db.transaction(() => {
    for (const r of reports) f.metrics.insertReport(deviceId, r.seq, r.tsMs, r.samples);
  })();
}

/** Expected min/max/avg/count per bucket from the generated values. */
function expectedBuckets(points: { tsMs: number; value: number }[], bucketMs: number) {
  const m = new Map<number, { min: number; max: number; sum: number; count: number }>();
  for (const p of points) {
    const b = Math.floor(p.tsMs / bucketMs) * bucketMs;
    const e = m.get(b) ?? { min: Infinity, max: -Infinity, sum: 0, count: 0 };
    e.min = Math.min(e.min, p.value);
    e.max = Math.max(e.max, p.value);
    e.sum += p.value;
    e.count++;
    m.set(b, e);
  }
  return [...m.entries()].sort((a, b) => a[0] - b[0]).map(([tsMs, e]) => ({ tsMs, min: e.min, max: e.max, avg: e.sum / e.count }));
}

describe('rollups', () => {
  let f: StorageFixture;
  afterEach(() => f.close());

  const reports = Array.from({ length: 3 * 360 }, (_, i) => ({ seq: i + 1, tsMs: T0 + i * 10_000, samples: samplesAt(i) }));
  const cpuPoints = reports.map((r) => ({ tsMs: r.tsMs, value: r.samples[0]!.value }));
  const diskPoints = reports.flatMap((r) => (r.samples[2] ? [{ tsMs: r.tsMs, value: r.samples[2].value }] : []));

  function setUp(): string {
    f = createStorageFixture(T0);
    const d = f.addDevice();
    insert(f, d, reports);
    return d;
  }

  it('moves closed hours from head rows into blocks without losing a value', () => {
    const d = setUp();
    const total = f.metrics.countRawValues();
    expect(total).toBe(reports.reduce((n, r) => n + r.samples.length, 0));
    f.clock.nowMs = T0 + 2 * HOUR + 3 * 60_000; // hour 2 (ends at 3 h) is still open
    expect(f.compactor.compactAll()).toBe(2);
    expect(f.metrics.readHead(d, T0, T0 + 3 * HOUR)).toHaveLength(360);
    f.clock.nowMs = T0 + 3 * HOUR + 3 * MIN;
    expect(f.compactor.compactAll()).toBe(1);
    expect(f.metrics.readHead(d, T0, T0 + 3 * HOUR)).toHaveLength(0);
    expect(f.metrics.countRawValues()).toBe(total);
    // Raw query returns every value exactly as stored.
    const raw = f.metrics.query(d, 'cpu.loadPct', T0, T0 + 3 * HOUR, 3 * 360);
    expect(raw.resolutionMs).toBe(0);
    expect(raw.series[0]!.points.map((p) => [p.tsMs, p.avg])).toEqual(cpuPoints.map((p) => [p.tsMs, p.value]));
  });

  it('serves each resolution with the exact min/max/avg of its buckets, from blocks and head rows alike', () => {
    const d = setUp();
    const check = () => {
      const m = f.metrics.query(d, 'cpu.loadPct', T0, T0 + 3 * HOUR, 180);
      expect(m.resolutionMs).toBe(MIN);
      const got = m.series[0]!.points;
      const want = expectedBuckets(cpuPoints, MIN);
      expect(got.map((p) => [p.tsMs, p.min, p.max])).toEqual(want.map((p) => [p.tsMs, p.min, p.max]));
      got.forEach((p, i) => expect(p.avg).toBeCloseTo(want[i]!.avg, 9));
      const h = f.metrics.query(d, 'fs.usedPct', T0, T0 + 3 * HOUR, 3);
      expect(h.resolutionMs).toBe(HOUR);
      const wantH = expectedBuckets(diskPoints, HOUR);
      expect(h.series[0]!.points.map((p) => [p.tsMs, p.min, p.max])).toEqual(wantH.map((p) => [p.tsMs, p.min, p.max]));
      h.series[0]!.points.forEach((p, i) => expect(p.avg).toBeCloseTo(wantH[i]!.avg, 9));
    };
    check(); // all still head rows
    f.clock.nowMs = T0 + 2 * HOUR + 3 * MIN;
    f.compactor.compactAll();
    check(); // two hours in blocks, one in head rows
    f.clock.nowMs = T0 + 3 * HOUR + 3 * MIN;
    f.compactor.compactAll();
    check(); // all in blocks
  });

  it('neither loses nor double-counts across a restart, a failed compaction, and late data', () => {
    const d = setUp();
    f.clock.nowMs = T0 + 3 * HOUR + 3 * MIN;
    // A compaction that dies half-way leaves the head rows and no blocks.
    expect(() =>
      f.db.transaction(() => {
        f.compactor.compactWindow(d, T0);
        throw new Error('power cut');
      })(),
    ).toThrow('power cut');
    expect(f.metrics.tables.raw.get(d, T0)).toBeUndefined();
    expect(f.metrics.readHead(d, T0, T0 + HOUR)).toHaveLength(360);
    f.compactor.compactAll();
    f = f.reopen();
    // Compacting again after the restart changes nothing.
    expect(f.compactor.compactAll()).toBe(0);
    // A report replayed from an agent's spool lands in an hour that is already compacted.
    const late = { seq: 5_000, tsMs: T0 + HOUR + 5_000, samples: [{ name: 'cpu.loadPct', value: 99.5 }] as Sample[] };
    insert(f, d, [late]);
    expect(f.compactor.compactAll()).toBe(1);
    expect(f.compactor.compactAll()).toBe(0);
    const all = [...cpuPoints, { tsMs: late.tsMs, value: 99.5 }].sort((a, b) => a.tsMs - b.tsMs);
    const m = f.metrics.query(d, 'cpu.loadPct', T0, T0 + 3 * HOUR, 180).series[0]!.points;
    const want = expectedBuckets(all, MIN);
    expect(m.map((p) => [p.tsMs, p.min, p.max])).toEqual(want.map((p) => [p.tsMs, p.min, p.max]));
    m.forEach((p, i) => expect(p.avg).toBeCloseTo(want[i]!.avg, 9));
    const h = f.metrics.query(d, 'cpu.loadPct', T0, T0 + 3 * HOUR, 3).series[0]!.points;
    expect(h.map((p) => p.avg)).toEqual(expectedBuckets(all, HOUR).map((p) => expect.closeTo(p.avg, 9)));
    expect(f.metrics.countRawValues()).toBe(reports.reduce((n, r) => n + r.samples.length, 0) + 1);
  });

  it('keeps a replayed report with the same timestamp once (later seq wins)', () => {
    f = createStorageFixture(T0);
    const d = f.addDevice();
    insert(f, d, [
      { seq: 1, tsMs: T0 + 1_000, samples: [{ name: 'cpu.loadPct', value: 10 }] },
      { seq: 1, tsMs: T0 + 1_000, samples: [{ name: 'cpu.loadPct', value: 10 }] },
    ]);
    f.clock.nowMs = T0 + HOUR + 3 * MIN;
    f.compactor.compactAll();
    expect(f.metrics.countRawValues()).toBe(1);
  });
});
