/**
 * The file on disk matches what it holds (docs/STORAGE.md "The file on disk"): a new database is
 * INCREMENTAL, and after compaction and retention delete, the storage upkeep's bounded
 * incremental-vacuum steps empty the free list and the checkpointer's checkpoint cuts the file.
 * Real SQLite files in temp dirs, the real compactor, retention, upkeep and checkpointer thread.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../server/store/database.js';
import { startCheckpointer } from '../../server/store/checkpointer.js';
import { autoVacuumMode, incrementalVacuum, pageStats } from '../../server/store/vacuum.js';
import { createStorageUpkeep, DEFAULT_VACUUM_PAGES, type StorageUpkeepOptions } from '../../server/series/index.js';
import type { Sample } from '../../shared/protocol.js';
import { createStorageFixture, type StorageFixture } from './storage-fixture.js';

const T0 = Date.UTC(2026, 0, 5);
const HOUR = 3_600_000;
const policy = { rawMs: 3 * HOUR, rollup1mMs: 6 * HOUR, rollup1hMs: 30 * 24 * HOUR };
const silent = pino({ level: 'silent' });

const freeList = (db: Db) => db.pragma('freelist_count', { simple: true }) as number;
const fileSize = (db: Db) => statSync(db.name).size;

/** 3 hours of 10-second reports of 40 series for `devices` devices, written as ingest does (head rows). */
function fill(f: StorageFixture, devices: number): void {
  const ids = Array.from({ length: devices }, (_, i) => f.addDevice(`h${i}`));
  f.clock.nowMs = T0 + 3 * HOUR;
  const insert = f.db.transaction((d: string, n: number) => {
    for (let i = 0; i < 360; i++) {
      const t = n * 360 + i;
      const samples: Sample[] = Array.from({ length: 40 }, (_, k) => ({
        name: 'disk.usedPct',
        labels: { mount: `/m${k}` },
        value: ((t * 7 + k * 13) % 9973) / 100,
      }));
      f.metrics.insertReport(d, t + 1, T0 + t * 10_000 + (i % 7), samples);
    }
  });
  for (const d of ids) for (let n = 0; n < 3; n++) insert(d, n);
  f.db.pragma('wal_checkpoint(TRUNCATE)');
}

function upkeepOf(f: StorageFixture, opts: Partial<StorageUpkeepOptions> = {}) {
  return createStorageUpkeep({
    db: f.db,
    compactor: f.compactor,
    retention: f.retention,
    logger: silent,
    now: () => f.clock.nowMs,
    budgetMs: 10_000,
    pruneEveryTicks: 1,
    vacuumAbovePages: 64,
    ...opts,
  });
}

/** Waits until `check` holds, polling (the checkpointer thread works on its own clock). */
async function until(check: () => boolean, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

describe('auto_vacuum and the upkeep that gives free pages back', () => {
  let f: StorageFixture | undefined;
  let dir: string | undefined;
  afterEach(() => {
    f?.close();
    f = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('creates a new database with auto_vacuum = INCREMENTAL, and keeps it on reopening', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'qp-av-'));
    const db = openDatabase(dir);
    expect(db.pragma('auto_vacuum', { simple: true })).toBe(2);
    expect(autoVacuumMode(db)).toBe('incremental');
    db.close();
    const again = openDatabase(dir);
    expect(autoVacuumMode(again)).toBe('incremental');
    again.close();
  });

  it('shrinks the file on disk after compaction and retention delete: free list to 0, cut by the checkpointer', async () => {
    f = createStorageFixture(T0, policy);
    fill(f, 20);
    const full = fileSize(f.db);
    const upkeep = upkeepOf(f);
    // Compaction retires every head row, then retention drops the raw blocks (older than 3 h).
    f.clock.nowMs = T0 + 7 * HOUR;
    for (let i = 0; i < 200 && (i < 2 || upkeep.stats().isReclaiming); i++) upkeep.tickNow();
    expect(f.db.prepare('SELECT count(*) FROM head_reports').pluck().get()).toBe(0);
    expect(f.db.prepare('SELECT count(*) FROM raw_blocks').pluck().get()).toBe(0);
    expect(upkeep.stats().pagesReleased).toBeGreaterThan(500);
    expect(freeList(f.db)).toBe(0);
    const { pageCount, pageSize } = pageStats(f.db);
    // The WAL holds the commit that made the file smaller; the checkpointer's PASSIVE checkpoint
    // copies it back and truncates the main file to the size that commit recorded.
    const stop = startCheckpointer(f.db, silent, 25);
    try {
      expect(await until(() => fileSize(f!.db) === pageCount * pageSize)).toBe(true);
    } finally {
      await stop();
    }
    const after = fileSize(f.db);
    expect(after).toBeLessThan(full * 0.5);
    process.stdout.write(`auto-vacuum test: file ${full} → ${after} bytes after upkeep + checkpoint\n`);
  }, 60_000);

  it('leaves the file at its high-water mark without the reclaim step (the control)', async () => {
    f = createStorageFixture(T0, policy);
    fill(f, 20);
    const full = fileSize(f.db);
    const upkeep = upkeepOf(f, { vacuumAbovePages: Number.MAX_SAFE_INTEGER });
    f.clock.nowMs = T0 + 7 * HOUR;
    for (let i = 0; i < 5; i++) upkeep.tickNow();
    expect(f.db.prepare('SELECT count(*) FROM head_reports').pluck().get()).toBe(0);
    expect(upkeep.stats().pagesReleased).toBe(0);
    expect(freeList(f.db)).toBeGreaterThan(500);
    const stop = startCheckpointer(f.db, silent, 25);
    await new Promise((r) => setTimeout(r, 200));
    await stop();
    expect(fileSize(f.db)).toBeGreaterThanOrEqual(full);
  }, 60_000);

  it('releases at most its page budget per step, and nothing below the threshold', () => {
    f = createStorageFixture(T0, policy);
    fill(f, 10);
    f.clock.nowMs = T0 + 3 * HOUR + 5 * 60_000;
    // Compact with a pass that never reclaims, so the steps below start from a full free list.
    upkeepOf(f, { vacuumAbovePages: Number.MAX_SAFE_INTEGER }).tickNow();
    const start = freeList(f.db);
    expect(start).toBeGreaterThan(300);
    // Above the free list: nothing happens.
    const idle = upkeepOf(f, { vacuumAbovePages: start, vacuumPages: 50 });
    idle.tickNow();
    expect([freeList(f.db), idle.stats().vacuumSteps]).toEqual([start, 0]);

    const upkeep = upkeepOf(f, { vacuumAbovePages: 100, vacuumPages: 50 });
    const drops: number[] = [];
    for (let i = 0; i < 100 && freeList(f.db) > 0; i++) {
      const before = freeList(f.db);
      upkeep.tickNow();
      drops.push(before - freeList(f.db));
    }
    expect(freeList(f.db)).toBe(0);
    expect(Math.max(...drops)).toBe(50);
    expect(drops.every((d) => d > 0 && d <= 50)).toBe(true);
    // Once started it runs to an empty free list, below the threshold too (no file left 100 pages fat).
    expect(drops.length).toBe(Math.ceil(start / 50));
  }, 60_000);

  it('a step of the default budget is short (measured, printed)', () => {
    f = createStorageFixture(T0, policy);
    fill(f, 20);
    f.clock.nowMs = T0 + 7 * HOUR;
    const upkeep = upkeepOf(f, { vacuumAbovePages: Number.MAX_SAFE_INTEGER });
    for (let i = 0; i < 3; i++) upkeep.tickNow();
    const ms: number[] = [];
    while (freeList(f.db) > DEFAULT_VACUUM_PAGES) {
      const t = performance.now();
      expect(incrementalVacuum(f.db, DEFAULT_VACUUM_PAGES)).toBe(DEFAULT_VACUUM_PAGES);
      ms.push(performance.now() - t);
    }
    ms.sort((a, b) => a - b);
    process.stdout.write(
      `incremental_vacuum(${DEFAULT_VACUUM_PAGES}): ${ms.length} steps, median ${ms[ms.length >> 1]!.toFixed(1)} ms, max ${ms.at(-1)!.toFixed(1)} ms\n`,
    );
    expect(ms.length).toBeGreaterThan(0);
    // Generous for a shared test machine; the figure in storage-upkeep.ts is the measured one.
    expect(ms[ms.length >> 1]!).toBeLessThan(100);
  }, 60_000);
});
