/**
 * Alert latency: time from sending a triggering sample to the alert (or incident) row and its
 * outbox row being committed. A real server (temp dir, port 0) and N raw protocol-v1 agents
 * (the `ws` package) run in this one process; half the agents belong to a monthly client (alert
 * + outbox row), half to a break-fix client (incident row). Every agent reports once per
 * interval; now and then one sends a filesystem sample over the default 90 % rule, on a fresh
 * mount label so no two triggers share a condition (flap damping would otherwise hold them).
 * The clock stops when the engine reports the committed change.
 *
 *   tsx scripts/bench/alert-latency.ts --agents 200 [--seconds 30] [--interval-ms 1000]
 *
 * The agents' event loop is the server's, so the figures include client-side delays too; they
 * are an upper bound for the server. Devices enroll through POST /api/enroll from a spread of
 * loopback source addresses (127.0.0.x), because enrollment is rate-limited per address.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { createServer } from '../../server/index.js';
import type { EngineChange } from '../../server/alerting/engine/engine.js';
import { httpJson, numberFlag, startTriggerFleet, summarize, type TriggerFleet } from './trigger-fleet.js';

/** Options of one run. */
export interface AlertLatencyOptions {
  agents: number;
  /** Measured duration after warm-up, s (default 30). */
  seconds?: number;
  /** Report interval of each agent, ms (default 1000). */
  intervalMs?: number;
  /** Chance per report that an idle agent sends a triggering sample (default 0.05). */
  triggerProbability?: number;
  /** Clock from the crossing at the source (uniform over the interval), not from the send. */
  isFromSource?: boolean;
}

/** Figures of one run. */
export interface AlertLatencyResult {
  agents: number;
  /** Triggering samples whose alert/incident was committed. */
  samples: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Triggers still without a committed row when the run ended. */
  missed: number;
  reportsPerSec: number;
}

const ADMIN_PASSWORD = 'bench-admin-password';

/** Runs the benchmark once and returns its figures. */
export async function benchAlertLatency(opts: AlertLatencyOptions): Promise<AlertLatencyResult> {
  const seconds = opts.seconds ?? 30;
  const intervalMs = opts.intervalMs ?? 1000;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'qp-bench-alerts-'));
  const server = await createServer({ dataDir, adminPassword: ADMIN_PASSWORD, logger: pino({ level: 'silent' }) });
  const port = await server.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${port}`;
  let fleet: TriggerFleet | undefined;
  try {
    const login = await httpJson(`${base}/api/login`, 'POST', { username: 'admin', password: ADMIN_PASSWORD });
    const cookie = { cookie: login.cookie! };
    const tokens: string[] = [];
    for (const contract of ['monthly', 'break-fix']) {
      const c = await httpJson(`${base}/api/clients`, 'POST', { name: `Bench ${contract}`, contract, monthlyFee: 500, hourlyRate: 90 }, cookie);
      tokens.push((await httpJson(`${base}/api/clients/${c.json.id}/enrollment-tokens`, 'POST', {}, cookie)).json.token);
    }
    const running = await startTriggerFleet({
      base,
      port,
      tokens,
      agents: opts.agents,
      intervalMs,
      triggerProbability: opts.triggerProbability ?? 0.05,
      isFromSource: opts.isFromSource,
    });
    fleet = running;

    // The clock stops when the engine reports the committed alert/incident (with its outbox row).
    const latencies: number[] = [];
    const unsubscribe = server.ctx.alerting.engine.onChanges((changes: EngineChange[]) => {
      const now = performance.now();
      for (const c of changes) {
        if (c.type !== 'alert.opened' && c.type !== 'incident.opened') continue;
        const t0 = running.takeTrigger(c.deviceId);
        if (t0 !== undefined) latencies.push(now - t0);
      }
    });

    // From the source a crossing waits up to one interval at the agent: drain at least that long.
    const drainMs = opts.isFromSource ? intervalMs + 2000 : 1000;
    const { reportsPerSec } = await running.measure({ seconds, warmupMs: Math.max(2000, opts.isFromSource ? intervalMs : intervalMs * 2), drainMs });
    unsubscribe();
    return { agents: opts.agents, ...summarize(latencies), missed: running.pendingTriggers(), reportsPerSec };
  } finally {
    fleet?.close();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Markdown table header matching formatRow. */
export const TABLE_HEADER =
  '| agents | reports/s | triggers measured | p50 ms | p95 ms | p99 ms | max ms | missed |\n|---:|---:|---:|---:|---:|---:|---:|---:|';

/** One markdown table row of a result. */
export function formatRow(r: AlertLatencyResult): string {
  return `| ${r.agents} | ${r.reportsPerSec} | ${r.samples} | ${r.p50Ms} | ${r.p95Ms} | ${r.p99Ms} | ${r.maxMs} | ${r.missed} |`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const result = await benchAlertLatency({
    agents: numberFlag('agents', 200),
    seconds: numberFlag('seconds', 30),
    intervalMs: numberFlag('interval-ms', 1000),
    isFromSource: process.argv.includes('--from-source'),
  });
  process.stdout.write(`${TABLE_HEADER}\n${formatRow(result)}\n`);
}
