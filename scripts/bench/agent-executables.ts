/**
 * Agent runtimes side by side (`npx tsx scripts/bench/agent-executables.ts`, after
 * `npm run build:agent`): the same agent code, each enrolled as its own device against one real
 * server, all running at the same time at the default 10 s interval:
 *   bundle      node 20 + dist/agent/quarkpulse-agent.mjs with the install scripts' V8 flags
 *   sea         dist/agent/bin/quarkpulse-agent-linux-x64 (Node SEA), no flags
 *   sea+flags   the same executable with NODE_OPTIONS carrying the same V8 flags
 *   bun         `bun build --compile` of agent/main.ts (bun from npm @oven/bun-linux-x64, cached)
 * The updates collector (apt simulation) is off for all of them; everything else runs as shipped.
 * Plus Debian's prometheus-node-exporter scraped every 10 s as the CPU baseline.
 * Per runtime: file size, start time (median of 7 `--version` runs), RSS median / peak, CPU per
 * cycle (own + waited-for children, /proc/<pid>/stat), reports stored, and the series each one
 * reported (the same set means every collector works under that runtime).
 *
 * Flags: --seconds N measured (default 60), --warmup-sec N (default 30), --out FILE.
 */
import { execFile, execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { createServer } from '../../server/index.js';

const run = promisify(execFile);
const INTERVAL_MS = 10_000;
const V8_FLAGS = ['--max-semi-space-size=1', '--max-old-space-size=32', '--jitless'];
const BUNDLE = path.resolve('dist/agent/quarkpulse-agent.mjs');
const SEA = path.resolve('dist/agent/bin/quarkpulse-agent-linux-x64');
const BUN_VERSION = '1.4.5';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}
const seconds = Number(flag('seconds', '60'));
const warmupSec = Number(flag('warmup-sec', '30'));
const outFile = flag('out', path.join('.bench', `agent-executables-${new Date().toISOString().replace(/[:.]/g, '-')}.json`));
const clkTck = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

function cpuSec(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
  return (f[11]! + f[12]! + f[13]! + f[14]!) / clkTck;
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

/** bun from its npm package (npm pack, cached), then `bun build --compile` of the agent. */
function buildBun(dir: string): string | undefined {
  const cache = path.resolve('node_modules/.cache/quarkpulse-runtimes', `bun-linux-x64-${BUN_VERSION}`);
  const bun = path.join(cache, 'package/bin/bun');
  if (!fs.existsSync(bun)) {
    fs.mkdirSync(cache, { recursive: true });
    const r = spawnSync('npm', ['pack', `@oven/bun-linux-x64@${BUN_VERSION}`, '--pack-destination', cache, '--json', '--silent'], { encoding: 'utf8' });
    if (r.status !== 0) return undefined;
    const tgz = path.join(cache, JSON.parse(r.stdout)[0].filename as string);
    execFileSync('tar', ['-xzf', tgz, '-C', cache, 'package/bin/bun']);
    fs.rmSync(tgz);
  }
  const out = path.join(dir, 'quarkpulse-agent-bun');
  const { version } = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { version: string };
  execFileSync(
    bun,
    [
      'build',
      '--compile',
      '--minify',
      '--target=bun-linux-x64',
      '--define',
      `__QP_AGENT_VERSION__=${JSON.stringify(version)}`,
      'agent/main.ts',
      '--outfile',
      out,
    ],
    { stdio: 'ignore' },
  );
  return out;
}

interface Runtime {
  name: string;
  file: string;
  /** Bytes to ship to a client machine (runtime included). */
  shipBytes: number;
  cmd: string;
  prefix: string[];
  env?: NodeJS.ProcessEnv;
}

async function startMs(r: Runtime): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = process.hrtime.bigint();
    await run(r.cmd, [...r.prefix, '--version'], { env: { ...process.env, ...r.env } });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(times);
}

async function main(): Promise<void> {
  for (const f of [BUNDLE, SEA]) if (!fs.existsSync(f)) throw new Error(`${f} is missing; run npm run build:agent first`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-bench-exe-'));
  const nodeBytes = fs.statSync(process.execPath).size;
  const runtimes: Runtime[] = [
    {
      name: 'bundle (node + .mjs, V8 flags)',
      file: BUNDLE,
      shipBytes: fs.statSync(BUNDLE).size + nodeBytes,
      cmd: process.execPath,
      prefix: [...V8_FLAGS, BUNDLE],
    },
    { name: 'sea', file: SEA, shipBytes: fs.statSync(SEA).size, cmd: SEA, prefix: [] },
    { name: 'sea + NODE_OPTIONS V8 flags', file: SEA, shipBytes: fs.statSync(SEA).size, cmd: SEA, prefix: [], env: { NODE_OPTIONS: V8_FLAGS.join(' ') } },
  ];
  const bun = buildBun(dir);
  if (bun) runtimes.push({ name: 'bun --compile', file: bun, shipBytes: fs.statSync(bun).size, cmd: bun, prefix: [] });
  else process.stderr.write('bun could not be fetched with npm pack; measuring without it\n');

  const children: ChildProcess[] = [];
  const server = await createServer({
    dataDir: path.join(dir, 'server'),
    adminPassword: 'bench-password-123',
    logger: pino({ level: 'silent' }),
    storageUpkeep: false,
  });
  try {
    await server.listen(0, '127.0.0.1');
    const base = server.url();
    const login = await fetch(`${base}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'bench-password-123' }),
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const post = async (p: string, body: unknown) =>
      (await (await fetch(base + p, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify(body) })).json()) as any;
    const client = await post('/api/clients', { name: 'Bench', contract: 'monthly' });

    const starts = new Map<string, number>();
    for (const r of runtimes) starts.set(r.name, await startMs(r));

    const procs: { r: Runtime; child: ChildProcess; deviceId: string }[] = [];
    for (const [i, r] of runtimes.entries()) {
      const token = (await post(`/api/clients/${client.id}/enrollment-tokens`, {})).token as string;
      const configPath = path.join(dir, `agent-${i}`, 'agent.json');
      // Enrolling uses fetch, which needs WebAssembly, which --jitless turns off: enroll without the flags.
      const enrollPrefix = r.prefix.filter((a) => !V8_FLAGS.includes(a));
      await run(r.cmd, [...enrollPrefix, 'agent', 'enroll', '--server', base, '--token', token, '--config', configPath]);
      const deviceId = (JSON.parse(fs.readFileSync(configPath, 'utf8')) as { deviceId: string }).deviceId;
      // The apt simulation of the updates collector (~2.5 s CPU, measured in "Agent footprint") would
      // land in a window this short for some runtimes and not others: off for all, on both ends.
      const settings = { intervalMs: INTERVAL_MS, collectors: { updates: false } };
      fs.writeFileSync(path.join(path.dirname(configPath), 'server-settings.json'), JSON.stringify(settings));
      await fetch(`${base}/api/devices/${deviceId}/agent-config`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', cookie },
        body: JSON.stringify(settings),
      });
      const child = spawn(r.cmd, [...r.prefix, 'agent', 'run', '--config', configPath, '--log-level', 'warn'], {
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, ...r.env },
      });
      children.push(child);
      procs.push({ r, child, deviceId });
    }
    const exporterBin = '/usr/bin/prometheus-node-exporter';
    const exporterPort = await freePort();
    const exporter = fs.existsSync(exporterBin) ? spawn(exporterBin, [`--web.listen-address=127.0.0.1:${exporterPort}`], { stdio: 'ignore' }) : undefined;
    if (exporter) children.push(exporter);
    const scrape = () =>
      exporter
        ? fetch(`http://127.0.0.1:${exporterPort}/metrics`)
            .then((x) => x.text())
            .catch(() => '')
        : Promise.resolve('');

    process.stderr.write(`${runtimes.length} runtimes enrolled; warm-up ${warmupSec} s, then ${seconds} s\n`);
    const warmEnd = Date.now() + warmupSec * 1000;
    while (Date.now() < warmEnd) {
      await scrape();
      await sleep(INTERVAL_MS);
    }
    const cpu0 = procs.map((p) => cpuSec(p.child.pid!));
    const exporterCpu0 = exporter ? cpuSec(exporter.pid!) : 0;
    const rss = procs.map(() => [] as number[]);
    const t0 = Date.now();
    let scrapes = 0;
    while (Date.now() < t0 + seconds * 1000) {
      await scrape();
      scrapes++;
      procs.forEach((p, i) => rss[i]!.push(memKb(p.child.pid!).rssKb));
      await sleep(INTERVAL_MS);
    }
    const cycles = (Date.now() - t0) / INTERVAL_MS;
    const exporterMsPerScrape = exporter ? ((cpuSec(exporter.pid!) - exporterCpu0) * 1000) / scrapes : NaN;
    const seriesOf = server.db.prepare('SELECT name FROM series WHERE device_id = ? ORDER BY name');
    const reportsOf = server.db.prepare('SELECT count(*) AS n FROM head_reports WHERE device_id = ?');
    const reference = (seriesOf.all(procs[0]!.deviceId) as { name: string }[]).map((s) => s.name);
    const rows = procs.map((p, i) => {
      const names = (seriesOf.all(p.deviceId) as { name: string }[]).map((s) => s.name);
      const cpuMs = ((cpuSec(p.child.pid!) - cpu0[i]!) * 1000) / cycles;
      return {
        runtime: p.r.name,
        shipMiB: round(p.r.shipBytes / 1048576),
        startMs: round(starts.get(p.r.name)!, 0),
        rssMbMedian: round(median(rss[i]!) / 1024),
        peakRssMb: round(memKb(p.child.pid!).hwmKb / 1024),
        cpuMsPerCycle: round(cpuMs, 2),
        cpuToExporter: round(cpuMs / exporterMsPerScrape, 2),
        reportsStored: (reportsOf.get(p.deviceId) as { n: number }).n,
        series: names.length,
        missingSeries: reference.filter((n) => !names.includes(n)),
        extraSeries: names.filter((n) => !reference.includes(n)),
      };
    });
    const result = {
      when: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model,
        memGiB: round(os.totalmem() / 2 ** 30),
        node: process.version,
        loadAvg: os.loadavg().map((x) => round(x, 2)),
      },
      settings: { seconds, warmupSec, intervalMs: INTERVAL_MS, v8Flags: V8_FLAGS, bun: bun ? BUN_VERSION : null },
      nodeExporter: exporter ? { cpuMsPerScrape: round(exporterMsPerScrape, 2), scrapes } : null,
      runtimes: rows,
    };
    fs.mkdirSync(path.dirname(outFile), { recursive: true });
    fs.writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);
    const lines = [
      `| runtime | shipped, MiB | start (--version), ms | RSS median / peak, MB | CPU per cycle, ms (× node_exporter) | reports | series (missing) |`,
      '|---|---|---|---|---|---|---|',
      ...rows.map(
        (r) =>
          `| ${r.runtime} | ${r.shipMiB} | ${r.startMs} | ${r.rssMbMedian} / ${r.peakRssMb} | ${r.cpuMsPerCycle} (${r.cpuToExporter}) | ${r.reportsStored} | ${r.series} (${r.missingSeries.length ? r.missingSeries.join(', ') : 'none'}) |`,
      ),
      '',
      `node_exporter: ${result.nodeExporter ? `${result.nodeExporter.cpuMsPerScrape} ms CPU per scrape` : 'not installed'}; load ${result.machine.loadAvg.join(' ')}; JSON: ${outFile}`,
      '',
    ];
    process.stdout.write(lines.join('\n'));
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    await sleep(500);
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`agent-executables: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
