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
 * and its index), the whole file in used pages (with rollups), and the file on disk before and
 * after VACUUM.
 */
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Sample } from '../../shared/protocol.js';
import { quantize, storedDecimals } from '../../server/series/quantize.js';
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
    /** File (+ WAL) size on disk / samples, before and after VACUUM. */
    fileBytesPerSample: number;
    fileAfterVacuumBytesPerSample: number;
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
    const t0 = performance.now();
    const h = generateHistory({ dataDir: oursDir, devices: opts.devices, days: opts.days, nowMs: Date.now(), onReport, jitterMs: opts.jitterMs });
    const oursSec = (performance.now() - t0) / 1000;
    const samples = [...series.values()].reduce((n, s) => n + s.values.length, 0);
    if (samples !== h.rawValues) throw new Error(`storage peers: captured ${samples} samples but the store holds ${h.rawValues}`);
    const dbFile = path.join(oursDir, 'quarkpulse.db');
    const fileSize = () => ['', '-wal'].reduce((n, sfx) => n + (statSync(dbFile + sfx, { throwIfNoEntry: false })?.size ?? 0), 0);
    const db = new Database(dbFile);
    const raw = tableBytes(db, 'raw_blocks');
    // The series table and its indexes: our equivalent of the peers' index of series.
    const index = (
      db.prepare("SELECT coalesce(sum(pgsize), 0) AS b FROM dbstat WHERE name IN (SELECT name FROM sqlite_master WHERE tbl_name = 'series')").get() as {
        b: number;
      }
    ).b;
    const rollups = tableBytes(db, 'rollup_1m_blocks') + tableBytes(db, 'rollup_1h_blocks');
    const used = dbBytes(db);
    db.pragma('wal_checkpoint(TRUNCATE)');
    const before = fileSize();
    db.exec('VACUUM');
    db.pragma('wal_checkpoint(TRUNCATE)');
    const after = fileSize();
    db.close();
    const ours: StoragePeersResult['ours'] = {
      rawAndIndexBytesPerSample: (raw + index) / samples,
      rawBytesPerSample: raw / samples,
      usedPagesBytesPerSample: used / samples,
      fileBytesPerSample: before / samples,
      fileAfterVacuumBytesPerSample: after / samples,
      rollupBytesPerSample: rollups / samples,
      seconds: oursSec,
    };
    opts.log(
      `storage peers: ${series.size} series, ${samples} samples; ours raw+index ${ours.rawAndIndexBytesPerSample.toFixed(2)} B/sample, file ${ours.fileBytesPerSample.toFixed(2)} → ${ours.fileAfterVacuumBytesPerSample.toFixed(2)} after VACUUM`,
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
