/**
 * Site probe bench: one probe polling N SNMP printers (default 500) at a 60 s interval. The
 * partner is Debian's snmpd, one process per 100 loopback UDP ports, serving the same
 * Printer-MIB values as the tests. The probe runs in a child process (the agent's probe runner
 * with the real SNMP check, reports counted instead of sent) so its CPU and RSS are its own,
 * read from /proc over one measured window. The same probe process with no targets runs beside it
 * as the baseline (its RSS is the loader's and modules' floor).
 *
 *   npm run bench:probe -- --targets 500 --seconds 65
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { createProbeRunner } from '../../agent/probe/runner.js';
import { startProcWindow, readProcStats } from './proc-stats.js';
import { printerValues } from '../../tests/probe/snmpd.js';

const { values: f } = parseArgs({
  options: {
    targets: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '65' },
    'interval-ms': { type: 'string', default: '60000' },
    child: { type: 'string' },
  },
});
const targets = Number(f.targets);
const intervalMs = Number(f['interval-ms']);
const log = (m: string) => process.stderr.write(`[bench:probe ${new Date().toISOString().slice(11, 19)}] ${m}\n`);

/** Child: the probe runner over the given ports; prints its counts when told to stop. */
async function runChild(firstPort: number): Promise<void> {
  let reports = 0;
  let samples = 0;
  let firstProblem: string | undefined;
  const states = new Map<string, number>();
  const runner = createProbeRunner({
    logger: pino({ level: 'silent' }),
    onReport: (_id, _ts, s, results) => {
      reports++;
      samples += s.length;
      for (const r of results) {
        states.set(r.state, (states.get(r.state) ?? 0) + 1);
        if (r.state !== 'ok' && firstProblem === undefined) firstProblem = r.message;
      }
    },
  });
  runner.setTargets(
    Array.from({ length: targets }, (_, i) => ({
      deviceId: `printer-${i}`,
      kind: 'printer' as const,
      intervalMs,
      checks: [
        {
          id: 'snmp',
          type: 'snmp' as const,
          host: '127.0.0.1',
          port: firstPort + i,
          template: 'printer' as const,
          version: 'v2c' as const,
          community: 'public',
          timeoutMs: 2_000,
        },
      ],
    })),
  );
  process.on('message', () => {
    runner.stop();
    process.send!({ reports, samples, states: Object.fromEntries(states), firstProblem }, () => process.exit(0));
  });
}

async function main(): Promise<void> {
  if (f.child) return runChild(Number(f.child));
  const snmpd = ['/usr/sbin/snmpd', '/usr/bin/snmpd'].find((p) => fs.existsSync(p));
  if (!snmpd) throw new Error('snmpd is not installed: apt-get install snmpd');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-bench-probe-'));
  const firstPort = 20_000 + Math.floor(Math.random() * 20_000);
  // One snmpd per 100 ports: a config line with many more addresses is cut short by snmpd.
  const PORTS_PER_SNMPD = 100;
  const partners = Array.from({ length: Math.ceil(targets / PORTS_PER_SNMPD) }, (_, k) => {
    const conf = path.join(dir, `snmpd-${k}.conf`);
    const ports = Array.from({ length: Math.min(PORTS_PER_SNMPD, targets - k * PORTS_PER_SNMPD) }, (_, i) => firstPort + k * PORTS_PER_SNMPD + i);
    fs.writeFileSync(
      conf,
      [
        `agentaddress ${ports.map((p) => `udp:127.0.0.1:${p}`).join(',')}`,
        'rocommunity public 127.0.0.1',
        ...printerValues({ blackPct: 40 }).map(([oid, type, value]) => `override ${oid} ${type} ${typeof value === 'string' ? JSON.stringify(value) : value}`),
        '',
      ].join('\n'),
    );
    return spawn(snmpd, ['-f', '-Lo', '-C', '-c', conf], {
      env: { ...process.env, SNMP_PERSISTENT_DIR: path.join(dir, `persist-${k}`), MIBS: '' },
      stdio: 'ignore',
    });
  });
  await new Promise((r) => setTimeout(r, 2_000));
  const probeProcess = (n: number) =>
    spawn(
      process.execPath,
      ['--import', 'tsx', new URL(import.meta.url).pathname, '--child', String(firstPort), '--targets', String(n), '--interval-ms', String(intervalMs)],
      { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
    );
  // Baseline in the same run: the same probe process (same loader and modules) with no targets.
  const floor = probeProcess(0);
  const child = probeProcess(targets);
  await new Promise((r) => setTimeout(r, 3_000)); // module loading is not the probe's steady cost
  log(`probe polling ${targets} SNMP printers every ${intervalMs / 1000} s for ${f.seconds} s`);
  const probeWin = startProcWindow(child.pid!);
  const partnerWins = partners.map((p) => startProcWindow(p.pid!));
  await new Promise((r) => setTimeout(r, Number(f.seconds) * 1000));
  const probe = probeWin.stop();
  const partnerCpuPct = partnerWins.reduce((sum, w) => sum + w.stop().cpuPct, 0);
  const floorStats = readProcStats(floor.pid!);
  const floorRss = floorStats.rssBytes;
  const counts = await new Promise<{ reports: number; samples: number; states: Record<string, number>; firstProblem?: string }>((resolve) => {
    child.once('message', (m) => resolve(m as never));
    child.send('stop');
  });
  floor.kill();
  await Promise.all(
    partners.map(
      (p) =>
        new Promise((r) => {
          p.once('exit', r);
          p.kill();
        }),
    ),
  );
  fs.rmSync(dir, { recursive: true, force: true });
  const polls = counts.reports;
  const result = {
    targets,
    intervalMs,
    seconds: probe.seconds,
    polls,
    samples: counts.samples,
    states: counts.states,
    firstProblem: counts.firstProblem,
    probeCpuPct: Math.round(probe.cpuPct * 10) / 10,
    probeCpuMsPerPoll: polls > 0 ? Math.round((((probe.cpuPct / 100) * probe.seconds * 1000) / polls) * 100) / 100 : null,
    probeRssMb: Math.round(probe.rssBytes / 1e5) / 10,
    probePeakRssMb: Math.round(probe.peakRssBytes / 1e5) / 10,
    idleProbeRssMb: Math.round(floorRss / 1e5) / 10,
    snmpdCpuPct: Math.round(partnerCpuPct * 10) / 10,
    snmpdProcesses: partners.length,
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
