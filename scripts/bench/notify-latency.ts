/**
 * Notification latency end to end: from sending a triggering sample to the page arriving at a
 * receiver. A real server (temp dir, port 0), N raw protocol-v1 agents (the `ws` package) of a
 * monthly client, and a loopback HTTP server configured as a signed webhook channel that the
 * default escalation policy pages at level 1. Every agent reports once per interval; now and
 * then one sends a filesystem sample over the default 90 % rule on a fresh mount label (so no
 * two triggers share a condition). The clock stops when the receiver has the webhook (its
 * signature checked), matched to the trigger by device id.
 *
 *   tsx scripts/bench/notify-latency.ts --agents 200 [--seconds 30] [--interval-ms 1000]
 *
 * Path measured: ws frame → ingest group commit → rule engine → alert + outbox (1 transaction)
 * → notifier kick → dispatch (escalation, delivery row) → worker → HTTP POST → receiver. Agents,
 * server and receiver share one event loop, so the figures are an upper bound for the server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { createServer } from '../../server/index.js';
import { httpJson, numberFlag, pageWebhookAtOnce, startSignedReceiver, startTriggerFleet, summarize, type TriggerFleet } from './trigger-fleet.js';

/** Options of one run. */
export interface NotifyLatencyOptions {
  agents: number;
  /** Measured duration after warm-up, s (default 30). */
  seconds?: number;
  /** Report interval of each agent, ms (default 1000). */
  intervalMs?: number;
  /** Chance per report that an idle agent sends a triggering sample (default 0.02). */
  triggerProbability?: number;
}

/** Figures of one run. */
export interface NotifyLatencyResult {
  agents: number;
  /** Triggers whose page reached the receiver. */
  samples: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Triggers without a page at the receiver when the run ended. */
  missed: number;
  /** Webhooks whose HMAC did not verify (should be 0). */
  badSignatures: number;
  reportsPerSec: number;
}

const ADMIN_PASSWORD = 'bench-admin-password';
const SECRET = 'bench-webhook-secret-0123456789';

/** Runs the benchmark once and returns its figures. */
export async function benchNotifyLatency(opts: NotifyLatencyOptions): Promise<NotifyLatencyResult> {
  const seconds = opts.seconds ?? 30;
  const intervalMs = opts.intervalMs ?? 1000;
  const latencies: number[] = [];
  let badSignatures = 0;
  let fleet: TriggerFleet | undefined;

  // The receiver: checks the signature, then stops the clock for the device's trigger.
  const receiver = await startSignedReceiver(SECRET, (msg: { event: string; alert: { deviceId: string } | null }, now, problem) => {
    if (problem) badSignatures++;
    if (msg.event === 'alert.firing' && msg.alert) {
      const t0 = fleet?.takeTrigger(msg.alert.deviceId);
      if (t0 !== undefined) latencies.push(now - t0);
    }
  });

  const dataDir = mkdtempSync(path.join(tmpdir(), 'qp-bench-notify-'));
  const server = await createServer({ dataDir, adminPassword: ADMIN_PASSWORD, logger: pino({ level: 'silent' }) });
  const port = await server.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${port}`;
  try {
    const login = await httpJson(`${base}/api/login`, 'POST', { username: 'admin', password: ADMIN_PASSWORD });
    const cookie = { cookie: login.cookie! };
    await pageWebhookAtOnce(base, cookie, receiver.url, SECRET);
    // The triggers are independent problems of one client and rule: grouping would fold most of
    // them into one outage. Their latency is measured with grouping off; outage-pages.ts
    // measures grouping on against off in the same run.
    const grouping = await httpJson(`${base}/api/oncall/grouping`, 'PUT', { windowSeconds: 0 }, cookie);
    if (grouping.status !== 200) throw new Error(`grouping: ${JSON.stringify(grouping.json)}`);
    const client = await httpJson(`${base}/api/clients`, 'POST', { name: 'Bench monthly', contract: 'monthly', monthlyFee: 500 }, cookie);
    const token = (await httpJson(`${base}/api/clients/${client.json.id}/enrollment-tokens`, 'POST', {}, cookie)).json.token as string;
    const running = await startTriggerFleet({
      base,
      port,
      tokens: [token],
      agents: opts.agents,
      intervalMs,
      triggerProbability: opts.triggerProbability ?? 0.02,
    });
    fleet = running;

    const { reportsPerSec } = await running.measure({ seconds, warmupMs: Math.max(2000, intervalMs * 2), drainMs: 2000 });
    return { agents: opts.agents, ...summarize(latencies), missed: running.pendingTriggers(), badSignatures, reportsPerSec };
  } finally {
    fleet?.close();
    await server.close();
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Markdown table header matching formatRow. */
export const TABLE_HEADER =
  '| agents | reports/s | pages measured | p50 ms | p95 ms | p99 ms | max ms | missed | bad signatures |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|';

/** One markdown table row of a result. */
export function formatRow(r: NotifyLatencyResult): string {
  return `| ${r.agents} | ${r.reportsPerSec} | ${r.samples} | ${r.p50Ms} | ${r.p95Ms} | ${r.p99Ms} | ${r.maxMs} | ${r.missed} | ${r.badSignatures} |`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const result = await benchNotifyLatency({
    agents: numberFlag('agents', 200),
    seconds: numberFlag('seconds', 30),
    intervalMs: numberFlag('interval-ms', 1000),
  });
  process.stdout.write(`${TABLE_HEADER}\n${formatRow(result)}\n`);
}
