/**
 * `npm run bench`: measures the product's target numbers on this machine, each beside a baseline
 * measured in the same run, prints a markdown table and writes JSON (default .bench/results.json).
 *
 *   npm run bench -- --agents 1000 --seconds 60          # quick
 *   npm run bench -- --agents 15000 --seconds 180        # the full run (docs/BENCHMARKS.md)
 *
 * Sections (scripts/bench/*.ts; pick with --only a,b): writer (vs bare better-sqlite3 loops: our
 * own rows, and one row per value); capacity (pipeline vs bare ws receive loop); ingest-peers
 * (server CPU per million samples vs VictoriaMetrics' import API, p50/p99 at a fixed load);
 * storage (bytes/value on generated history); storage-peers (one data set stored by us,
 * Prometheus TSDB and VictoriaMetrics, exact and quantised); fleet (agents, rates, latency,
 * server RSS/CPU, fleet page and 30-day chart under load, reconnect storm, loss check); alerts;
 * jobs; probe; agent (our agent beside node_exporter and zabbix_agent2). Peers are Debian
 * packages run on 127.0.0.1 with temp data dirs; a peer that cannot start fails the run.
 */
import { benchAlertLatency, type AlertLatencyResult } from './bench/alert-latency.js';
import { benchWatchLatency, type WatchLatencyResult } from './bench/watch-latency.js';
import { installPeerPackages } from './bench/install-peers.js';
import { benchPrometheusAlertLatencies, type PrometheusAlertLatencyResult } from './bench/alert-peers.js';
import { benchNotifyLatency } from './bench/notify-latency.js';
import { benchOutagePages, type OutagePagesResult } from './bench/outage-pages.js';
import { benchJobFanout, type JobFanoutResult } from './bench/job-fanout.js';
import { benchClientReport, type ClientReportBenchResult } from './bench/client-report.js';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { benchWriter, type WriterResult } from './bench/writer.js';
import { benchCapacity, type CapacityResult } from './bench/capacity.js';
import { generateHistory, type HistoryResult } from './bench/storage.js';
import { runFleet, type FleetRunResult } from './bench/fleet-run.js';
import { benchStoragePeers, type StoragePeersResult } from './bench/storage-peers.js';
import { benchIngestPeers, type IngestPeersResult } from './bench/ingest-peers.js';

const { values: f } = parseArgs({
  options: {
    agents: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '60' },
    'interval-ms': { type: 'string', default: '10000' },
    processes: { type: 'string', default: '4' },
    'ramp-s': { type: 'string' },
    'history-devices': { type: 'string', default: '2' },
    'history-days': { type: 'string', default: '30' },
    'writer-devices': { type: 'string', default: '200' },
    'writer-reports': { type: 'string', default: '60' },
    'writer-batch': { type: 'string', default: '500' },
    'flood-connections': { type: 'string', default: '200' },
    'flood-seconds': { type: 'string', default: '15' },
    'flood-window': { type: 'string', default: '8' },
    'no-storm': { type: 'boolean', default: false },
    'peer-devices': { type: 'string', default: '5' },
    'ingest-runs': { type: 'string', default: '2' },
    'agent-minutes': { type: 'string', default: '2' },
    'ingest-fixed-rate': { type: 'string', default: '1500' },
    'peer-days': { type: 'string', default: '7' },
    'peer-jitter-ms': { type: 'string', default: '40' },
    only: { type: 'string' },
    out: { type: 'string', default: '.bench/results.json' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (f.help) {
  process.stdout.write(
    readFileSync(new URL(import.meta.url), 'utf8')
      .split('*/')[0]!
      .replace('/**', '') + '\n',
  );
  process.exit(0);
}
const log = (m: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
const n = (k: keyof typeof f) => Number(f[k]);
const agents = n('agents');
const ALL_SECTIONS = ['writer', 'capacity', 'ingest-peers', 'storage', 'storage-peers', 'fleet', 'alerts', 'jobs', 'probe', 'report', 'agent'];
const sections = new Set((f.only ?? ALL_SECTIONS.join(',')).split(','));
for (const s of sections) if (!ALL_SECTIONS.includes(s)) throw new Error(`--only: unknown section "${s}" (sections: ${ALL_SECTIONS.join(', ')})`);
const password = 'bench-admin-password';

type AlertLatency = Pick<AlertLatencyResult, 'agents' | 'samples' | 'p50Ms' | 'p95Ms'>;

async function main(): Promise<void> {
  installPeerPackages(sections, log);
  const started = new Date();
  const machine = {
    date: started.toISOString(),
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    sqlite: (new Database(':memory:').prepare('SELECT sqlite_version() AS v').get() as { v: string }).v,
    flags: process.argv.slice(2).join(' ') || '(defaults)',
    /** The machine is shared: 1-minute load average when the run started and ended. */
    loadAvgStart: loadavg()[0]!.toFixed(2),
    loadAvgEnd: '',
  };
  log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, node ${machine.node}`);

  let writer: (WriterResult & { loadAvg?: string }) | undefined;
  if (sections.has('writer')) {
    log('writer: our ingest vs bare better-sqlite3 loops (our own rows; one row per value), same reports, 3 runs each');
    writer = {
      ...(await benchWriter({ devices: n('writer-devices'), reportsPerDevice: n('writer-reports'), batchReports: n('writer-batch') })),
      loadAvg: loadavg()[0]!.toFixed(2),
    };
    log(
      `writer: ours ${Math.round(writer.ours.valuesPerSec)} values/s; bare loop of our rows ${Math.round(writer.bareOwnRows.valuesPerSec)} (${(writer.ratioOwnRows * 100).toFixed(0)} %); bare one row per value ${Math.round(writer.bare.valuesPerSec)} (${(writer.ratio * 100).toFixed(0)} %)`,
    );
  }
  let capacity: CapacityResult | undefined;
  if (sections.has('capacity')) {
    log('capacity: flood the full pipeline and a bare ws receive loop');
    capacity = await benchCapacity({ connections: n('flood-connections'), seconds: n('flood-seconds'), window: n('flood-window'), password, log });
  }
  let ingestPeers: IngestPeersResult | undefined;
  if (sections.has('ingest-peers')) {
    log(
      `ingest peers: server CPU per million samples, ours (flood, ${f['flood-connections']} connections) vs VictoriaMetrics' import API, ${f['ingest-runs']} runs each; then ours at a fixed ${f['ingest-fixed-rate']} reports/s`,
    );
    ingestPeers = await benchIngestPeers({
      connections: n('flood-connections'),
      seconds: n('flood-seconds'),
      window: n('flood-window'),
      runs: n('ingest-runs'),
      password,
      fixedReportsPerSec: n('ingest-fixed-rate'),
      loadAvg: () => loadavg()[0]!.toFixed(2),
      log,
    });
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), 'qp-bench-fleet-'));
  let history: HistoryResult | undefined;
  if (sections.has('storage')) {
    log(`storage: ${f['history-devices']} devices × ${f['history-days']} days of 10 s reports through the store and compactor`);
    history = generateHistory({ dataDir, devices: n('history-devices'), days: n('history-days'), nowMs: Date.now() });
    log(
      `storage: raw ${history.rawBytesPerValue.toFixed(2)} B/value, rollups ${history.rollupBytesPerRawValue.toFixed(2)} B per raw value, file ${history.fileBytesPerValue.toFixed(2)} B/value`,
    );
  }
  let storagePeers: (StoragePeersResult & { loadAvg: string }) | undefined;
  if (sections.has('storage-peers')) {
    log(
      `storage peers: ${f['peer-devices']} devices × ${f['peer-days']} days, stored by us, by Prometheus TSDB (promtool) and by VictoriaMetrics (import API), exact and quantised`,
    );
    const r = await benchStoragePeers({ devices: n('peer-devices'), days: n('peer-days'), jitterMs: n('peer-jitter-ms'), log });
    storagePeers = { ...r, loadAvg: loadavg()[0]!.toFixed(2) };
  }
  let fleet: FleetRunResult | undefined;
  if (sections.has('fleet')) {
    log(`fleet: ${agents} agents, ${f['interval-ms']} ms interval, ${f.processes} processes, ${f.seconds} s window`);
    fleet = await runFleet({
      dataDir,
      password,
      agents,
      seconds: n('seconds'),
      intervalMs: n('interval-ms'),
      processes: n('processes'),
      rampSeconds: f['ramp-s'] ? n('ramp-s') : Math.max(10, Math.ceil(agents / 500)),
      chartDeviceId: history?.deviceIds[0],
      isStormEnabled: !f['no-storm'],
      log,
    });
  }
  let alerts: AlertLatency | undefined;
  let alertsFromSource: (WatchLatencyResult & { loadAvg: string }) | undefined;
  let alertPeers: PrometheusAlertLatencyResult[] | undefined;
  let pages: AlertLatency | undefined;
  let outage: OutagePagesResult | undefined;
  if (sections.has('alerts')) {
    const latencyRun = { agents: Math.min(agents, 1000), seconds: Math.min(n('seconds'), 60) };
    // Prometheus + Alertmanager wait minutes on their own timers and use little CPU, so they run
    // through the whole section beside ours (their latency is their timers', not the machine's).
    log('alert latency from the source, Prometheus + Alertmanager (defaults and aggressive, 20 targets each): started beside the rest of this section');
    const peersAbort = new AbortController();
    const peersRun = benchPrometheusAlertLatencies(['default', 'aggressive'], { targets: 20, log, signal: peersAbort.signal });
    peersRun.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile
    try {
      log('alert latency (triggering sample → alert + outbox row committed)');
      alerts = await benchAlertLatency(latencyRun);
      log('alert latency from the source: real agents, 10 s reports, watch on and off in the same run (20 + 20 agents)');
      const w = await benchWatchLatency({ agents: 20, crossings: 2 });
      alertsFromSource = { ...w, loadAvg: loadavg()[0]!.toFixed(2) };
      log(
        `alert latency from the source: watch p50 ${w.withWatch.p50Ms} / p95 ${w.withWatch.p95Ms} ms, without p50 ${w.withoutWatch.p50Ms} / p95 ${w.withoutWatch.p95Ms} ms`,
      );
      log('notification latency (triggering sample → signed webhook received on loopback)');
      pages = await benchNotifyLatency(latencyRun);
      log('one page per outage (lone-alert latency with grouping off / on; pages for a 10-device outage)');
      outage = await benchOutagePages({ trials: 40, devices: 10 });
    } catch (err) {
      // Stop the peers' processes before the error ends the run.
      peersAbort.abort(err);
      await peersRun.catch(() => undefined);
      throw err;
    }
    alertPeers = await peersRun;
    for (const peer of alertPeers)
      log(`alert latency from the source, Prometheus + Alertmanager ${peer.setting}: p50 ${peer.webhook.p50Ms} / p95 ${peer.webhook.p95Ms} ms to the webhook`);
  }
  let jobs: JobFanoutResult | undefined;
  if (sections.has('jobs')) {
    log('job fan-out: one request for a task on 5,000 agents, until every agent holds its signed job');
    jobs = await benchJobFanout({ agents: 5_000 });
  }
  let probe: ProbeBenchResult | undefined;
  if (sections.has('probe')) {
    log('site probe: one probe polling 500 SNMP printers (Debian snmpd) at 60 s; its CPU and RSS beside an idle probe');
    probe = await benchProbe();
    log(
      `site probe: ${probe.probeCpuPct} % of a core, ${probe.probeCpuMsPerPoll} ms CPU per poll, RSS ${probe.probeRssMb} MB (idle ${probe.idleProbeRssMb} MB)`,
    );
  }
  let report: ClientReportBenchResult | undefined;
  if (sections.has('report')) {
    log('client report: one client with 200 devices, its month gathered, rendered to HTML and printed to PDF by chromium');
    report = await benchClientReport({ devices: 200 });
    log(`client report: HTML ${report.htmlMs} ms, PDF ${report.pdfMs} ms (${report.pdfPages} pages); chromium printing one line ${report.bareChromiumMs} ms`);
  }
  let agent: AgentPeersResult | undefined;
  if (sections.has('agent')) {
    log(
      `agent: our agent over wss:// beside node_exporter (default and matched collectors) and zabbix_agent2, all every 10 s, ${f['agent-minutes']} min window`,
    );
    agent = await benchAgentPeers(n('agent-minutes'));
    log(
      `agent: ${agent.agent.cpuMsPerCycleWithChildren} ms CPU per cycle, RSS ${agent.agent.rssMbMedian} MB; node_exporter ${agent.nodeExporter.cpuMsPerScrape} ms per scrape`,
    );
  }
  if (!f.keep) rmSync(dataDir, { recursive: true, force: true });
  else log(`kept data in ${dataDir}`);

  machine.loadAvgEnd = loadavg()[0]!.toFixed(2);
  const results = {
    machine,
    writer,
    capacity,
    ingestPeers,
    history,
    storagePeers,
    fleet,
    alerts,
    alertsFromSource,
    alertPeers,
    pages,
    outage,
    jobs,
    probe,
    report,
    agent,
  };
  mkdirSync(path.dirname(f.out), { recursive: true });
  writeFileSync(f.out, JSON.stringify(results, null, 2));
  process.stdout.write(renderTable(results));
  log(`wrote ${f.out}`);
}

interface ProbeBenchResult {
  targets: number;
  intervalMs: number;
  seconds: number;
  polls: number;
  states: Record<string, number>;
  probeCpuPct: number;
  probeCpuMsPerPoll: number | null;
  probeRssMb: number;
  idleProbeRssMb: number;
  snmpdCpuPct: number;
  snmpdProcesses: number;
}

/** What scripts/bench-agent.ts writes (the parts the table shows). */
interface AgentPeersResult {
  loadAvg: string;
  settings: { minutes: number };
  agent: { rssMbMedian: number; cpuMsPerCycleWithChildren: number; cycles: number };
  nodeExporter: { rssMbMedian: number; cpuMsPerScrape: number; scrapes: number };
  nodeExporterMatched: { rssMbMedian: number; cpuMsPerScrape: number; collectors: string[] };
  zabbixAgent2: { rssMbMedian?: number; cpuMsPerPoll?: number; items?: number; unavailable?: string };
}

/** The agent bench (scripts/bench-agent.ts) in its own process, after building the agent bundle if it is missing. */
async function benchAgentPeers(minutes: number): Promise<AgentPeersResult> {
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
  const run = (args: string[]) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${args.join(' ')} exited with ${code}`))));
    });
  if (!existsSync(path.join(root, 'dist/agent/quarkpulse-agent.mjs'))) await run(['scripts/build-agent.mjs']);
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'qp-bench-agent-json-')), 'agent.json');
  await run(['--import', 'tsx', 'scripts/bench-agent.ts', '--minutes', String(minutes), '--warmup-sec', '30', '--out', out]);
  const r = JSON.parse(readFileSync(out, 'utf8')) as AgentPeersResult;
  rmSync(path.dirname(out), { recursive: true, force: true });
  return { ...r, loadAvg: loadavg()[0]!.toFixed(2) };
}

/** The site-probe bench (scripts/bench/probe-snmp.ts) in its own process, so its CPU and RSS are its own. */
function benchProbe(): Promise<ProbeBenchResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(path.dirname(new URL(import.meta.url).pathname), 'bench', 'probe-snmp.ts'), '--targets', '500', '--seconds', '65'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`the site-probe bench exited with ${code}`));
      try {
        resolve(JSON.parse(out) as ProbeBenchResult);
      } catch (err) {
        reject(new Error(`the site-probe bench printed no result: ${(err as Error).message}`));
      }
    });
  });
}

const fmt = (v: number | undefined | null, digits = 0) =>
  v === undefined || v === null || Number.isNaN(v) ? 'n/a' : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const pct = (r: number | undefined) => (r === undefined ? 'n/a' : `${(r * 100).toFixed(0)} %`);
const mib = (b: number | undefined) => (b === undefined ? 'n/a' : `${fmt(b / 2 ** 20)} MiB`);
const ok = (cond: boolean | undefined) => (cond === undefined ? '' : cond ? ' ✅' : ' ❌');

function renderTable(r: {
  machine: Record<string, string | number>;
  writer?: WriterResult;
  capacity?: CapacityResult;
  history?: HistoryResult;
  fleet?: FleetRunResult;
  alerts?: AlertLatency;
  alertsFromSource?: WatchLatencyResult & { loadAvg: string };
  alertPeers?: PrometheusAlertLatencyResult[];
  pages?: AlertLatency;
  outage?: OutagePagesResult;
  jobs?: JobFanoutResult;
  probe?: ProbeBenchResult;
  storagePeers?: StoragePeersResult & { loadAvg: string };
  ingestPeers?: IngestPeersResult;
  agent?: AgentPeersResult;
  report?: ClientReportBenchResult;
}): string {
  const { writer: w, capacity: c, history: h, fleet: fl, alerts: a, pages: pg, outage: og, jobs: jb, probe: pr, report: rp } = r;
  const rows: [string, string, string, string][] = [];
  if (fl) {
    rows.push([
      'agents connected (simulated, real protocol)',
      `${fmt(fl.agentsConnected)} / ${fmt(fl.agentsTarget)}${ok(fl.agentsConnected >= fl.agentsTarget)}`,
      '15,000 at 10 s',
      fl.secondsToConnectAll !== null ? `all connected ${fmt(fl.secondsToConnectAll)} s after ramp start` : 'not all connected',
    ]);
    rows.push(['reports/s ingested (live fleet)', fmt(fl.window.reportsPerSec), '1,500 for 15,000 at 10 s', `${fmt(fl.window.seconds)} s window`]);
    rows.push(['values/s ingested (live fleet)', fmt(fl.window.valuesPerSec), '', '']);
    rows.push([
      'ingest latency p50 / p99, sample → ack (after commit)',
      `${fmt(fl.window.latencyP50Ms)} / ${fmt(fl.window.latencyP99Ms)} ms${ok(fl.window.latencyP99Ms < 500)}`,
      'p99 < 500 ms',
      'group commit ≤ 50 ms + fsync',
    ]);
    rows.push([
      'server CPU / RSS during the window',
      `${fmt(fl.window.serverCpuPct)} % of a core / ${mib(fl.window.serverRssBytes)} (peak ${mib(fl.window.serverPeakRssBytes)})`,
      '',
      '',
    ]);
    rows.push([
      'server event-loop delay p50 / p99 / max',
      `${fmt(fl.window.eventLoop.p50Ms)} / ${fmt(fl.window.eventLoop.p99Ms)} / ${fmt(fl.window.eventLoop.maxMs)} ms`,
      '',
      `since server start; GC time ${fl.window.gcSecondsSinceStart}; ingest commits ${fmt(fl.window.commits.total)}, ${fmt(fl.window.commits.over50ms)} over 50 ms, ${fmt(fl.window.commits.over250ms)} over 250 ms`,
    ]);
  }
  if (c) {
    rows.push([
      'pipeline capacity, values/s (flood, validate + store + ack)',
      `${fmt(c.ours.valuesPerSec)}${ok(c.ours.valuesPerSec >= 100_000)}`,
      '≥ 100,000',
      `bare ws receive loop: ${fmt(c.bare.valuesPerSec)} → ${pct(c.ratio)}`,
    ]);
    rows.push([
      'pipeline capacity, reports/s',
      fmt(c.ours.reportsPerSec),
      '',
      `bare ws: ${fmt(c.bare.reportsPerSec)}; server CPU ${fmt(c.ours.serverCpuPct)} %`,
    ]);
  }
  if (w) {
    const range = (x: [number, number]) => `${fmt(x[0])}–${fmt(x[1])}`;
    rows.push([
      'writer, values/s vs a bare loop of OUR rows (head row per report + device/stream rows, pre-encoded)',
      `${fmt(w.ours.valuesPerSec)} (${range(w.ours.valuesPerSecRange)})${ok(w.ratioOwnRows >= 0.3)}`,
      '≥ 30 % of bare insert loop',
      `bare loop: ${fmt(w.bareOwnRows.valuesPerSec)} (${range(w.bareOwnRows.valuesPerSecRange)}) → ${pct(w.ratioOwnRows)} (${pct(w.ratioOwnRowsRange[0])}–${pct(w.ratioOwnRowsRange[1])} per run); same transaction size, ${w.ours.runs} runs each`,
    ]);
    rows.push([
      'writer vs a bare loop writing one row PER VALUE (~30× our rows; flattering, kept for history)',
      fmt(w.ours.valuesPerSec),
      '',
      `naive samples loop: ${fmt(w.bare.valuesPerSec)} (${range(w.bare.valuesPerSecRange)}) → ${pct(w.ratio)}`,
    ]);
  }
  if (h) {
    rows.push([
      'bytes per stored value, raw (compacted blocks)',
      `${fmt(h.rawBytesPerValue, 2)} B${ok(h.rawBytesPerValue <= 4)}`,
      '≤ 4 B (stretch ≤ 1.5)',
      w ? `naive samples table: ${fmt(w.bare.bytesPerValue, 1)} B` : '',
    ]);
    rows.push([
      'bytes per value, whole file incl. 1m + 1h rollups',
      `${fmt(h.fileBytesPerValue, 2)} B`,
      '',
      `rollups: ${fmt(h.rollupBytesPerRawValue, 2)} B per raw value`,
    ]);
  }
  if (w) rows.push(['bytes per value, head rows (not yet compacted)', `${fmt(w.ours.bytesPerValue, 2)} B`, '', 'whole file after the writer section']);
  if (fl) {
    rows.push([
      'fleet page GET /api/devices under load, round trip (p50 / max)',
      `${fmt(fl.api.fleetPageMs.p50)} / ${fmt(fl.api.fleetPageMs.max)} ms${ok(fl.api.fleetPageMs.max < 1000)}`,
      '< 1 s',
      `${fmt(fl.api.fleetPageMs.devices)} devices (${fmt(fl.api.fleetPageMs.bytes / 1e6, 1)} MB of JSON); server time to build the list p50 ${fmt(fl.api.fleetPageMs.serverP50)} / max ${fmt(fl.api.fleetPageMs.serverMax)} ms`,
    ]);
    if (fl.api.chart30dMs)
      rows.push([
        '30-day chart query under load, server time (p50 / max)',
        `${fmt(fl.api.chart30dMs.serverP50, 1)} / ${fmt(fl.api.chart30dMs.serverMax, 1)} ms${ok(fl.api.chart30dMs.serverMax < 200)}`,
        '< 200 ms server time',
        `${fl.api.chart30dMs.points} points; round trip on loopback p50 ${fmt(fl.api.chart30dMs.p50)} / max ${fmt(fl.api.chart30dMs.max)} ms`,
      ]);
    if (fl.storm)
      rows.push([
        'reconnect storm (SIGKILL + restart)',
        `${fmt(fl.storm.agents)} / ${fmt(fl.agentsTarget)} reporting ${fl.storm.secondsToAllReporting !== null ? `after ${fmt(fl.storm.secondsToAllReporting, 1)} s` : 'not all within 120 s'}${ok(fl.storm.allBack && (fl.storm.secondsToAllReporting ?? 999) <= 60)}`,
        'all within 60 s, no crash',
        fl.storm.serverAlive ? 'server alive' : 'server died',
      ]);
    rows.push([
      'acknowledged reports lost',
      `${fmt(fl.loss.missing)} of ${fmt(fl.loss.ackedReports)}${ok(fl.loss.missing === 0)}`,
      '0',
      `${fl.loss.duplicateRows} duplicates`,
    ]);
    rows.push(['bytes per value, head rows of the live run', `${fmt(fl.liveHeadBytesPerValue, 2)} B`, '', 'head_reports pages / values']);
  }
  if (a)
    rows.push([
      'alert latency p50 / p95 (sample → alert + outbox row)',
      `${fmt(a.p50Ms)} / ${fmt(a.p95Ms)} ms${ok(a.p95Ms < 2000)}`,
      'p95 < 2 s',
      `${a.samples} samples, ${a.agents} agents`,
    ]);
  if (r.alertsFromSource) {
    const w = r.alertsFromSource;
    rows.push([
      'alert latency p50 / p95 from the crossing at the source, real agent with the watch (10 s reports → alert + outbox row)',
      `${fmt(w.withWatch.p50Ms)} / ${fmt(w.withWatch.p95Ms)} ms${ok(w.withWatch.p95Ms < 2000 && w.withWatch.missed === 0)}`,
      'p95 < 2 s',
      `without the watch in the same run: ${fmt(w.withoutWatch.p50Ms)} / ${fmt(w.withoutWatch.p95Ms)} ms (${fmt(w.withoutWatch.p95Ms / w.withWatch.p95Ms, 1)}× at p95); ${w.withWatch.crossings} + ${w.withoutWatch.crossings} crossings, ${w.agentsPerMode} + ${w.agentsPerMode} agents; load average ${w.loadAvg}`,
    ]);
    rows.push([
      'page latency p50 / p95 from the crossing at the source, with the watch (→ signed webhook received)',
      `${fmt(w.pageWithWatch.p50Ms)} / ${fmt(w.pageWithWatch.p95Ms)} ms${ok(w.pageWithWatch.p95Ms < 2000 && w.pageWithWatch.missed === 0 && w.badSignatures === 0)}`,
      'p95 < 2 s',
      `without the watch: ${fmt(w.pageWithoutWatch.p50Ms)} / ${fmt(w.pageWithoutWatch.p95Ms)} ms; ${w.badSignatures} bad signatures`,
    ]);
    rows.push([
      'agent CPU of the watch (one round of the cpu, memory and filesystem watch per second)',
      `${fmt(w.watchRoundCpuMs, 3)} ms per round = ${fmt(w.watchCpuPct, 3)} % of a core`,
      '',
      `${w.earlyReports} early reports for ${w.withWatch.crossings} crossings and their clears`,
    ]);
  }
  if (pg)
    rows.push([
      'alert latency p50 / p95 (sample → webhook received)',
      `${fmt(pg.p50Ms)} / ${fmt(pg.p95Ms)} ms${ok(pg.p95Ms < 2000)}`,
      'p95 < 2 s',
      `${pg.samples} pages, ${pg.agents} agents`,
    ]);
  if (og) {
    rows.push([
      'first page of an outage p50 / p95, grouping on (sample → webhook)',
      `${fmt(og.lone.on.p50Ms)} / ${fmt(og.lone.on.p95Ms)} ms${ok(og.lone.on.p95Ms <= og.lone.off.p95Ms * 1.25 + 5)}`,
      'as fast as grouping off',
      `grouping off in the same run: ${fmt(og.lone.off.p50Ms)} / ${fmt(og.lone.off.p95Ms)} ms; ${og.lone.on.samples} + ${og.lone.off.samples} pages`,
    ]);
    rows.push([
      `pages / resolutions for a ${og.outage.on.devices}-device outage, grouping on`,
      `${og.outage.on.pages} / ${og.outage.on.resolutions}${ok(og.outage.on.pages <= 2 && og.outage.on.resolutions === 1)}`,
      '1 page (+ ≤ 1 follow-up), 1 resolution',
      `grouping off: ${og.outage.off.pages} / ${og.outage.off.resolutions}; first page ${fmt(og.outage.on.firstPageMs ?? 0)} ms after the sockets closed (off: ${fmt(og.outage.off.firstPageMs ?? 0)} ms)`,
    ]);
  }
  if (jb)
    rows.push([
      `job fan-out to ${fmt(jb.agents)} agents (request → all hold a valid signed job)`,
      `${fmt(jb.allReceivedMs)} ms (p50 ${fmt(jb.p50ReceivedMs)}), server CPU ${jb.serverCpuSec} s${ok(jb.missing === 0 && jb.badSignatures === 0)}`,
      'all, none bad',
      `request ${fmt(jb.requestMs)} ms; bare signing of the same envelopes ${fmt(jb.bareSignMs)} ms; missing ${jb.missing}, bad signatures ${jb.badSignatures}`,
    ]);
  if (pr)
    rows.push([
      `site probe polling ${fmt(pr.targets)} SNMP printers every ${fmt(pr.intervalMs / 1000)} s`,
      `${pr.probeCpuPct} % of a core (${pr.probeCpuMsPerPoll} ms CPU per poll), RSS ${pr.probeRssMb} MB${ok(pr.polls >= pr.targets && (pr.states.ok ?? 0) === pr.polls)}`,
      'every printer polled, all ok',
      `idle probe process ${pr.idleProbeRssMb} MB; ${fmt(pr.polls)} polls in ${fmt(pr.seconds)} s; snmpd (${pr.snmpdProcesses} processes) ${pr.snmpdCpuPct} %`,
    ]);
  if (rp)
    rows.push([
      `client report for ${fmt(rp.devices)} devices and ${fmt(rp.alerts)} problems (gather + HTML + PDF)`,
      `HTML ${fmt(rp.htmlMs)} ms, PDF ${fmt(rp.pdfMs)} ms (${rp.pdfPages ?? '?'} pages, ${fmt(rp.pdfBytes / 1024)} KiB)`,
      '',
      `chromium printing one line ${fmt(rp.bareChromiumMs)} ms; printing the rendered HTML alone ${fmt(rp.printOnlyMs)} ms; figures alone ${fmt(rp.buildMs)} ms`,
    ]);
  const m = r.machine;
  const peerTable = renderPeerTable(r);
  const head = `\n**${m.date}** — ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, SQLite ${m.sqlite}; flags: \`${m.flags}\`; load average ${m.loadAvgStart} at start, ${m.loadAvgEnd} at end\n\n`;
  const main =
    rows.length === 0
      ? ''
      : '| figure | measured | target | baseline / note |\n|---|---|---|---|\n' + rows.map((x) => `| ${x.join(' | ')} |`).join('\n') + '\n';
  return head + main + peerTable;
}

/** Our figure beside a peer's, measured in the same run: figure | ours | peer | peer's figure | ratio ours/peer | load average. */
function renderPeerTable(r: {
  writer?: WriterResult & { loadAvg?: string };
  storagePeers?: StoragePeersResult & { loadAvg: string };
  ingestPeers?: IngestPeersResult;
  agent?: AgentPeersResult;
  alertsFromSource?: WatchLatencyResult & { loadAvg: string };
  alertPeers?: PrometheusAlertLatencyResult[];
}): string {
  const rows: [string, string, string, string, string, string][] = [];
  const ratio = (ours: number, peer: number) => `${ours / peer < 0.1 ? (ours / peer).toPrecision(2) : (ours / peer).toFixed(2)}×`;
  const wr = r.writer;
  if (wr) {
    rows.push([
      `writer values/s (${fmt(wr.reports)} reports, ${wr.batchReports} per transaction, median of ${wr.ours.runs})`,
      fmt(wr.ours.valuesPerSec),
      'bare better-sqlite3 loop writing our own rows',
      fmt(wr.bareOwnRows.valuesPerSec),
      `${fmt(wr.ratioOwnRows, 2)}× (${fmt(wr.ratioOwnRowsRange[0], 2)}–${fmt(wr.ratioOwnRowsRange[1], 2)})`,
      wr.loadAvg ?? '',
    ]);
    rows.push(['', '', 'bare loop, one row per value (~30× our rows)', fmt(wr.bare.valuesPerSec), `${fmt(wr.ratio, 2)}×`, wr.loadAvg ?? '']);
  }
  const ip = r.ingestPeers;
  if (ip) {
    const runs = (xs: { cpuSecPerMillionSamples: number }[]) => xs.map((x) => fmt(x.cpuSecPerMillionSamples, 2)).join(', ');
    rows.push([
      `server CPU-s per million samples ingested (${ip.runs} runs each, ${ip.seconds} s windows)`,
      `${fmt(ip.oursCpuSecPerMillion, 2)} (runs: ${runs(ip.ours)}; flood, ${ip.connections} ws connections)`,
      'VictoriaMetrics /api/v1/import, batched JSON lines',
      `${fmt(ip.vmCpuSecPerMillion, 2)} (runs: ${runs(ip.victoriaMetrics)})`,
      `${ratio(ip.oursCpuSecPerMillion, ip.vmCpuSecPerMillion)} (${fmt(ip.ratioRange[0], 2)}–${fmt(ip.ratioRange[1], 2)})`,
      ip.loadAvg.slice(0, -1).join(', '),
    ]);
    const fx = ip.fixedLoad;
    rows.push([
      `sample → ack p50 / p99 at a fixed ${fmt(fx.offeredReportsPerSec)} reports/s (${fmt(fx.valuesPerSec)} values/s, ${fx.connections} connections)`,
      `${fmt(fx.latencyP50Ms)} / ${fmt(fx.latencyP99Ms)} ms; ${fmt(fx.reportsPerSec)} reports/s acked, server ${fmt(fx.serverCpuPct)} % of a core`,
      '(no peer: VictoriaMetrics acks before its data is durable)',
      '',
      '',
      ip.loadAvg[ip.loadAvg.length - 1]!,
    ]);
  }
  const sp = r.storagePeers;
  if (sp) {
    const o = sp.ours.rawAndIndexBytesPerSample;
    const note = `${fmt(sp.samples)} samples, ${sp.series} series, ${sp.devices} devices × ${sp.days} d, timers drift 0–${sp.jitterMs} ms`;
    const b = (x: number) => `${fmt(x, 2)} B`;
    rows.push([
      `storage B/sample, raw + series index (${note})`,
      b(o),
      'Prometheus TSDB, exact float64',
      b(sp.prometheus.exact.bytesPerSample),
      ratio(o, sp.prometheus.exact.bytesPerSample),
      sp.loadAvg,
    ]);
    rows.push([
      '',
      '',
      'Prometheus TSDB, our quantised values',
      b(sp.prometheus.quantised.bytesPerSample),
      ratio(o, sp.prometheus.quantised.bytesPerSample),
      sp.loadAvg,
    ]);
    rows.push([
      '',
      '',
      'VictoriaMetrics, exact float64',
      b(sp.victoriaMetrics.exact.bytesPerSample),
      ratio(o, sp.victoriaMetrics.exact.bytesPerSample),
      sp.loadAvg,
    ]);
    rows.push([
      '',
      '',
      'VictoriaMetrics, our quantised values',
      b(sp.victoriaMetrics.quantised.bytesPerSample),
      ratio(o, sp.victoriaMetrics.quantised.bytesPerSample),
      sp.loadAvg,
    ]);
    rows.push([
      'storage B/sample, our whole file (rollups included): used pages / on disk / after VACUUM',
      `${b(sp.ours.usedPagesBytesPerSample)} / ${b(sp.ours.fileBytesPerSample)} / ${b(sp.ours.fileAfterVacuumBytesPerSample)}`,
      'VictoriaMetrics, our quantised values (it keeps no rollups)',
      b(sp.victoriaMetrics.quantised.bytesPerSample),
      `${ratio(sp.ours.fileAfterVacuumBytesPerSample, sp.victoriaMetrics.quantised.bytesPerSample)} after VACUUM, ${ratio(sp.ours.fileBytesPerSample, sp.victoriaMetrics.quantised.bytesPerSample)} on disk`,
      sp.loadAvg,
    ]);
  }
  const ag = r.agent;
  if (ag) {
    const a = ag.agent;
    const what = `our agent, wss://, 10 s interval (${fmt(a.cycles)} cycles, ${ag.settings.minutes} min)`;
    const z = ag.zabbixAgent2;
    rows.push([
      `agent CPU ms per cycle / scrape, ${what}`,
      fmt(a.cpuMsPerCycleWithChildren, 2),
      'node_exporter, default collectors',
      fmt(ag.nodeExporter.cpuMsPerScrape, 2),
      ratio(a.cpuMsPerCycleWithChildren, ag.nodeExporter.cpuMsPerScrape),
      ag.loadAvg,
    ]);
    rows.push([
      '',
      '',
      `node_exporter, matched collectors (${ag.nodeExporterMatched.collectors.join(', ')})`,
      fmt(ag.nodeExporterMatched.cpuMsPerScrape, 2),
      ratio(a.cpuMsPerCycleWithChildren, ag.nodeExporterMatched.cpuMsPerScrape),
      ag.loadAvg,
    ]);
    if (z.cpuMsPerPoll !== undefined)
      rows.push([
        '',
        '',
        `zabbix_agent2, ${z.items} matching passive items per poll`,
        fmt(z.cpuMsPerPoll, 2),
        ratio(a.cpuMsPerCycleWithChildren, z.cpuMsPerPoll),
        ag.loadAvg,
      ]);
    else rows.push(['', '', 'zabbix_agent2', z.unavailable ?? 'not available', '', ag.loadAvg]);
    rows.push([
      'agent RSS median, MB',
      fmt(a.rssMbMedian, 1),
      'node_exporter default / matched',
      `${fmt(ag.nodeExporter.rssMbMedian, 1)} / ${fmt(ag.nodeExporterMatched.rssMbMedian, 1)}`,
      ratio(a.rssMbMedian, ag.nodeExporter.rssMbMedian),
      ag.loadAvg,
    ]);
    if (z.rssMbMedian !== undefined) rows.push(['', '', 'zabbix_agent2', fmt(z.rssMbMedian, 1), ratio(a.rssMbMedian, z.rssMbMedian), ag.loadAvg]);
  }
  const w = r.alertsFromSource;
  if (w && r.alertPeers) {
    let first = true;
    for (const peer of r.alertPeers) {
      const e = peer.effective;
      rows.push([
        first ? `page latency p95 from the crossing at the source → webhook received (10 s reports, watch on; p50 ${fmt(w.pageWithWatch.p50Ms)} ms)` : '',
        first ? `${fmt(w.pageWithWatch.p95Ms)} ms` : '',
        `Prometheus ${peer.prometheusVersion} + Alertmanager ${peer.alertmanagerVersion}, ${peer.setting} (scrape ${e.scrapeInterval}, eval ${e.evaluationInterval}, group_wait ${e.groupWait}; p50 ${fmt(peer.webhook.p50Ms)} ms, ${peer.webhook.missed} missed)`,
        `${fmt(peer.webhook.p95Ms)} ms`,
        ratio(w.pageWithWatch.p95Ms, peer.webhook.p95Ms),
        `${peer.loadAvgStart.toFixed(2)} → ${peer.loadAvgEnd.toFixed(2)}`,
      ]);
      first = false;
    }
  }
  if (rows.length === 0) return '';
  return (
    '\n**Against peers, same run** (ratio = ours / peer; for bytes and CPU lower is better)\n\n| figure | ours | peer | peer | ratio | load avg |\n|---|---|---|---|---|---|\n' +
    rows.map((x) => `| ${x.join(' | ')} |`).join('\n') +
    '\n'
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
