import { afterEach, describe, expect, it } from 'vitest';
import { createStorageFixture, type StorageFixture } from './storage-fixture.js';

const T0 = Date.UTC(2026, 0, 5);
const HOUR = 3_600_000;
const policy = { rawMs: 3 * HOUR, rollup1mMs: 6 * HOUR, rollup1hMs: 30 * 24 * HOUR };

describe('retention', () => {
  let f: StorageFixture;
  afterEach(() => f.close());

  function fill(devices: number, hours: number): string[] {
    f = createStorageFixture(T0, policy);
    const ids = Array.from({ length: devices }, (_, i) => f.addDevice(`h${i}`));
    f.db.transaction(() => {
      for (const d of ids) for (let i = 0; i < hours * 60; i++) f.metrics.insertReport(d, i + 1, T0 + i * 60_000, [{ name: 'cpu.loadPct', value: i % 100 }]);
    })();
    f.clock.nowMs = T0 + hours * HOUR + 5 * 60_000;
    f.compactor.compactAll();
    return ids;
  }
  const starts = (table: string, d: string) =>
    (f.db.prepare(`SELECT start_ms FROM ${table} WHERE device_id = ? ORDER BY start_ms`).all(d) as { start_ms: number }[]).map((r) => r.start_ms);

  it('deletes only whole blocks past each tier’s cutoff, a few devices per step', () => {
    const ids = fill(3, 10);
    const now = f.clock.nowMs;
    expect(starts('raw_blocks', ids[0]!)).toHaveLength(10);
    // One device per tier per step: after one step only the first device lost raw blocks.
    const first = f.db.transaction(() => f.retention.step(1))();
    expect(first).toBeGreaterThan(0);
    expect(starts('raw_blocks', ids.slice().sort()[0]!).length).toBeLessThan(10);
    expect(ids.filter((d) => starts('raw_blocks', d).length === 10)).toHaveLength(2);
    while (f.db.transaction(() => f.retention.step(1))() > 0);
    for (let round = 0; round < 3; round++) f.db.transaction(() => f.retention.step(1))();
    for (const d of ids) {
      for (const s of starts('raw_blocks', d)) expect(s + HOUR).toBeGreaterThan(now - policy.rawMs);
      for (const s of starts('rollup_1m_blocks', d)) expect(s + HOUR).toBeGreaterThan(now - policy.rollup1mMs);
      expect(starts('raw_blocks', d).length).toBe(3);
      expect(starts('rollup_1m_blocks', d).length).toBe(6);
      expect(starts('rollup_1h_blocks', d)).toEqual([T0]);
    }
  });

  it('answers a range whose raw data is pruned from rollups, and does not store reports already past retention', () => {
    const [d] = fill(1, 10);
    while (f.db.transaction(() => f.retention.step(10))() > 0);
    // 1000 points over 5 h asks for raw values, but those are pruned before 7 h: 1-minute rollups.
    const q = f.metrics.query(d!, 'cpu.loadPct', T0 + 5 * HOUR, T0 + 10 * HOUR, 1000);
    expect(q.resolutionMs).toBe(60_000);
    expect(q.series[0]!.points).toHaveLength(300);
    const older = f.metrics.query(d!, 'cpu.loadPct', T0, T0 + 10 * HOUR, 9);
    expect(older.resolutionMs).toBe(3_600_000);
    expect(older.series[0]!.points[0]!.tsMs).toBe(T0);
    expect(f.db.transaction(() => f.metrics.insertReport(d!, 9_999, T0, [{ name: 'cpu.loadPct', value: 1 }]))()).toBe(0);
  });
});
