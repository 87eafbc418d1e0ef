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
import { createServer as createHttpServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import WebSocket from 'ws';
import { createServer } from '../../server/index.js';
import { verifyWebhookSignature } from '../../server/notify/channels/webhook.js';
import { AGENT_WS_PATH, ENROLL_PATH } from '../../shared/protocol.js';

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
export async function benchNotifyLatency(opts: NotifyLatencyOptions): Promise<NotifyLatencyResult> {
  const seconds = opts.seconds ?? 30;
  const intervalMs = opts.intervalMs ?? 1000;
  const triggerProbability = opts.triggerProbability ?? 0.02;
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let isMeasuring = false;
  let badSignatures = 0;

  // The receiver: checks the signature, then stops the clock for the device's trigger.
  const receiver = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const now = performance.now();
      const body = Buffer.concat(chunks).toString('utf8');
      const problem = verifyWebhookSignature({ secret: SECRET, body, timestamp: req.headers['x-quarkpulse-timestamp'] as string, signature: req.headers['x-quarkpulse-signature'] as string, nowMs: Date.now() });
      if (problem) badSignatures++;
      const msg = JSON.parse(body) as { event: string; alert: { deviceId: string } | null };
      if (msg.event === 'alert.firing' && msg.alert) {
        const t0 = sentAt.get(msg.alert.deviceId);
        if (t0 !== undefined) {
          sentAt.delete(msg.alert.deviceId);
          if (isMeasuring) latencies.push(now - t0);
        }
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

  const dataDir = mkdtempSync(path.join(tmpdir(), 'qp-bench-notify-'));
  const server = await createServer({ dataDir, adminPassword: ADMIN_PASSWORD, logger: pino({ level: 'silent' }) });
  const port = await server.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${port}`;
  const sockets: WebSocket[] = [];
  const timers: NodeJS.Timeout[] = [];
  try {
    const login = await httpJson(`${base}/api/login`, 'POST', { username: 'admin', password: ADMIN_PASSWORD });
    const cookie = { cookie: login.cookie! };
    const channel = await httpJson(`${base}/api/channels`, 'POST', { type: 'webhook', name: 'Bench receiver', config: { url: receiverUrl, secret: SECRET } }, cookie);
    if (channel.status !== 201) throw new Error(`channel: ${JSON.stringify(channel.json)}`);
    const policy = await httpJson(`${base}/api/escalation-policies`, 'POST', { name: 'Bench', isDefault: true, levels: [{ afterMs: 0, targets: [{ type: 'channel', channelId: channel.json.id }] }] }, cookie);
    if (policy.status !== 201) throw new Error(`policy: ${JSON.stringify(policy.json)}`);
    const client = await httpJson(`${base}/api/clients`, 'POST', { name: 'Bench monthly', contract: 'monthly', monthlyFee: 500 }, cookie);
    const token = (await httpJson(`${base}/api/clients/${client.json.id}/enrollment-tokens`, 'POST', {}, cookie)).json.token as string;

    const devices: { id: string; token: string }[] = [];
    for (let i = 0; i < opts.agents; i += 50) {
      const batch = Array.from({ length: Math.min(50, opts.agents - i) }, (_, k) => i + k);
      const localAddress = `127.0.${Math.floor(i / 50 / 250)}.${2 + ((i / 50) % 250)}`;
      const enrolled = await Promise.all(batch.map((n) => httpJson(`${base}${ENROLL_PATH}`, 'POST', { token, hostname: `bench-${n}`, machineId: `bench-machine-${n}` }, {}, localAddress)));
      for (const e of enrolled) {
        if (e.status !== 201) throw new Error(`enrollment failed: ${e.status} ${JSON.stringify(e.json)}`);
        devices.push({ id: e.json.deviceId, token: e.json.deviceToken });
      }
    }
    for (let i = 0; i < devices.length; i += 100) {
      await Promise.all(
        devices.slice(i, i + 100).map(
          (d, k) =>
            new Promise<void>((resolve, reject) => {
              const ws = new WebSocket(`ws://127.0.0.1:${port}${AGENT_WS_PATH}`, { headers: { authorization: `Bearer ${d.token}` }, perMessageDeflate: false });
              sockets.push(ws);
              ws.once('error', reject);
              ws.on('message', (data) => {
                if ((JSON.parse(data.toString()) as { type: string }).type === 'welcome') resolve();
              });
              ws.once('open', () => {
                ws.send(JSON.stringify({ type: 'hello', v: 1, agentVersion: 'bench', hostname: `bench-${i + k}`, streamId: `bench-stream-${i + k}`, intervalMs: Math.max(1000, intervalMs) }));
              });
            }),
        ),
      );
    }

    let triggers = 0;
    let reports = 0;
    devices.forEach((d, n) => {
      const ws = sockets[n]!;
      let seq = 0;
      const send = () => {
        if (ws.readyState !== ws.OPEN) return;
        const metrics: { name: string; labels?: Record<string, string>; value: number }[] = [
          { name: 'cpu.loadPct', value: 20 + Math.random() * 30 },
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
    await new Promise((r) => setTimeout(r, 2000)); // let in-flight pages land

    latencies.sort((a, b) => a - b);
    const round = (x: number) => Math.round(x * 10) / 10;
    return {
      agents: opts.agents,
      samples: latencies.length,
      p50Ms: round(percentile(latencies, 50)),
      p95Ms: round(percentile(latencies, 95)),
      p99Ms: round(percentile(latencies, 99)),
      maxMs: round(latencies.at(-1) ?? Number.NaN),
      missed: sentAt.size,
      badSignatures,
      reportsPerSec: Math.round(measuredReports / elapsedS),
    };
  } finally {
    for (const t of timers) clearTimeout(t);
    for (const ws of sockets) ws.terminate();
    await server.close();
    await new Promise<void>((r) => {
      receiver.close(() => r());
      receiver.closeAllConnections();
    });
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Markdown table header matching formatRow. */
export const TABLE_HEADER = '| agents | reports/s | pages measured | p50 ms | p95 ms | p99 ms | max ms | missed | bad signatures |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|';

/** One markdown table row of a result. */
export function formatRow(r: NotifyLatencyResult): string {
  return `| ${r.agents} | ${r.reportsPerSec} | ${r.samples} | ${r.p50Ms} | ${r.p95Ms} | ${r.p99Ms} | ${r.maxMs} | ${r.missed} | ${r.badSignatures} |`;
}

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i === -1) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} needs a positive number`);
  return v;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const result = await benchNotifyLatency({ agents: flag('agents', 200), seconds: flag('seconds', 30), intervalMs: flag('interval-ms', 1000) });
  process.stdout.write(`${TABLE_HEADER}\n${formatRow(result)}\n`);
}
