/**
 * Writer capacity, and its baselines: the same reports (same devices, same values) written
 *  (a) by a bare better-sqlite3 loop writing OUR rows (the fair baseline): per report one
 *      head_reports row with its payload encoded beforehand, per device and batch the devices
 *      latest-values UPDATE and the device_streams upsert — exactly the rows our ingest writes,
 *      in our schema (openDatabase), with none of the ingest's work (no dedupe, no series
 *      resolution, no quantisation or encoding, no latest-values merge);
 *  (a') by a bare loop writing one row per VALUE into the naive samples(series_id, ts_ms, value)
 *      WITHOUT ROWID table (~30× more rows than ours: the old, flattering baseline, kept labelled);
 *  (b) by our ingest (dedupe by stream seq, compact head rows, latest values, stream seq),
 * all with the same transaction size, on fresh files with WAL and synchronous=FULL, each
 * `repeats` times interleaved (a, a', b, a, a', b, …): median and range. Also bytes per value.
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
import { encodeReport } from '../../server/series/codec/report.js';
import { quantize, storedDecimals } from '../../server/series/quantize.js';
import { dbBytes } from './storage.js';

interface WriterRun {
  seconds: number;
  valuesPerSec: number;
  bytesPerValue: number;
}
/** Median run of the repeats, and the range of values/s across them. */
type WriterFigure = WriterRun & { valuesPerSecRange: [number, number]; runs: number };

export interface WriterResult {
  reports: number;
  values: number;
  batchReports: number;
  /** Bare loop, one row per value (naive samples table): ~30× the rows we write. */
  bare: WriterFigure;
  /** Bare loop of our own rows (head row per report + per-batch device/stream rows). */
  bareOwnRows: WriterFigure;
  ours: WriterFigure;
  /** ours / bare (one row per value). */
  ratio: number;
  /** ours / bare loop of our own rows: the fair one. */
  ratioOwnRows: number;
  /** Range of the per-repeat ratio ours / bareOwnRows. */
  ratioOwnRowsRange: [number, number];
}

type GenReport = { device: number; report: Report };

export async function benchWriter(opts: { devices: number; reportsPerDevice: number; batchReports: number; repeats?: number }): Promise<WriterResult> {
  const t0 = Date.now() - opts.reportsPerDevice * 10_000;
  const reports: { device: number; report: Report }[] = [];
  const models = Array.from({ length: opts.devices }, (_, i) => new MachineModel(500 + i));
  for (let k = 0; k < opts.reportsPerDevice; k++) {
    for (let d = 0; d < opts.devices; d++) {
      reports.push({ device: d, report: { type: 'report', v: 1, seq: k + 1, tsMs: t0 + k * 10_000 + d, metrics: models[d]!.next(10_000) } });
    }
  }
  const values = reports.reduce((n, r) => n + r.report.metrics.length, 0);

  const repeats = Math.max(1, opts.repeats ?? 3);
  const bareRuns: WriterRun[] = [];
  const ownRuns: WriterRun[] = [];
  const oursRuns: WriterRun[] = [];
  for (let k = 0; k < repeats; k++) {
    ownRuns.push(await bareOwnRowsLoop(reports, values, opts));
    bareRuns.push(bareValueRowsLoop(reports, values, opts));
    oursRuns.push(await oursIngest(reports, values, opts));
  }
  const ratios = oursRuns.map((o, k) => o.valuesPerSec / ownRuns[k]!.valuesPerSec).sort((a, b) => a - b);
  const bare = figure(bareRuns);
  const bareOwnRows = figure(ownRuns);
  const ours = figure(oursRuns);
  return {
    reports: reports.length,
    values,
    batchReports: opts.batchReports,
    bare,
    bareOwnRows,
    ours,
    ratio: ours.valuesPerSec / bare.valuesPerSec,
    ratioOwnRows: ours.valuesPerSec / bareOwnRows.valuesPerSec,
    ratioOwnRowsRange: [ratios[0]!, ratios[ratios.length - 1]!],
  };
}

function figure(runs: WriterRun[]): WriterFigure {
  const sorted = [...runs].sort((a, b) => a.valuesPerSec - b.valuesPerSec);
  const mid = sorted[Math.floor(sorted.length / 2)]!;
  return { ...mid, valuesPerSecRange: [sorted[0]!.valuesPerSec, sorted[sorted.length - 1]!.valuesPerSec], runs: runs.length };
}

/** (a') one row per value into the naive samples table. */
function bareValueRowsLoop(reports: GenReport[], values: number, opts: { batchReports: number }): WriterRun {
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

  return { seconds: bareSec, valuesPerSec: values / bareSec, bytesPerValue: bareBytes / values };
}

/** (b) our ingest, the same reports and transaction size. */
async function oursIngest(reports: GenReport[], values: number, opts: { devices: number; batchReports: number }): Promise<WriterRun> {
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

  return { seconds: oursSec, valuesPerSec: values / oursSec, bytesPerValue: oursBytes / values };
}

/**
 * (a) The fair baseline: a bare loop writing the rows our ingest writes, in our schema. Payloads,
 * series ids and latest-values JSON are prepared before the clock starts; the loop only binds and
 * steps statements, one transaction per `batchReports` reports.
 */
async function bareOwnRowsLoop(reports: GenReport[], values: number, opts: { devices: number; batchReports: number }): Promise<WriterRun> {
  const dir = mkdtempSync(path.join(tmpdir(), 'qp-bench-ownrows-'));
  const db = openDatabase(dir);
  const clients = createClientStore(db);
  const devices = createDeviceStore(db);
  const client = clients.create({ name: 'bench', contract: 'monthly' }, 0);
  const deviceIds = Array.from(
    { length: opts.devices },
    (_, i) => devices.enroll({ clientId: client.id, hostname: `w${i}`, deviceToken: `qpd_o${i}_${Math.random()}` }, 0).device.id,
  );
  // The series rows exist already in our steady state too (created on a device's first report).
  const metrics = createMetricStore(db);
  db.transaction(() => {
    for (let d = 0; d < opts.devices; d++) {
      const first = reports.find((r) => r.device === d);
      if (first) metrics.insertReport(deviceIds[d]!, 0, first.report.tsMs - 1, first.report.metrics);
    }
  })();
  db.exec('DELETE FROM head_reports');
  const seriesIds = new Map<string, number>();
  for (const r of db.prepare<[], { id: number; device_id: string; name: string; labels: string }>('SELECT id, device_id, name, labels FROM series').all())
    seriesIds.set(`${r.device_id}\u0000${r.name}\u0000${r.labels}`, r.id);
  const rows = reports.map((r) => {
    const deviceId = deviceIds[r.device]!;
    const pairs = r.report.metrics.map((s) => {
      const labels = s.labels ? JSON.stringify(Object.fromEntries(Object.entries(s.labels).sort())) : '{}';
      return [seriesIds.get(`${deviceId}\u0000${s.name}\u0000${labels}`) ?? 0, quantize(s.value, storedDecimals(s.name))] as const;
    });
    pairs.sort((x, y) => x[0] - y[0]);
    const latest: Record<string, number> = {};
    for (const s of r.report.metrics) latest[s.labels ? formatSeriesKey(s.name, s.labels) : s.name] = s.value;
    return {
      deviceId,
      tsMs: r.report.tsMs,
      seq: r.report.seq,
      payload: encodeReport(
        pairs.map((p) => p[0]),
        pairs.map((p) => p[1]),
      ),
      latestJson: JSON.stringify(latest),
      cpu: latest['cpu.loadPct'] ?? null,
      mem: latest['mem.usedPct'] ?? null,
    };
  });
  const insHead = db.prepare('INSERT INTO head_reports (device_id, ts_ms, seq, payload) VALUES (?, ?, ?, ?)');
  const updLatest = db.prepare('UPDATE devices SET last_seen_ms = ?, latest_json = ?, cpu_load_pct = ?, mem_used_pct = ?, disk_used_pct = ? WHERE id = ?');
  const upsStream = db.prepare(
    'INSERT INTO device_streams (device_id, stream_id, last_seq) VALUES (?, ?, ?) ON CONFLICT (device_id, stream_id) DO UPDATE SET last_seq = excluded.last_seq',
  );
  const writeBatch = db.transaction((from: number, to: number) => {
    const lastOf = new Map<string, (typeof rows)[number]>();
    for (let i = from; i < to; i++) {
      const r = rows[i]!;
      insHead.run(r.deviceId, r.tsMs, r.seq, r.payload);
      lastOf.set(r.deviceId, r);
    }
    for (const r of lastOf.values()) {
      updLatest.run(r.tsMs, r.latestJson, r.cpu, r.mem, null, r.deviceId);
      upsStream.run(r.deviceId, 'bench-stream', r.seq);
    }
  });
  const t0 = performance.now();
  for (let i = 0; i < rows.length; i += opts.batchReports) writeBatch(i, Math.min(rows.length, i + opts.batchReports));
  const seconds = (performance.now() - t0) / 1000;
  db.pragma('wal_checkpoint(TRUNCATE)');
  const bytes = dbBytes(db);
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return { seconds, valuesPerSec: values / seconds, bytesPerValue: bytes / values };
}
