/**
 * Writer capacity, and its baseline: the same reports (same devices, same values) written
 *  (a) by a bare better-sqlite3 loop: one prepared INSERT per value into the naive
 *      samples(series_id, ts_ms, value) WITHOUT ROWID table, one transaction per batch;
 *  (b) by our ingest (dedupe by stream seq, compact head rows, latest values, stream seq),
 *      with the same transaction size.
 * Both on a fresh file with WAL and synchronous=FULL. Also reports the bytes per value of each.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { Report } from '../../shared/protocol.js';
import { formatSeriesKey } from '../../shared/metrics.js';
import { openDatabase } from '../../server/store/database.js';
import { createClientStore } from '../../server/store/clients.js';
import { createDeviceStore } from '../../server/store/devices.js';
import { createMetricStore } from '../../server/series/metrics.js';
import { createIngest } from '../../server/ingest/ingest.js';
import { MachineModel } from '../sim/value-model.js';
import { dbBytes } from './storage.js';

export interface WriterResult {
  reports: number;
  values: number;
  batchReports: number;
  bare: { seconds: number; valuesPerSec: number; bytesPerValue: number };
  ours: { seconds: number; valuesPerSec: number; bytesPerValue: number };
  ratio: number;
}

export async function benchWriter(opts: { devices: number; reportsPerDevice: number; batchReports: number }): Promise<WriterResult> {
  const t0 = Date.now() - opts.reportsPerDevice * 10_000;
  const reports: { device: number; report: Report }[] = [];
  const models = Array.from({ length: opts.devices }, (_, i) => new MachineModel(500 + i));
  for (let k = 0; k < opts.reportsPerDevice; k++) {
    for (let d = 0; d < opts.devices; d++) {
      reports.push({ device: d, report: { type: 'report', v: 1, seq: k + 1, tsMs: t0 + k * 10_000 + d, metrics: models[d]!.next(10_000) } });
    }
  }
  const values = reports.reduce((n, r) => n + r.report.metrics.length, 0);

  // (a) bare loop
  const bareDir = mkdtempSync(path.join(tmpdir(), 'qp-bench-bare-'));
  const bare = new Database(path.join(bareDir, 'bare.db'));
  bare.pragma('journal_mode = WAL');
  bare.pragma('synchronous = FULL');
  bare.exec('CREATE TABLE samples (series_id INTEGER NOT NULL, ts_ms INTEGER NOT NULL, value REAL NOT NULL, PRIMARY KEY (series_id, ts_ms)) WITHOUT ROWID');
  const ids = new Map<string, number>();
  const rows: [number, number, number][] = [];
  for (const r of reports) {
    for (const s of r.report.metrics) {
      const key = `${r.device}/${s.labels ? formatSeriesKey(s.name, s.labels) : s.name}`;
      let id = ids.get(key);
      if (id === undefined) ids.set(key, (id = ids.size + 1));
      rows.push([id, r.report.tsMs, s.value]);
    }
  }
  const ins = bare.prepare<[number, number, number]>('INSERT INTO samples (series_id, ts_ms, value) VALUES (?, ?, ?)');
  const perBatch = Math.round(rows.length / (reports.length / opts.batchReports));
  const writeRows = bare.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) ins.run(rows[i]![0], rows[i]![1], rows[i]![2]);
  });
  const b0 = performance.now();
  for (let i = 0; i < rows.length; i += perBatch) writeRows(i, Math.min(rows.length, i + perBatch));
  const bareSec = (performance.now() - b0) / 1000;
  bare.pragma('wal_checkpoint(TRUNCATE)');
  const bareBytes = dbBytes(bare);
  bare.close();
  rmSync(bareDir, { recursive: true, force: true });

  // (b) our ingest
  const dir = mkdtempSync(path.join(tmpdir(), 'qp-bench-writer-'));
  const db = openDatabase(dir);
  const clients = createClientStore(db);
  const devices = createDeviceStore(db);
  const client = clients.create({ name: 'bench', contract: 'monthly' }, 0);
  const deviceIds = Array.from(
    { length: opts.devices },
    (_, i) => devices.enroll({ clientId: client.id, hostname: `w${i}`, deviceToken: `qpd_w${i}_${Math.random()}` }, 0).device.id,
  );
  const metrics = createMetricStore(db);
  const ingest = createIngest({ db, devices, metrics, logger: pino({ level: 'silent' }), now: () => Date.now(), maxBatch: opts.batchReports, maxDelayMs: 1 });
  const o0 = performance.now();
  await new Promise<void>((resolve) => {
    let pending = reports.length;
    for (const r of reports) {
      ingest.submit({ deviceId: deviceIds[r.device]!, streamId: 'bench-stream', report: r.report, receivedAtMs: Date.now() }, () => {
        if (--pending === 0) resolve();
      });
    }
  });
  const oursSec = (performance.now() - o0) / 1000;
  db.pragma('wal_checkpoint(TRUNCATE)');
  const oursBytes = dbBytes(db);
  db.close();
  rmSync(dir, { recursive: true, force: true });

  const bareVps = values / bareSec;
  const oursVps = values / oursSec;
  return {
    reports: reports.length,
    values,
    batchReports: opts.batchReports,
    bare: { seconds: bareSec, valuesPerSec: bareVps, bytesPerValue: bareBytes / values },
    ours: { seconds: oursSec, valuesPerSec: oursVps, bytesPerValue: oursBytes / values },
    ratio: oursVps / bareVps,
  };
}
