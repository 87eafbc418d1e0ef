/**
 * Ingest against a real peer: server CPU-seconds per million samples, read from /proc of the
 * server process only (utime + stime over the counted window).
 *   - ours: the flood client (scripts/bench/flood.ts: C WebSocket connections, each keeping W
 *     reports in flight, honouring RATE_LIMITED) against our server in its own process;
 *   - VictoriaMetrics: its import API (/api/v1/import) fed the same kind of samples (the
 *     simulator's value model, one JSON line per sample with its device label, `batch` reports per
 *     POST, `inFlight` POSTs at once) by a Node client of similar cost; its CPU window also takes in
 *     a /internal/force_flush at the end, so rows it only buffered in memory are paid for.
 * Then, ours only: p50 / p99 sample → ack at one fixed offered load (C connections, each one report
 * every paceMs), which the capacity figure cannot give (there latency is set by the window).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AGENT_WS_PATH } from '../../shared/protocol.js';
import { enrollFleet } from '../sim/enroll.js';
import { MachineModel } from '../sim/value-model.js';
import { flood, type FloodResult } from './flood.js';
import { readProcStats } from './proc-stats.js';
import { startServerProcess } from './server-process.js';
import { startVictoriaMetrics } from './peers.js';

export interface IngestRun {
  samples: number;
  seconds: number;
  samplesPerSec: number;
  serverCpuSec: number;
  cpuSecPerMillionSamples: number;
}

export interface IngestPeersResult {
  connections: number;
  seconds: number;
  runs: number;
  ours: IngestRun[];
  victoriaMetrics: IngestRun[];
  /** Median of the runs. */
  oursCpuSecPerMillion: number;
  vmCpuSecPerMillion: number;
  ratio: number;
  ratioRange: [number, number];
  fixedLoad: FloodResult & { offeredReportsPerSec: number; serverCpuPct: number };
  loadAvg: string[];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const promName = (s: string) => s.replace(/[^a-zA-Z0-9_]/g, '_');

/** One flood against our server in its own process: its CPU per million samples over the window. */
export async function oursRun(opts: {
  connections: number;
  seconds: number;
  window: number;
  password: string;
  paceMs?: number;
  /** Another checkout's scripts/bench/server-child.ts, for A/B runs; default this checkout's. */
  serverChildFile?: string;
  /** Extra node flags for the server process (e.g. --cpu-prof). */
  serverNodeArgs?: string[];
}) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'qp-bench-ingest-'));
  const server = await startServerProcess({ dataDir, password: opts.password, childFile: opts.serverChildFile, nodeArgs: opts.serverNodeArgs });
  try {
    const creds = await enrollFleet({ serverUrl: server.url, username: 'admin', password: opts.password, count: opts.connections });
    let c0 = 0;
    let c1 = 0;
    let w0 = 0;
    let w1 = 0;
    const r = await flood({
      wsUrl: server.url.replace('http', 'ws') + AGENT_WS_PATH,
      tokens: creds.map((c) => c.deviceToken),
      connections: opts.connections,
      seconds: opts.seconds,
      window: opts.window,
      paceMs: opts.paceMs,
      onWindowStart: () => {
        c0 = readProcStats(server.pid).cpuSec;
        w0 = performance.now();
      },
      onWindowEnd: () => {
        c1 = readProcStats(server.pid).cpuSec;
        w1 = performance.now();
      },
    });
    if (r.reports === 0) throw new Error('ingest peers: our server acknowledged no report in the window');
    const run: IngestRun = {
      samples: r.values,
      seconds: r.seconds,
      samplesPerSec: r.valuesPerSec,
      serverCpuSec: c1 - c0,
      cpuSecPerMillionSamples: ((c1 - c0) / r.values) * 1e6,
    };
    return { run, flood: r, serverCpuPct: ((c1 - c0) / ((w1 - w0) / 1000)) * 100 };
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function post(agent: http.Agent, url: URL, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function vmRun(opts: { devices: number; seconds: number; batch: number; inFlight: number }): Promise<IngestRun> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'qp-bench-vm-ingest-'));
  const peer = await startVictoriaMetrics(dataDir);
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.inFlight });
  try {
    const url = new URL(`${peer.url}/api/v1/import`);
    const models = Array.from({ length: opts.devices }, (_, i) => new MachineModel(10_000 + i));
    let next = 0;
    let isRunning = true;
    let isCounting = false;
    let samples = 0;
    /** One POST: `batch` reports (round-robin over the devices), one JSON line per sample. */
    const makeBody = (): [string, number] => {
      let body = '';
      let n = 0;
      const ts = Date.now();
      for (let k = 0; k < opts.batch; k++) {
        const d = next++ % opts.devices;
        for (const s of models[d]!.next(10_000)) {
          body += `{"metric":${JSON.stringify({ __name__: promName(s.name), device: `flood-${d}`, ...(s.labels ?? {}) })},"values":[${s.value}],"timestamps":[${ts}]}\n`;
          n++;
        }
      }
      return [body, n];
    };
    const loop = async () => {
      while (isRunning) {
        const [body, n] = makeBody();
        const status = await post(agent, url, body);
        if (status !== 204 && status !== 200) throw new Error(`victoria-metrics import answered HTTP ${status}`);
        if (isCounting) samples += n;
      }
    };
    const loops = Array.from({ length: opts.inFlight }, () => loop());
    const failed = Promise.race(loops).then(() => undefined);
    await Promise.race([new Promise((r) => setTimeout(r, 2_000)), failed]);
    const c0 = readProcStats(peer.pid).cpuSec;
    isCounting = true;
    const t0 = performance.now();
    await Promise.race([new Promise((r) => setTimeout(r, opts.seconds * 1000)), failed]);
    isCounting = false;
    const seconds = (performance.now() - t0) / 1000;
    isRunning = false;
    await Promise.all(loops);
    const res = await fetch(`${peer.url}/internal/force_flush`);
    if (!res.ok) throw new Error(`victoria-metrics force_flush: HTTP ${res.status}`);
    const c1 = readProcStats(peer.pid).cpuSec;
    if (samples === 0) throw new Error('ingest peers: victoria-metrics accepted no sample in the window');
    return { samples, seconds, samplesPerSec: samples / seconds, serverCpuSec: c1 - c0, cpuSecPerMillionSamples: ((c1 - c0) / samples) * 1e6 };
  } finally {
    agent.destroy();
    await peer.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function benchIngestPeers(opts: {
  connections: number;
  seconds: number;
  window: number;
  runs: number;
  password: string;
  /** Fixed offered load for the latency figure, reports/s over all connections. */
  fixedReportsPerSec: number;
  loadAvg: () => string;
  log: (m: string) => void;
}): Promise<IngestPeersResult> {
  const ours: IngestRun[] = [];
  const vm: IngestRun[] = [];
  const loadAvg: string[] = [];
  for (let k = 0; k < opts.runs; k++) {
    const o = await oursRun(opts);
    ours.push(o.run);
    opts.log(
      `ingest peers (ours, run ${k + 1}): ${Math.round(o.run.samplesPerSec)} samples/s, ${o.run.cpuSecPerMillionSamples.toFixed(2)} CPU-s per million, RATE_LIMITED ${o.flood.rateLimited}`,
    );
    const v = await vmRun({ devices: opts.connections, seconds: opts.seconds, batch: 25, inFlight: 8 });
    vm.push(v);
    loadAvg.push(opts.loadAvg());
    opts.log(
      `ingest peers (VictoriaMetrics, run ${k + 1}): ${Math.round(v.samplesPerSec)} samples/s, ${v.cpuSecPerMillionSamples.toFixed(2)} CPU-s per million`,
    );
  }
  const paceMs = Math.round((opts.connections * 1000) / opts.fixedReportsPerSec);
  const fixed = await oursRun({ ...opts, paceMs, window: 50 });
  opts.log(
    `ingest peers (ours, fixed ${opts.fixedReportsPerSec} reports/s): acked ${Math.round(fixed.flood.reportsPerSec)}/s, p50 ${fixed.flood.latencyP50Ms.toFixed(0)} / p99 ${fixed.flood.latencyP99Ms.toFixed(0)} ms`,
  );
  loadAvg.push(opts.loadAvg());
  const ratios = ours.map((o, k) => o.cpuSecPerMillionSamples / vm[k]!.cpuSecPerMillionSamples).sort((a, b) => a - b);
  const oursM = median(ours.map((o) => o.cpuSecPerMillionSamples));
  const vmM = median(vm.map((o) => o.cpuSecPerMillionSamples));
  return {
    connections: opts.connections,
    seconds: opts.seconds,
    runs: opts.runs,
    ours,
    victoriaMetrics: vm,
    oursCpuSecPerMillion: oursM,
    vmCpuSecPerMillion: vmM,
    ratio: oursM / vmM,
    ratioRange: [ratios[0]!, ratios[ratios.length - 1]!],
    fixedLoad: { ...fixed.flood, offeredReportsPerSec: opts.fixedReportsPerSec, serverCpuPct: fixed.serverCpuPct },
    loadAvg,
  };
}
