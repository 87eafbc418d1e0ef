/**
 * Agent footprint benchmark (`npm run bench:agent -- --minutes 3`): the bundled agent
 * (dist/agent/quarkpulse-agent.mjs) reporting every 10 s over wss:// (a throw-away private CA, as
 * a real install with its own CA) to a real server, side by side in the same run with Debian's
 * prometheus-node-exporter twice — default collectors, and only the collectors matching what our
 * agent collects — scraped every 10 s, and Debian's zabbix_agent2 asked for the matching items
 * (passive checks) every 10 s. For every process it reads
 * /proc/<pid>/stat (CPU ticks, own + waited-for children) and /proc/<pid>/status (VmRSS, VmHWM)
 * and reports CPU per collection cycle / per scrape, RSS, and the ratios against the targets:
 * agent RSS ≤ 45 MB, agent CPU per cycle ≤ 0.5 × node_exporter's CPU per scrape.
 *
 * Flags: --minutes N (measured time, default 3), --warmup-sec N (default 40),
 * --node-flags "…" (V8 flags for the agent, default the ones scripts/install use),
 * --out FILE (JSON, default .bench/agent-<time>.json).
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { createServer } from '../server/index.js';
import { makePrivateCa } from '../tests/agent/helpers/private-ca.js';

/** node_exporter collectors matching the agent's: cpu, memory + swap, filesystems, network, load, processes, uptime/boot, host. */
const MATCHED_COLLECTORS = ['cpu', 'meminfo', 'filesystem', 'netdev', 'loadavg', 'processes', 'stat', 'time', 'uname'];
/** zabbix_agent2 passive items matching the agent's report (one TCP request each, like a Zabbix server's poller). */
const ZABBIX_ITEMS = [
  'system.cpu.util',
  'system.cpu.load[all,avg1]',
  'system.cpu.load[all,avg5]',
  'system.cpu.load[all,avg15]',
  'vm.memory.size[total]',
  'vm.memory.size[available]',
  'system.swap.size[,total]',
  'system.swap.size[,free]',
  'vfs.fs.size[/,total]',
  'vfs.fs.size[/,used]',
  'vfs.fs.size[/,pused]',
  'net.if.in[lo]',
  'net.if.out[lo]',
  'proc.num[]',
  'system.uptime',
  'system.users.num',
];

/** One Zabbix passive check: ZBXD header + key, answer with the same header. */
function zabbixGet(port: number, key: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    sock.on('connect', () => {
      const body = Buffer.from(key);
      const head = Buffer.alloc(13);
      head.write('ZBXD', 0, 'latin1');
      head[4] = 1;
      head.writeUInt32LE(body.length, 5);
      sock.end(Buffer.concat([head, body]));
    });
    sock.on('data', (d) => chunks.push(d));
    sock.on('error', reject);
    sock.on('close', () => {
      const all = Buffer.concat(chunks);
      if (all.length < 13 || all.toString('latin1', 0, 4) !== 'ZBXD') return reject(new Error(`zabbix_agent2: no answer to ${key}`));
      resolve(all.subarray(13).toString());
    });
  });
}

function ensureZabbixAgent2(): string | undefined {
  const bin = '/usr/sbin/zabbix_agent2';
  if (fs.existsSync(bin)) return bin;
  process.stderr.write('zabbix_agent2 missing; installing zabbix-agent2 with apt-get\n');
  try {
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'zabbix-agent2'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } catch {
    return undefined;
  }
  return fs.existsSync(bin) ? bin : undefined;
}

/** V8 flags the install scripts start the agent with (see docs/OPERATIONS.md). */
export const AGENT_NODE_FLAGS = ['--max-semi-space-size=1', '--max-old-space-size=32', '--jitless'];

const INTERVAL_MS = 10_000;
const BUNDLE = path.resolve('dist/agent/quarkpulse-agent.mjs');
/** The self-contained executable (Node SEA) that install.sh ships for this platform. */
const EXECUTABLE = path.resolve(`dist/agent/bin/quarkpulse-agent-linux-${process.arch === 'arm64' ? 'arm64' : 'x64'}`);

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const minutes = Number(flag('minutes', '3'));
const warmupSec = Number(flag('warmup-sec', '40'));
const nodeFlags = flag('node-flags', AGENT_NODE_FLAGS.join(' ')).split(' ').filter(Boolean);
const outFile = flag('out', path.join('.bench', `agent-${new Date().toISOString().replace(/[:.]/g, '-')}.json`));
const clkTck = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU seconds of a process: own user+system, and with its waited-for children (cutime+cstime). */
function cpuSec(pid: number): { own: number; withChildren: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name "(…)", which may itself contain spaces.
  const f = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
  const [utime, stime, cutime, cstime] = [f[11]!, f[12]!, f[13]!, f[14]!];
  return { own: (utime + stime) / clkTck, withChildren: (utime + stime + cutime + cstime) / clkTck };
}

function memKb(pid: number): { rssKb: number; hwmKb: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const get = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { rssKb: get('VmRSS'), hwmKb: get('VmHWM') };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function ensureNodeExporter(): string {
  const bin = '/usr/bin/prometheus-node-exporter';
  if (fs.existsSync(bin)) return bin;
  process.stderr.write('prometheus-node-exporter missing; installing it with apt-get\n');
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'prometheus-node-exporter'], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  // The package also starts a system service on :9100; ours runs separately on its own port.
  return bin;
}

/** Admin API call; over https:// it trusts the bench's private CA (`ca`). */
async function freePortBelow32768(): Promise<number> {
  for (let i = 0, port = 20_000 + Math.floor(Math.random() * 10_000); i < 200; i++, port++) {
    const ok = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (ok) return port;
  }
  throw new Error('no free port in 20000–30200 for zabbix_agent2');
}

async function api(base: string, cookie: string, method: string, p: string, body?: unknown, ca?: string) {
  const data = body === undefined ? undefined : JSON.stringify(body);
  const res = await new Promise<{ status: number; text: string; setCookie?: string }>((resolve, reject) => {
    const req = https.request(
      base + p,
      {
        method,
        ca,
        headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}), ...(data ? { 'content-length': Buffer.byteLength(data) } : {}) },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, setCookie: res.headers['set-cookie']?.[0] }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
  let json: any;
  try {
    json = JSON.parse(res.text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, cookie: res.setCookie?.split(';')[0] ?? cookie };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

async function main(): Promise<void> {
  if (!fs.existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing; run npm run build:agent first (npm run bench:agent does)`);
  if (!fs.existsSync(EXECUTABLE)) throw new Error(`${EXECUTABLE} is missing; run npm run build:agent first (npm run bench:agent does)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-bench-agent-'));
  const children: ChildProcess[] = [];
  const ca = makePrivateCa(dir);
  const server = await createServer({
    dataDir: path.join(dir, 'server'),
    adminPassword: 'bench-password-123',
    logger: pino({ level: 'silent' }),
    tls: { certFile: ca.certFile, keyFile: ca.keyFile },
  });
  try {
    await server.listen(0, '127.0.0.1');
    const base = server.url();
    const caPem = fs.readFileSync(ca.caFile, 'utf8');
    let r = await api(base, '', 'POST', '/api/login', { username: 'admin', password: 'bench-password-123' }, caPem);
    const cookie = r.cookie;
    r = await api(base, cookie, 'POST', '/api/clients', { name: 'Bench', contract: 'monthly' }, caPem);
    const clientId = r.json.id as string;
    r = await api(base, cookie, 'POST', `/api/clients/${clientId}/enrollment-tokens`, { expiresInHours: 1 }, caPem);
    const configPath = path.join(dir, 'agent', 'agent.json');
    // Not execFileSync: the server answering the enrollment runs in this very process.
    if (!base.startsWith('https://')) throw new Error(`the bench server should listen with TLS, got ${base}`);
    // The token goes in the environment, as the install scripts pass it (never in argv).
    const enroll = (bin: string[], token: string, config: string) =>
      promisify(execFile)(bin[0]!, [...bin.slice(1), 'agent', 'enroll', '--server', base, '--config', config, '--ca', ca.caFile], {
        env: { ...process.env, QP_TOKEN: token },
      });
    await enroll([process.execPath, BUNDLE], r.json.token, configPath);
    // The executable runs in the same minutes as the bundle, as a device of a second client (in
    // the same client this machine's id would make it the same device, enrolled again).
    r = await api(base, cookie, 'POST', '/api/clients', { name: 'Bench executable', contract: 'monthly' }, caPem);
    r = await api(base, cookie, 'POST', `/api/clients/${r.json.id as string}/enrollment-tokens`, { expiresInHours: 1 }, caPem);
    const exeConfigPath = path.join(dir, 'agent-exe', 'agent.json');
    await enroll([EXECUTABLE], r.json.token, exeConfigPath);

    const agent = spawn(process.execPath, [...nodeFlags, BUNDLE, 'agent', 'run', '--config', configPath, '--log-level', 'warn'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(agent);
    // As installed: the executable with the same V8 flags, through NODE_OPTIONS (a SEA reads them there).
    const exe = spawn(EXECUTABLE, ['agent', 'run', '--config', exeConfigPath, '--log-level', 'warn'], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, NODE_OPTIONS: nodeFlags.join(' ') },
    });
    children.push(exe);
    // The floor: an idle node with the modules any WebSocket-over-TLS client loads, same flags.
    const floor = spawn(
      process.execPath,
      [...nodeFlags, '-e', "require('node:https');require('node:tls');require('node:crypto').randomBytes(1);setInterval(()=>{},1<<30)"],
      { stdio: 'ignore' },
    );
    children.push(floor);
    const bare = spawn(process.execPath, ['-e', 'setInterval(()=>{},1<<30)'], { stdio: 'ignore' });
    children.push(bare);
    const exporterPort = await freePort();
    const exporter = spawn(ensureNodeExporter(), [`--web.listen-address=127.0.0.1:${exporterPort}`], { stdio: ['ignore', 'ignore', 'ignore'] });
    children.push(exporter);
    const matchedPort = await freePort();
    const matched = spawn(
      ensureNodeExporter(),
      [`--web.listen-address=127.0.0.1:${matchedPort}`, '--collector.disable-defaults', ...MATCHED_COLLECTORS.map((c) => `--collector.${c}`)],
      { stdio: ['ignore', 'ignore', 'ignore'] },
    );
    children.push(matched);
    const zabbixBin = ensureZabbixAgent2();
    let zabbix: ChildProcess | undefined;
    // zabbix_agent2 accepts ListenPort 1024–32767 only: the first free one from a random start.
    const zabbixPort = await freePortBelow32768();
    if (zabbixBin) {
      const conf = path.join(dir, 'zabbix_agent2.conf');
      fs.writeFileSync(
        conf,
        [
          'Server=127.0.0.1',
          'ServerActive=',
          `ListenPort=${zabbixPort}`,
          'ListenIP=127.0.0.1',
          'Hostname=bench',
          'LogType=console',
          'LogFile=/dev/null',
          `PidFile=${path.join(dir, 'zabbix_agent2.pid')}`,
          `ControlSocket=${path.join(dir, 'zabbix_agent2.sock')}`,
          '',
        ].join('\n'),
      );
      zabbix = spawn(zabbixBin, ['-c', conf, '-f'], { stdio: ['ignore', 'ignore', 'inherit'] });
      children.push(zabbix);
    }

    const scrapeOne = async (port: number) => {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      return (await res.text()).length;
    };
    let matchedBytes = 0;
    const zabbixFailures: string[] = [];
    const scrape = async () => {
      const [bytes, m] = await Promise.all([
        scrapeOne(exporterPort),
        scrapeOne(matchedPort),
        zabbix
          ? Promise.all(
              ZABBIX_ITEMS.map((k) => zabbixGet(zabbixPort, k).then((v) => (v.startsWith('ZBX_NOTSUPPORTED') ? zabbixFailures.push(`${k}: ${v}`) : 0))),
            )
          : undefined,
      ]);
      matchedBytes = m;
      return bytes;
    };
    process.stderr.write(
      `agent pid ${agent.pid} (node ${nodeFlags.join(' ')}), node_exporter pid ${exporter.pid} on :${exporterPort}; warm-up ${warmupSec} s, then ${minutes} min\n`,
    );
    // Scrape during warm-up too, so node_exporter is as warm as the agent.
    const warmupEnd = Date.now() + warmupSec * 1000;
    while (Date.now() < warmupEnd) {
      await scrape().catch(() => 0);
      await sleep(INTERVAL_MS);
    }

    // The peers must answer before the window starts: a peer that does not is a failed run.
    await scrape();
    zabbixFailures.length = 0;
    const agentCpu0 = cpuSec(agent.pid!);
    const exeCpu0 = cpuSec(exe.pid!);
    const exeRssKb: number[] = [];
    const exporterCpu0 = cpuSec(exporter.pid!);
    const matchedCpu0 = cpuSec(matched.pid!);
    const zabbixCpu0 = zabbix ? cpuSec(zabbix.pid!) : undefined;
    const matchedRssKb: number[] = [];
    const zabbixRssKb: number[] = [];
    const t0 = Date.now();
    const agentRssKb: number[] = [];
    const exporterRssKb: number[] = [];
    let scrapes = 0;
    let scrapeBytes = 0;
    const endAt = t0 + minutes * 60_000;
    while (Date.now() < endAt) {
      scrapeBytes = await scrape();
      scrapes++;
      agentRssKb.push(memKb(agent.pid!).rssKb);
      exeRssKb.push(memKb(exe.pid!).rssKb);
      exporterRssKb.push(memKb(exporter.pid!).rssKb);
      matchedRssKb.push(memKb(matched.pid!).rssKb);
      if (zabbix) zabbixRssKb.push(memKb(zabbix.pid!).rssKb);
      await sleep(INTERVAL_MS);
    }
    const elapsedSec = (Date.now() - t0) / 1000;
    const agentCpu1 = cpuSec(agent.pid!);
    const exeCpu1 = cpuSec(exe.pid!);
    const exeHwmKb = memKb(exe.pid!).hwmKb;
    const exporterCpu1 = cpuSec(exporter.pid!);
    const matchedCpu1 = cpuSec(matched.pid!);
    const zabbixCpu1 = zabbix ? cpuSec(zabbix.pid!) : undefined;
    const agentHwmKb = memKb(agent.pid!).hwmKb;
    const floorRssKb = memKb(floor.pid!).rssKb;
    const bareRssKb = memKb(bare.pid!).rssKb;
    const cycles = elapsedSec / (INTERVAL_MS / 1000);
    // A stored report is a head row until the compactor moves its hour into a block (point_count).
    const reportsStored = (
      server.db.prepare('SELECT (SELECT count(*) FROM head_reports) + (SELECT coalesce(sum(point_count), 0) FROM raw_blocks) AS n').get() as { n: number }
    ).n;
    // A run in which the agent never got a report stored measured nothing: fail loudly.
    if (reportsStored === 0) throw new Error('the agent stored no report during the run; its figures would mean nothing');

    const exeDevices = (server.db.prepare('SELECT count(*) AS n FROM devices').get() as { n: number }).n;
    if (exeDevices < 2) throw new Error('the executable did not enroll as a second device; its figures would mean nothing');
    const agentOwnMsPerCycle = ((agentCpu1.own - agentCpu0.own) * 1000) / cycles;
    const agentAllMsPerCycle = ((agentCpu1.withChildren - agentCpu0.withChildren) * 1000) / cycles;
    const exporterMsPerScrape = ((exporterCpu1.withChildren - exporterCpu0.withChildren) * 1000) / scrapes;
    const matchedMsPerScrape = ((matchedCpu1.withChildren - matchedCpu0.withChildren) * 1000) / scrapes;
    const zabbixMsPerPoll = zabbixCpu0 && zabbixCpu1 ? ((zabbixCpu1.withChildren - zabbixCpu0.withChildren) * 1000) / scrapes : NaN;
    const result = {
      when: new Date().toISOString(),
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version, clkTck },
      settings: { intervalMs: INTERVAL_MS, minutes, warmupSec, nodeFlags, bundleBytes: fs.statSync(BUNDLE).size },
      agent: {
        rssMbMedian: round(median(agentRssKb) / 1024),
        rssMbMax: round(Math.max(...agentRssKb) / 1024),
        peakRssMb: round(agentHwmKb / 1024),
        cpuMsPerCycle: round(agentOwnMsPerCycle),
        cpuMsPerCycleWithChildren: round(agentAllMsPerCycle),
        cycles: round(cycles, 1),
        reportsStored,
        // Everything before the measured window: start, init, and the first run of every slow
        // collector (processes, disks, updates, facts), child processes included.
        warmupCpuMsWithChildren: round(agentCpu0.withChildren * 1000),
      },
      executable: {
        path: path.relative(process.cwd(), EXECUTABLE),
        sizeMb: round(fs.statSync(EXECUTABLE).size / 1024 / 1024, 1),
        bundleSizeMb: round(fs.statSync(BUNDLE).size / 1024 / 1024, 1),
        rssMbMedian: round(median(exeRssKb) / 1024),
        rssMbMax: round(Math.max(...exeRssKb) / 1024),
        peakRssMb: round(exeHwmKb / 1024),
        cpuMsPerCycleWithChildren: round(((exeCpu1.withChildren - exeCpu0.withChildren) * 1000) / cycles),
      },
      nodeFloor: {
        bareNodeRssMb: round(bareRssKb / 1024),
        nodeWithTlsRssMb: round(floorRssKb / 1024),
        agentAboveFloorMb: round(median(agentRssKb) / 1024 - floorRssKb / 1024),
      },
      nodeExporter: {
        rssMbMedian: round(median(exporterRssKb) / 1024),
        rssMbMax: round(Math.max(...exporterRssKb) / 1024),
        cpuMsPerScrape: round(exporterMsPerScrape),
        scrapes,
        scrapeBytes,
      },
      nodeExporterMatched: {
        collectors: MATCHED_COLLECTORS,
        rssMbMedian: round(median(matchedRssKb) / 1024),
        cpuMsPerScrape: round(matchedMsPerScrape),
        scrapeBytes: matchedBytes,
      },
      zabbixAgent2: zabbix
        ? {
            items: ZABBIX_ITEMS.length,
            notSupported: [...new Set(zabbixFailures)],
            rssMbMedian: round(median(zabbixRssKb) / 1024),
            cpuMsPerPoll: round(zabbixMsPerPoll),
          }
        : { unavailable: 'the Debian package zabbix-agent2 could not be installed here' },
      ratios: {
        agentCpuToMatchedExporter: round(agentAllMsPerCycle / matchedMsPerScrape, 3),
        agentCpuToZabbixAgent2: zabbix ? round(agentAllMsPerCycle / zabbixMsPerPoll, 3) : null,
        agentRssToZabbixAgent2Rss: zabbix ? round(median(agentRssKb) / median(zabbixRssKb), 2) : null,
        agentCpuPerCycleToExporterCpuPerScrape: round(agentOwnMsPerCycle / exporterMsPerScrape, 3),
        agentCpuWithChildrenToExporter: round(agentAllMsPerCycle / exporterMsPerScrape, 3),
        agentRssToExporterRss: round(median(agentRssKb) / median(exporterRssKb), 2),
      },
      targets: {
        rssMbMax: 45,
        cpuRatioMax: 0.5,
        isRssMet: Math.max(...agentRssKb) / 1024 <= 45,
        isCpuMet: agentAllMsPerCycle / exporterMsPerScrape <= 0.5,
      },
    };
    fs.mkdirSync(path.dirname(outFile), { recursive: true });
    fs.writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);
    const a = result.agent;
    const e = result.nodeExporter;
    const q = result.ratios;
    process.stdout.write(
      [
        `| measure (${minutes} min, 10 s interval, ${os.cpus().length} cores) | quarkpulse agent | node_exporter | ratio | target |`,
        '|---|---|---|---|---|',
        `| RSS median / max, MB | ${a.rssMbMedian} / ${a.rssMbMax} (peak ${a.peakRssMb}) | ${e.rssMbMedian} / ${e.rssMbMax} | ${q.agentRssToExporterRss} | agent ≤ 45 MB: ${result.targets.isRssMet ? 'met' : 'NOT met'} |`,
        `| CPU per cycle / scrape, ms | ${a.cpuMsPerCycle} (with child processes ${a.cpuMsPerCycleWithChildren}) | ${e.cpuMsPerScrape} | ${q.agentCpuPerCycleToExporterCpuPerScrape} (${q.agentCpuWithChildrenToExporter}) | ≤ 0.5: ${result.targets.isCpuMet ? 'met' : 'NOT met'} |`,
        `| executable (${result.executable.path}, Node SEA, same flags): size MB / RSS median / max MB / CPU per cycle with children ms | ${result.executable.sizeMb} (bundle ${result.executable.bundleSizeMb} + node) / ${result.executable.rssMbMedian} / ${result.executable.rssMbMax} / ${result.executable.cpuMsPerCycleWithChildren} | | | |`,
        `| floor: idle node 20 / idle node 20 with https+tls loaded, same flags, MB | ${result.nodeFloor.bareNodeRssMb} / ${result.nodeFloor.nodeWithTlsRssMb} | | agent − floor: ${result.nodeFloor.agentAboveFloorMb} MB | |`,
        `| CPU during start-up and warm-up (${warmupSec} s, first run of every collector, with children), ms | ${a.warmupCpuMsWithChildren} | | | |`,
        `| node_exporter, matched collectors only (${MATCHED_COLLECTORS.join(', ')}): RSS median MB / CPU per scrape ms | | ${result.nodeExporterMatched.rssMbMedian} / ${result.nodeExporterMatched.cpuMsPerScrape} | CPU ${q.agentCpuToMatchedExporter} | |`,
        'cpuMsPerPoll' in result.zabbixAgent2
          ? `| zabbix_agent2, ${ZABBIX_ITEMS.length} matching passive items every 10 s: RSS median MB / CPU per poll ms | | ${result.zabbixAgent2.rssMbMedian} / ${result.zabbixAgent2.cpuMsPerPoll} | RSS ${q.agentRssToZabbixAgent2Rss}, CPU ${q.agentCpuToZabbixAgent2} | |`
          : '| zabbix_agent2 | | not available here | | |',
        `| cycles / scrapes measured | ${a.cycles} (${a.reportsStored} reports stored in all) | ${e.scrapes} (${e.scrapeBytes} bytes each) | | |`,
        '',
        `JSON: ${outFile}`,
        '',
      ].join('\n'),
    );
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    await sleep(500);
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench-agent: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
