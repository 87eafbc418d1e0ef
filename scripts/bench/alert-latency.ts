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
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import WebSocket from 'ws';
import { createServer } from '../../server/index.js';
import { AGENT_WS_PATH, ENROLL_PATH } from '../../shared/protocol.js';
import type { EngineChange } from '../../server/rules/engine.js';

/** Options of one run. */
export interface AlertLatencyOptions {
  agents: number;
  /** Measured duration after warm-up, s (default 30). */
  seconds?: number;
  /** Report interval of each agent, ms (default 1000). */
  intervalMs?: number;
  /** Chance per report that an idle agent sends a triggering sample (default 0.05). */
  triggerProbability?: number;
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

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** A JSON request over node:http, optionally from a given local address. */
function httpJson(url: string, method: string, body: unknown, headers: Record<string, string> = {}, localAddress?: string): Promise<{ status: number; json: any; cookie?: string }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request(url, { method, localAddress, headers: { ...(data ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(data)) } : {}), ...headers } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined, cookie: res.headers['set-cookie']?.[0]?.split(';')[0] }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

/** Runs the benchmark once and returns its figures. */
export async function benchAlertLatency(opts: AlertLatencyOptions): Promise<AlertLatencyResult> {
  const seconds = opts.seconds ?? 30;
  const intervalMs = opts.intervalMs ?? 1000;
  const triggerProbability = opts.triggerProbability ?? 0.05;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'qp-bench-alerts-'));
  const server = await createServer({ dataDir, adminPassword: ADMIN_PASSWORD, logger: pino({ level: 'silent' }) });
  const port = await server.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${port}`;
  const sockets: WebSocket[] = [];
  const timers: NodeJS.Timeout[] = [];
  try {
    const login = await httpJson(`${base}/api/login`, 'POST', { username: 'admin', password: ADMIN_PASSWORD });
    const cookie = { cookie: login.cookie! };
    const tokens: string[] = [];
    for (const contract of ['monthly', 'break-fix']) {
      const c = await httpJson(`${base}/api/clients`, 'POST', { name: `Bench ${contract}`, contract, monthlyFee: 500, hourlyRate: 90 }, cookie);
      tokens.push((await httpJson(`${base}/api/clients/${c.json.id}/enrollment-tokens`, 'POST', {}, cookie)).json.token);
    }

    // Enroll and connect in parallel batches.
    const devices: { id: string; token: string }[] = [];
    for (let i = 0; i < opts.agents; i += 50) {
      const batch = Array.from({ length: Math.min(50, opts.agents - i) }, (_, k) => i + k);
      const localAddress = `127.0.${Math.floor(i / 50 / 250)}.${2 + ((i / 50) % 250)}`;
      const enrolled = await Promise.all(
        batch.map((n) => httpJson(`${base}${ENROLL_PATH}`, 'POST', { token: tokens[n % 2], hostname: `bench-${n}`, machineId: `bench-machine-${n}` }, {}, localAddress)),
      );
      for (const e of enrolled) {
        if (e.status !== 201) throw new Error(`enrollment failed: ${e.status} ${JSON.stringify(e.json)}`);
        devices.push({ id: e.json.deviceId, token: e.json.deviceToken });
      }
    }

    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    let isMeasuring = false;
    let reports = 0;
    const unsubscribe = server.ctx.alerting.engine.subscribe((changes: EngineChange[]) => {
      const now = performance.now();
      for (const c of changes) {
        if (c.type !== 'alert.opened' && c.type !== 'incident.opened') continue;
        const t0 = sentAt.get(c.deviceId);
        if (t0 === undefined) continue;
        sentAt.delete(c.deviceId);
        if (isMeasuring) latencies.push(now - t0);
      }
    });

    for (let i = 0; i < devices.length; i += 100) {
      await Promise.all(
        devices.slice(i, i + 100).map(
          (d, k) =>
            new Promise<void>((resolve, reject) => {
              const ws = new WebSocket(`ws://127.0.0.1:${port}${AGENT_WS_PATH}`, { headers: { authorization: `Bearer ${d.token}` }, perMessageDeflate: false });
              sockets.push(ws);
              ws.once('error', reject);
              ws.on('message', (data) => {
                const msg = JSON.parse(data.toString()) as { type: string };
                if (msg.type === 'welcome') resolve();
              });
              ws.once('open', () => {
                ws.send(JSON.stringify({ type: 'hello', v: 1, agentVersion: 'bench', hostname: `bench-${i + k}`, streamId: `bench-stream-${i + k}`, intervalMs: Math.max(1000, intervalMs) }));
              });
            }),
        ),
      );
    }

    // Every agent reports once per interval, staggered; idle agents sometimes trigger.
    let triggers = 0;
    devices.forEach((d, n) => {
      const ws = sockets[n]!;
      let seq = 0;
      const send = () => {
        if (ws.readyState !== ws.OPEN) return;
        const metrics: { name: string; labels?: Record<string, string>; value: number }[] = [
          { name: 'cpu.loadPct', value: 20 + Math.random() * 30 },
          { name: 'mem.usedPct', value: 40 + Math.random() * 20 },
          { name: 'fs.usedPct', labels: { mount: '/' }, value: 55 },
        ];
        const isTrigger = isMeasuring && !sentAt.has(d.id) && Math.random() < triggerProbability;
        if (isTrigger) metrics.push({ name: 'fs.usedPct', labels: { mount: `/bench-${triggers++}` }, value: 95 });
        const frame = JSON.stringify({ type: 'report', v: 1, seq: ++seq, tsMs: Date.now(), metrics });
        if (isTrigger) sentAt.set(d.id, performance.now());
        ws.send(frame);
        reports++;
      };
      timers.push(
        setTimeout(() => {
          send();
          timers.push(setInterval(send, intervalMs));
        }, Math.random() * intervalMs),
      );
    });

    await new Promise((r) => setTimeout(r, Math.max(2000, intervalMs * 2))); // warm-up
    isMeasuring = true;
    const reportsBefore = reports;
    const started = performance.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    isMeasuring = false;
    const elapsedS = (performance.now() - started) / 1000;
    const measuredReports = reports - reportsBefore;
    await new Promise((r) => setTimeout(r, 1000)); // let in-flight triggers land
    unsubscribe();

    latencies.sort((a, b) => a - b);
    const round = (n: number) => Math.round(n * 10) / 10;
    return {
      agents: opts.agents,
      samples: latencies.length,
      p50Ms: round(percentile(latencies, 50)),
      p95Ms: round(percentile(latencies, 95)),
      p99Ms: round(percentile(latencies, 99)),
      maxMs: round(latencies.at(-1) ?? Number.NaN),
      missed: sentAt.size,
      reportsPerSec: Math.round(measuredReports / elapsedS),
    };
  } finally {
    for (const t of timers) clearTimeout(t);
    for (const ws of sockets) ws.terminate();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Markdown table header matching formatRow. */
export const TABLE_HEADER = '| agents | reports/s | triggers measured | p50 ms | p95 ms | p99 ms | max ms | missed |\n|---:|---:|---:|---:|---:|---:|---:|---:|';

/** One markdown table row of a result. */
export function formatRow(r: AlertLatencyResult): string {
  return `| ${r.agents} | ${r.reportsPerSec} | ${r.samples} | ${r.p50Ms} | ${r.p95Ms} | ${r.p99Ms} | ${r.maxMs} | ${r.missed} |`;
}

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i === -1) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} needs a positive number`);
  return v;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const result = await benchAlertLatency({ agents: flag('agents', 200), seconds: flag('seconds', 30), intervalMs: flag('interval-ms', 1000) });
  process.stdout.write(`${TABLE_HEADER}\n${formatRow(result)}\n`);
}
