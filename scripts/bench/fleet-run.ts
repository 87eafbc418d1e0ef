/**
 * The live run: a server in its own process, N simulated agents (forked workers) at their real
 * interval, a measuring window with the fleet page and a 30-day chart queried under load, then a
 * reconnect storm (SIGKILL the server, start it again on the same port and data) and a check
 * that no acknowledged report is missing from the database.
 */
import { decodeBlock } from '../../server/series/codec/block.js';
import { openDatabase } from '../../server/store/database.js';
import { createMetricStore } from '../../server/series/metrics.js';
import { DAY_MS } from '../../server/series/retention-policy.js';
import { enrollFleet } from '../sim/enroll.js';
import { startFleet } from '../sim/fleet.js';
import { quantileMs } from '../sim/latency.js';
import { startProcWindow } from './proc-stats.js';
import { startServerProcess } from './server-process.js';
import { tableBytes } from './storage.js';

export interface FleetRunOptions {
  dataDir: string;
  password: string;
  agents: number;
  seconds: number;
  intervalMs: number;
  processes: number;
  rampSeconds: number;
  /** Device with 30 days of history, for the chart query. */
  chartDeviceId?: string;
  isStormEnabled: boolean;
  log: (m: string) => void;
}

export interface FleetRunResult {
  agentsTarget: number;
  agentsConnected: number;
  secondsToConnectAll: number | null;
  window: {
    seconds: number;
    reportsPerSec: number;
    valuesPerSec: number;
    latencyP50Ms: number;
    latencyP99Ms: number;
    serverCpuPct: number;
    serverRssBytes: number;
    serverPeakRssBytes: number;
    /** Event-loop delay over the server's life so far (prom-client's histogram). */
    eventLoop: { p50Ms: number; p99Ms: number; maxMs: number };
    gcSecondsSinceStart: string;
    /** Ingest transactions since server start, and how many took longer than 50 / 250 ms. */
    commits: { total: number; over50ms: number; over250ms: number };
  };
  api: {
    /** Client-side round trip, and the server's time to build the list (Server-Timing). */
    fleetPageMs: { p50: number; max: number; serverP50: number; serverMax: number; devices: number; bytes: number };
    /** Client-side round trip on loopback, and the server's own query time (Server-Timing). */
    chart30dMs: { p50: number; max: number; serverP50: number; serverMax: number; points: number } | null;
  };
  storm: { agents: number; secondsToAllReporting: number | null; allBack: boolean; serverAlive: boolean } | null;
  loss: { agentsChecked: number; ackedReports: number; missing: number; duplicateRows: number };
  liveHeadBytesPerValue: number;
  simulator: { errors: number; rejected: number; spoolDropped: number; disconnects: number };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : NaN;
};

async function timed(url: string, cookie: string): Promise<{ ms: number; serverMs: number; bytes: number; json: any }> {
  const t0 = performance.now();
  const res = await fetch(url, { headers: { cookie } });
  const text = await res.text();
  const json = JSON.parse(text);
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`${url} → ${res.status} ${JSON.stringify(json)}`);
  const serverMs = Number(/dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '')?.[1] ?? NaN);
  return { ms, serverMs, bytes: text.length, json };
}

export async function runFleet(opts: FleetRunOptions): Promise<FleetRunResult> {
  const { log } = opts;
  let server = await startServerProcess({ dataDir: opts.dataDir, password: opts.password });
  const port = server.port;
  log(`server pid ${server.pid} on ${server.url}`);
  const credentials = await enrollFleet({
    serverUrl: server.url,
    username: 'admin',
    password: opts.password,
    count: opts.agents,
    cacheFile: `${opts.dataDir}/sim-credentials.json`,
    log,
  });
  const login = await fetch(`${server.url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: opts.password }),
  });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;

  const fleet = startFleet({
    serverUrl: server.url,
    credentials,
    processes: opts.processes,
    intervalMs: opts.intervalMs,
    rampMs: opts.rampSeconds * 1000,
    isTrackingAcked: true,
  });
  const c0 = Date.now();
  const allConnected = await fleet.waitFor((s) => s.connected >= opts.agents, opts.rampSeconds * 1000 + 90_000, 1_000);
  const secondsToConnectAll = allConnected ? (Date.now() - c0) / 1000 : null;
  log(`connected ${fleet.snapshot().connected}/${opts.agents}${allConnected ? ` after ${secondsToConnectAll} s` : ' (not all)'}`);
  // Let every agent get through a few intervals before measuring.
  await new Promise((r) => setTimeout(r, Math.min(2 * opts.intervalMs, 20_000)));

  fleet.resetWindow();
  await new Promise((r) => setTimeout(r, 1_500)); // workers apply the reset and report
  const s0 = fleet.snapshot();
  const proc = startProcWindow(server.pid);
  const w0 = performance.now();
  const fleetMs: number[] = [];
  const fleetServerMs: number[] = [];
  const chartMs: number[] = [];
  const chartServerMs: number[] = [];
  let fleetDevices = 0;
  let fleetBytes = 0;
  let chartPoints = 0;
  const until = Date.now() + opts.seconds * 1000;
  while (Date.now() < until) {
    const f = await timed(`${server.url}/api/devices`, cookie);
    fleetMs.push(f.ms);
    fleetServerMs.push(f.serverMs);
    fleetDevices = f.json.length;
    fleetBytes = f.bytes;
    if (opts.chartDeviceId) {
      const to = Date.now();
      for (const name of ['cpu.loadPct', 'fs.usedPct']) {
        const c = await timed(`${server.url}/api/devices/${opts.chartDeviceId}/metrics?name=${name}&from=${to - 30 * DAY_MS}&to=${to}&points=500`, cookie);
        chartMs.push(c.ms);
        chartServerMs.push(c.serverMs);
        chartPoints = c.json.series.reduce((n: number, s: { points: unknown[] }) => n + s.points.length, 0);
      }
    }
    await new Promise((r) => setTimeout(r, 5_000));
  }
  const s1 = fleet.snapshot();
  const windowSec = (performance.now() - w0) / 1000;
  const scrape = await (await fetch(`${server.url}/metrics`)).text();
  const gauge = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(scrape)?.[1] ?? NaN);
  const eventLoop = {
    p50Ms: gauge('nodejs_eventloop_lag_p50_seconds') * 1000,
    p99Ms: gauge('nodejs_eventloop_lag_p99_seconds') * 1000,
    maxMs: gauge('nodejs_eventloop_lag_max_seconds') * 1000,
  };
  const bucket = (le: string) => {
    const line = scrape.split('\n').find((l) => l.startsWith(`qp_ingest_commit_seconds_bucket{le="${le}"} `));
    return line ? Number(line.split(' ')[1]) : NaN;
  };
  const commits = { total: bucket('+Inf'), over50ms: bucket('+Inf') - bucket('0.05'), over250ms: bucket('+Inf') - bucket('0.25') };
  const gcSeconds = [...scrape.matchAll(/^nodejs_gc_duration_seconds_sum\{kind="(\w+)"\} (\S+)$/gm)]
    .map((m) => `${m[1]} ${Number(m[2]).toFixed(1)} s`)
    .join(', ');
  const p = proc.stop();
  const window = {
    seconds: windowSec,
    reportsPerSec: (s1.reportsAcked - s0.reportsAcked) / windowSec,
    valuesPerSec: (s1.valuesAcked - s0.valuesAcked) / windowSec,
    latencyP50Ms: quantileMs(s1.latencyBins, 0.5),
    latencyP99Ms: quantileMs(s1.latencyBins, 0.99),
    serverCpuPct: p.cpuPct,
    serverRssBytes: p.rssBytes,
    serverPeakRssBytes: p.peakRssBytes,
    eventLoop,
    gcSecondsSinceStart: gcSeconds,
    commits,
  };
  log(
    `window: ${Math.round(window.reportsPerSec)} reports/s, ${Math.round(window.valuesPerSec)} values/s, p50 ${window.latencyP50Ms} ms, p99 ${window.latencyP99Ms} ms, server CPU ${window.serverCpuPct.toFixed(0)} %, RSS ${(window.serverRssBytes / 2 ** 20).toFixed(0)} MiB, event loop p99 ${eventLoop.p99Ms.toFixed(0)} ms max ${eventLoop.maxMs.toFixed(0)} ms, GC ${gcSeconds}, commits ${commits.total} (${commits.over50ms} > 50 ms, ${commits.over250ms} > 250 ms)`,
  );

  let storm: FleetRunResult['storm'] = null;
  if (opts.isStormEnabled) {
    log('reconnect storm: SIGKILL the server and start it again');
    await server.kill();
    await new Promise((r) => setTimeout(r, 1_000));
    const r0 = Date.now();
    server = await startServerProcess({ dataDir: opts.dataDir, password: opts.password, port });
    fleet.mark(r0);
    let lastLog = Date.now();
    const allBack = await fleet.waitFor(
      (s) => {
        if (Date.now() - lastLog >= 5_000) {
          lastLog = Date.now();
          log(`storm +${((Date.now() - r0) / 1000).toFixed(0)} s: ${s.readySinceMark} reconnected, ${s.ackedSinceMark} reporting`);
        }
        return s.ackedSinceMark >= opts.agents;
      },
      120_000,
      1_000,
    );
    const secs = (Date.now() - r0) / 1000;
    storm = { agents: fleet.snapshot().ackedSinceMark, secondsToAllReporting: allBack ? secs : null, allBack, serverAlive: server.child.exitCode === null };
    log(`storm: ${storm.agents}/${opts.agents} agents reporting again after ${secs.toFixed(1)} s`);
    await new Promise((r) => setTimeout(r, 3_000));
  }
  const final = await fleet.stop();
  await server.stop();

  // Every acknowledged report must be in the database: head rows or raw blocks.
  const db = openDatabase(opts.dataDir);
  const metrics = createMetricStore(db);
  let acked = 0;
  let missing = 0;
  let duplicateRows = 0;
  for (const a of final.agents) {
    const stored = new Map<number, number>();
    for (const r of metrics.readHead(a.deviceId, 0, Number.MAX_SAFE_INTEGER)) stored.set(r.tsMs, (stored.get(r.tsMs) ?? 0) + 1);
    for (const b of metrics.tables.raw.range(a.deviceId, 0, Number.MAX_SAFE_INTEGER)) {
      for (const ts of decodeBlock(b.payload, () => false).timestamps) stored.set(ts, (stored.get(ts) ?? 0) + 1);
    }
    for (const n of stored.values()) if (n > 1) duplicateRows += n - 1;
    for (const ts of a.ackedTs ?? []) {
      acked++;
      if (!stored.has(ts)) missing++;
    }
  }
  const headValues = metrics.countRawValues() - metrics.tables.raw.totals().values;
  const liveHeadBytesPerValue = headValues > 0 ? tableBytes(db, 'head_reports') / headValues : NaN;
  db.close();
  log(`loss check: ${acked} acked reports of ${final.agents.length} agents, ${missing} missing, ${duplicateRows} duplicate rows`);

  return {
    agentsTarget: opts.agents,
    agentsConnected: s1.connected,
    secondsToConnectAll,
    window,
    api: {
      fleetPageMs: {
        p50: median(fleetMs),
        max: Math.max(...fleetMs),
        serverP50: median(fleetServerMs),
        serverMax: Math.max(...fleetServerMs),
        devices: fleetDevices,
        bytes: fleetBytes,
      },
      chart30dMs: chartMs.length
        ? { p50: median(chartMs), max: Math.max(...chartMs), serverP50: median(chartServerMs), serverMax: Math.max(...chartServerMs), points: chartPoints }
        : null,
    },
    storm,
    loss: { agentsChecked: final.agents.length, ackedReports: acked, missing, duplicateRows },
    liveHeadBytesPerValue,
    simulator: { errors: final.stats.errors, rejected: final.stats.rejected, spoolDropped: final.stats.spoolDropped, disconnects: final.stats.disconnects },
  };
}
