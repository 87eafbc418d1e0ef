/**
 * Storage against real peers, on one data set: the storage section's generator (N devices × D
 * days of 10-second reports, ~30 series each, the simulator's value model, timers drifting
 * 0–40 ms) written through our store and compactor, and the very same samples written
 *   - to Prometheus TSDB blocks with `promtool tsdb create-blocks-from openmetrics`
 *     (--max-block-duration 24h: what a Prometheus with its default 15 d retention compacts to);
 *   - to VictoriaMetrics through its import API (/api/v1/import, JSON lines, one line per
 *     series), then /internal/force_flush and /internal/force_merge, then stopped;
 * each peer twice: with the exact float64 values the model produced, and with our quantised
 * values (percent to 0.01, bytes to integers, …: what we store). Bytes per sample = every file of
 * the peer's data dir / samples. Ours: raw blocks + series table (what the peers hold: raw data
 * and its index), the whole file in used pages (with rollups), the file on disk as the server's
 * normal upkeep leaves it, and after an explicit VACUUM.
 *
 * "On disk" (fileBytesPerSample) is the database file plus its WAL after the server's own
 * upkeep has run on the generated file: the storage upkeep (createStorageUpkeep, its default
 * 200 ms ticks and incremental-vacuum budget and threshold) and the checkpointer thread
 * (startCheckpointer, its PASSIVE checkpoint once a second) run on their timers until the free
 * list is reclaimed and a checkpoint has followed; nothing is truncated by hand. Until the
 * database had incremental auto_vacuum this figure was the file after a TRUNCATE checkpoint,
 * with every page compaction freed still in it.
 *
 *   npx tsx scripts/bench/storage-peers.ts [--devices 5] [--days 7] [--jitter-ms 40] [--ours-only]
 * (--ours-only: our figures alone, without promtool and victoria-metrics.)
 */
import { execFile } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { pino } from 'pino';
import type { Sample } from '../../shared/protocol.js';
import { quantize, storedDecimals } from '../../server/series/quantize.js';
import { openDatabase, type Db } from '../../server/store/database.js';
import { startCheckpointer } from '../../server/store/checkpointer.js';
import { autoVacuumMode } from '../../server/store/vacuum.js';
import { createCompactor, createMetricStore, createRetention, createStorageUpkeep, DAY_MS, DEFAULT_RETENTION } from '../../server/series/index.js';
import { dbBytes, generateHistory, tableBytes } from './storage.js';
import { dirBytes, flushAndMergeVictoriaMetrics, requireBinary, startVictoriaMetrics } from './peers.js';

export interface PeerBytes {
  bytes: number;
  bytesPerSample: number;
  seconds: number;
}

export interface StoragePeersResult {
  devices: number;
  days: number;
  series: number;
  samples: number;
  jitterMs: number;
  ours: {
    /** raw_blocks + series pages (dbstat) / samples: the like-for-like figure. */
    rawAndIndexBytesPerSample: number;
    rawBytesPerSample: number;
    /** (page_count − freelist_count) × page_size / samples, rollups included. */
    usedPagesBytesPerSample: number;
    /** File + WAL on disk / samples, as the server's normal upkeep leaves it (see the header). */
    fileBytesPerSample: number;
    /** File + WAL / samples after an explicit VACUUM and TRUNCATE checkpoint. */
    fileAfterVacuumBytesPerSample: number;
    /** Of fileBytesPerSample, the WAL's bytes (its size between checkpoints; it is reused, not cut). */
    walBytes: number;
    /** The database's auto_vacuum mode, and the pages the upkeep gave back. */
    autoVacuum: string;
    pagesReleased: number;
    rollupBytesPerSample: number;
    seconds: number;
  };
  prometheus: { exact: PeerBytes; quantised: PeerBytes; version: string };
  victoriaMetrics: { exact: PeerBytes; quantised: PeerBytes };
}

interface SeriesData {
  name: string;
  labels: Record<string, string>;
  decimals: number;
  ts: number[];
  values: number[];
}

const promName = (s: string) => s.replace(/[^a-zA-Z0-9_]/g, '_');
const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** Buffered writes to a file descriptor. */
function fileWriter(file: string) {
  const fd = openSync(file, 'w');
  let buf = '';
  return {
    write(s: string) {
      buf += s;
      if (buf.length > 1 << 20) {
        writeSync(fd, buf);
        buf = '';
      }
    },
    close() {
      writeSync(fd, buf);
      closeSync(fd);
    },
  };
}

/**
 * Runs the server's storage upkeep and checkpointer on their own timers, as a server would, until
 * the free list is given back and one more checkpoint has run. Returns the pages released.
 */
async function upkeepAsTheServerDoes(db: Db, days: number): Promise<number> {
  const logger = pino({ level: 'warn' });
  const now = () => Date.now();
  // The generator's stretched raw retention, so the upkeep prunes nothing the figures count.
  const metrics = createMetricStore(db, { now, retention: { ...DEFAULT_RETENTION, rawMs: Math.max(DEFAULT_RETENTION.rawMs, (days + 1) * DAY_MS) } });
  const upkeep = createStorageUpkeep({ db, compactor: createCompactor({ db, metrics, now }), retention: createRetention({ metrics, now }), logger, now });
  const stopCheckpointer = startCheckpointer(db, logger);
  upkeep.start();
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  try {
    // The first tick decides; then it reclaims until the free list is empty.
    await sleep(500);
    for (let i = 0; i < 6000 && upkeep.stats().isReclaiming; i++) await sleep(100);
    // Then the checkpointer's next PASSIVE checkpoint (once a second) cuts the file.
    await sleep(2_500);
  } finally {
    upkeep.stop();
    await stopCheckpointer();
  }
  return upkeep.stats().pagesReleased;
}

/** Our figures alone: the data set through our store and compactor, then the server's upkeep. */
export async function measureOurs(opts: {
  dataDir: string;
  devices: number;
  days: number;
  jitterMs?: number;
  onReport?: (device: number, tsMs: number, samples: readonly Sample[]) => void;
}): Promise<{ samples: number; ours: StoragePeersResult['ours'] }> {
  const t0 = performance.now();
  const h = generateHistory({
    dataDir: opts.dataDir,
    devices: opts.devices,
    days: opts.days,
    nowMs: Date.now(),
    onReport: opts.onReport,
    jitterMs: opts.jitterMs,
  });
  const oursSec = (performance.now() - t0) / 1000;
  const samples = h.rawValues;
  const dbFile = path.join(opts.dataDir, 'quarkpulse.db');
  const fileSize = () => ['', '-wal'].reduce((n, sfx) => n + (statSync(dbFile + sfx, { throwIfNoEntry: false })?.size ?? 0), 0);
  const db = openDatabase(opts.dataDir);
  const raw = tableBytes(db, 'raw_blocks');
  // The series table and its indexes: our equivalent of the peers' index of series.
  const index = (
    db.prepare("SELECT coalesce(sum(pgsize), 0) AS b FROM dbstat WHERE name IN (SELECT name FROM sqlite_master WHERE tbl_name = 'series')").get() as {
      b: number;
    }
  ).b;
  const rollups = tableBytes(db, 'rollup_1m_blocks') + tableBytes(db, 'rollup_1h_blocks');
  const used = dbBytes(db);
  const autoVacuum = autoVacuumMode(db);
  const pagesReleased = await upkeepAsTheServerDoes(db, opts.days);
  const onDisk = fileSize();
  const walBytes = statSync(`${dbFile}-wal`, { throwIfNoEntry: false })?.size ?? 0;
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.exec('VACUUM');
  db.pragma('wal_checkpoint(TRUNCATE)');
  const after = fileSize();
  db.close();
  return {
    samples,
    ours: {
      rawAndIndexBytesPerSample: (raw + index) / samples,
      rawBytesPerSample: raw / samples,
      usedPagesBytesPerSample: used / samples,
      fileBytesPerSample: onDisk / samples,
      fileAfterVacuumBytesPerSample: after / samples,
      walBytes,
      autoVacuum,
      pagesReleased,
      rollupBytesPerSample: rollups / samples,
      seconds: oursSec,
    },
  };
}

export async function benchStoragePeers(opts: { devices: number; days: number; jitterMs?: number; log: (m: string) => void }): Promise<StoragePeersResult> {
  const promtool = requireBinary('/usr/bin/promtool', 'prometheus');
  requireBinary('/usr/bin/victoria-metrics', 'victoria-metrics');
  const work = mkdtempSync(path.join(tmpdir(), 'qp-bench-peers-'));
  try {
    // 1. Ours, capturing every sample for the peers.
    const series = new Map<string, SeriesData>();
    const onReport = (device: number, tsMs: number, samples: readonly Sample[]) => {
      for (const s of samples) {
        const labels = { device: `history-${device}`, ...(s.labels ?? {}) };
        const key = `${device}\u0000${s.name}\u0000${JSON.stringify(s.labels ?? {})}`;
        let d = series.get(key);
        if (!d) series.set(key, (d = { name: s.name, labels, decimals: storedDecimals(s.name), ts: [], values: [] }));
        d.ts.push(tsMs);
        d.values.push(s.value);
      }
    };
    const oursDir = path.join(work, 'ours');
    const { samples: stored, ours } = await measureOurs({ dataDir: oursDir, devices: opts.devices, days: opts.days, jitterMs: opts.jitterMs, onReport });
    const samples = [...series.values()].reduce((n, s) => n + s.values.length, 0);
    if (samples !== stored) throw new Error(`storage peers: captured ${samples} samples but the store holds ${stored}`);
    opts.log(
      `storage peers: ${series.size} series, ${samples} samples; ours raw+index ${ours.rawAndIndexBytesPerSample.toFixed(2)} B/sample, used pages ${ours.usedPagesBytesPerSample.toFixed(2)}, on disk ${ours.fileBytesPerSample.toFixed(2)}, ${ours.fileAfterVacuumBytesPerSample.toFixed(2)} after VACUUM`,
    );
    rmSync(oursDir, { recursive: true, force: true });

    const all = [...series.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const valueOf = (s: SeriesData, i: number, isQuantised: boolean) => (isQuantised ? quantize(s.values[i]!, s.decimals) : s.values[i]!);

    // 2. Prometheus TSDB via promtool.
    const version = (await promisify(execFile)(promtool, ['--version'])).stdout.split('\n')[0] ?? '';
    const prom = async (isQuantised: boolean): Promise<PeerBytes> => {
      const file = path.join(work, `samples-${isQuantised ? 'q' : 'x'}.om`);
      const out = path.join(work, `prom-${isQuantised ? 'q' : 'x'}`);
      const w = fileWriter(file);
      // One metric family's lines together (OpenMetrics), each series in time order.
      for (const s of all) {
        const head = `${promName(s.name)}{${Object.entries(s.labels)
          .map(([k, v]) => `${promName(k)}="${escapeLabel(v)}"`)
          .join(',')}} `;
        for (let i = 0; i < s.ts.length; i++) w.write(`${head}${valueOf(s, i, isQuantised)} ${(s.ts[i]! / 1000).toFixed(3)}\n`);
      }
      w.write('# EOF\n');
      w.close();
      const p0 = performance.now();
      await promisify(execFile)(promtool, ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', '--max-block-duration=24h', file, out], {
        maxBuffer: 64 << 20,
      });
      const seconds = (performance.now() - p0) / 1000;
      rmSync(file, { force: true });
      const bytes = dirBytes(out);
      rmSync(out, { recursive: true, force: true });
      return { bytes, bytesPerSample: bytes / samples, seconds };
    };
    const promExact = await prom(false);
    const promQ = await prom(true);
    opts.log(`storage peers: Prometheus TSDB exact ${promExact.bytesPerSample.toFixed(2)}, quantised ${promQ.bytesPerSample.toFixed(2)} B/sample`);

    // 3. VictoriaMetrics via its import API.
    const vm = async (isQuantised: boolean): Promise<PeerBytes> => {
      const dataDir = path.join(work, `vm-${isQuantised ? 'q' : 'x'}`);
      const peer = await startVictoriaMetrics(dataDir);
      const p0 = performance.now();
      try {
        let body = '';
        const send = async () => {
          const res = await fetch(`${peer.url}/api/v1/import`, { method: 'POST', body });
          if (res.status !== 204 && res.status !== 200) throw new Error(`victoria-metrics import: HTTP ${res.status} ${await res.text()}`);
          body = '';
        };
        for (const s of all) {
          const metric = JSON.stringify({ __name__: promName(s.name), ...s.labels });
          const vals = isQuantised ? s.values.map((v) => quantize(v, s.decimals)) : s.values;
          body += `{"metric":${metric},"values":${JSON.stringify(vals)},"timestamps":${JSON.stringify(s.ts)}}\n`;
          if (body.length > 8 << 20) await send();
        }
        if (body) await send();
        await flushAndMergeVictoriaMetrics(peer.url);
        const text = await (await fetch(`${peer.url}/metrics`)).text();
        const rows = [...text.matchAll(/^vm_rows\{type="storage\/(?:big|small)"\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
        const inmemory = [...text.matchAll(/^vm_rows\{type="storage\/inmemory"\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
        if (rows + inmemory < samples)
          throw new Error(`victoria-metrics holds ${rows + inmemory} rows after the import of ${samples} samples: import incomplete`);
      } finally {
        await peer.stop();
      }
      const seconds = (performance.now() - p0) / 1000;
      const bytes = dirBytes(dataDir);
      rmSync(dataDir, { recursive: true, force: true });
      return { bytes, bytesPerSample: bytes / samples, seconds };
    };
    const vmExact = await vm(false);
    const vmQ = await vm(true);
    opts.log(`storage peers: VictoriaMetrics exact ${vmExact.bytesPerSample.toFixed(2)}, quantised ${vmQ.bytesPerSample.toFixed(2)} B/sample`);
    return {
      devices: opts.devices,
      days: opts.days,
      series: series.size,
      samples,
      jitterMs: opts.jitterMs ?? 40,
      ours,
      prometheus: { exact: promExact, quantised: promQ, version },
      victoriaMetrics: { exact: vmExact, quantised: vmQ },
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const flag = (name: string, fallback: number) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 && process.argv[i + 1] !== undefined ? Number(process.argv[i + 1]) : fallback;
  };
  const devices = flag('devices', 5);
  const days = flag('days', 7);
  const jitterMs = flag('jitter-ms', 40);
  const log = (m: string) => process.stderr.write(`${m}\n`);
  if (process.argv.includes('--ours-only')) {
    const work = mkdtempSync(path.join(tmpdir(), 'qp-bench-ours-'));
    try {
      const r = await measureOurs({ dataDir: path.join(work, 'ours'), devices, days, jitterMs });
      const o = r.ours;
      process.stdout.write(
        `${JSON.stringify({ devices, days, jitterMs, samples: r.samples, ...o })}\n` +
          `ours, ${devices} devices × ${days} days, ${r.samples} samples (auto_vacuum ${o.autoVacuum}, ${o.pagesReleased} pages given back by the upkeep): ` +
          `used pages ${o.usedPagesBytesPerSample.toFixed(2)} / on disk ${o.fileBytesPerSample.toFixed(2)} (WAL ${(o.walBytes / 1e6).toFixed(1)} MB of it) / after VACUUM ${o.fileAfterVacuumBytesPerSample.toFixed(2)} B/sample\n`,
      );
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  } else process.stdout.write(`${JSON.stringify(await benchStoragePeers({ devices, days, jitterMs, log }), null, 2)}\n`);
}
