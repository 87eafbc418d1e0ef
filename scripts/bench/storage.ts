/**
 * Storage figures. Bytes per value are measured on the SQLite file itself:
 *   whole file: (page_count − freelist_count) × page_size / values stored at raw resolution
 *   one table:  Σ pgsize over its b-tree pages (dbstat) / its values
 * so every byte of b-tree overhead, page slack and row headers is counted, not just payloads.
 */
import type Database from 'better-sqlite3';
import type { Sample } from '../../shared/protocol.js';
import { openDatabase } from '../../server/store/database.js';
import { createClientStore } from '../../server/store/clients.js';
import { createDeviceStore } from '../../server/store/devices.js';
import { createMetricStore } from '../../server/series/metrics.js';
import { createCompactor } from '../../server/series/compactor.js';
import { DAY_MS, DEFAULT_RETENTION } from '../../server/series/retention-policy.js';
import { MachineModel } from '../sim/value-model.js';

/** Used bytes of the database file. */
export function dbBytes(db: Database.Database): number {
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const pages = db.pragma('page_count', { simple: true }) as number;
  const free = db.pragma('freelist_count', { simple: true }) as number;
  return (pages - free) * pageSize;
}

/** Bytes of the b-tree pages of one table (dbstat). */
export function tableBytes(db: Database.Database, table: string): number {
  return (db.prepare('SELECT coalesce(sum(pgsize), 0) AS b FROM dbstat WHERE name = ?').get(table) as { b: number }).b;
}

export interface HistoryResult {
  devices: number;
  days: number;
  reports: number;
  rawValues: number;
  /** Raw tier only: raw_blocks pages / raw values. */
  rawBytesPerValue: number;
  /** 1-minute and 1-hour rollup tables, per raw value they summarize. */
  rollupBytesPerRawValue: number;
  /** Whole file (raw + rollups + series + devices + …) / raw values. */
  fileBytesPerValue: number;
  generateSeconds: number;
  compactSeconds: number;
  deviceIds: string[];
}

/**
 * Writes `days` of 10-second reports for `devices` machines into the database in `dataDir`
 * through the real store (head rows, then the compactor), as if they had been ingested over
 * that time, and measures the result. Raw retention is stretched for the generation so the
 * whole history is there to measure; a server started on it later prunes by its own policy.
 */
export function generateHistory(opts: {
  dataDir: string;
  devices: number;
  days: number;
  nowMs: number;
  /** Sees every report as generated (the storage-peers section stores the same samples in peers). */
  onReport?: (device: number, tsMs: number, samples: readonly Sample[]) => void;
  /** Timer drift of each report in ms, 0..jitterMs (default 40; 0 = perfectly regular timestamps). */
  jitterMs?: number;
}): HistoryResult {
  const db = openDatabase(opts.dataDir);
  const clients = createClientStore(db);
  const devices = createDeviceStore(db);
  let clock = opts.nowMs;
  const retention = { ...DEFAULT_RETENTION, rawMs: Math.max(DEFAULT_RETENTION.rawMs, (opts.days + 1) * DAY_MS) };
  const metrics = createMetricStore(db, { now: () => clock, retention });
  const compactor = createCompactor({ db, metrics, now: () => clock });
  const client = clients.findByName('History') ?? clients.create({ name: 'History', contract: 'monthly' }, 0);
  const deviceIds = Array.from(
    { length: opts.devices },
    (_, i) =>
      devices.enroll({ clientId: client.id, hostname: `history-${i}`, machineId: `history-${i}`, deviceToken: `qpd_h${i}_${Math.random()}` }, 0).device.id,
  );
  const start = opts.nowMs - opts.days * DAY_MS;
  const end = opts.nowMs - 2 * 3_600_000;
  const g0 = performance.now();
  let reports = 0;
  const jitterMs = opts.jitterMs ?? 40;
  const insertDay = db.transaction((device: number, deviceId: string, model: MachineModel, from: number, to: number, seq0: number) => {
    let seq = seq0;
    let last = from;
    for (let t = from; t < to; t += 10_000) {
      // Timers drift: a collector fires a few ms late, differently each time.
      const ts = t + Math.floor(Math.random() * jitterMs);
      const samples = model.next(ts - last);
      metrics.insertReport(deviceId, ++seq, ts, samples);
      opts.onReport?.(device, ts, samples);
      last = ts;
    }
    return seq;
  });
  deviceIds.forEach((deviceId, i) => {
    const model = new MachineModel(900 + i);
    let seq = 0;
    for (let t = start; t < end; t += DAY_MS) {
      const before = seq;
      seq = insertDay(i, deviceId, model, t, Math.min(end, t + DAY_MS), seq);
      reports += seq - before;
    }
  });
  const generateSeconds = (performance.now() - g0) / 1000;
  const c0 = performance.now();
  compactor.compactAll(100);
  const compactSeconds = (performance.now() - c0) / 1000;
  db.pragma('wal_checkpoint(TRUNCATE)');
  const rawValues = metrics.countRawValues();
  const result: HistoryResult = {
    devices: opts.devices,
    days: opts.days,
    reports,
    rawValues,
    rawBytesPerValue: tableBytes(db, 'raw_blocks') / rawValues,
    rollupBytesPerRawValue: (tableBytes(db, 'rollup_1m_blocks') + tableBytes(db, 'rollup_1h_blocks')) / rawValues,
    fileBytesPerValue: dbBytes(db) / rawValues,
    generateSeconds,
    compactSeconds,
    deviceIds,
  };
  void clock;
  clock = opts.nowMs;
  db.close();
  return result;
}
