/**
 * The part the latency benchmarks share: N raw-protocol agents on loopback that enroll, connect,
 * report once per interval (staggered), and now and then send a sample that crosses the default
 * "filesystem > 90 %" rule. The caller stops the clock where its figure ends (an alert row, a
 * received page) with `takeTrigger(deviceId)`.
 */
import { createServer as createHttpServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { AGENT_WS_PATH, ENROLL_PATH } from '../../shared/protocol.js';
import { verifyWebhookSignature } from '../../server/notify/channels/webhook.js';

/** A JSON request over node:http, optionally from a given local address. */
export function httpJson(
  url: string,
  method: string,
  body: unknown,
  headers: Record<string, string> = {},
  localAddress?: string,
): Promise<{ status: number; json: any; cookie?: string }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      url,
      {
        method,
        localAddress,
        headers: { ...(data ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(data)) } : {}), ...headers },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined, cookie: res.headers['set-cookie']?.[0]?.split(';')[0] }),
        );
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** The p-th percentile of sorted values (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Latency figures from collected samples, ms, one decimal. */
export function summarize(latencies: number[]): { samples: number; p50Ms: number; p95Ms: number; p99Ms: number; maxMs: number } {
  const sorted = [...latencies].sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    samples: sorted.length,
    p50Ms: round(percentile(sorted, 50)),
    p95Ms: round(percentile(sorted, 95)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted.at(-1) ?? Number.NaN),
  };
}

export interface TriggerFleetOptions {
  /** Server base URL on loopback, e.g. http://127.0.0.1:1234. */
  base: string;
  port: number;
  /** Enrollment tokens; agent n uses tokens[n % tokens.length]. */
  tokens: string[];
  agents: number;
  intervalMs: number;
  /** Chance per report that an idle agent sends a triggering sample while measuring. */
  triggerProbability: number;
  /**
   * Time from the source: the value crosses at a moment uniformly spread over the interval after a
   * report, and the agent sends it with its next scheduled report, as a real agent does; the clock
   * starts at the crossing, not at the send.
   */
  isFromSource?: boolean;
}

/** A running fleet: start measuring, stop the clock per device, and close everything. */
export interface TriggerFleet {
  /**
   * Warm-up, then `seconds` during which idle agents send triggers, then `drainMs` for the last
   * ones to land. Only triggers sent in the window exist, so callers time whatever takeTrigger gives.
   */
  measure(opts: { seconds: number; warmupMs: number; drainMs: number }): Promise<{ reportsPerSec: number }>;
  /** The send time of the device's open trigger (and forgets it), or undefined. */
  takeTrigger(deviceId: string): number | undefined;
  /** Triggers sent and not yet taken. */
  pendingTriggers(): number;
  reportsSent(): number;
  close(): void;
}

/** Enrolls and connects the agents (batches of 50/100, enrollment spread over 127.0.x.y) and starts reporting. */
export async function startTriggerFleet(opts: TriggerFleetOptions): Promise<TriggerFleet> {
  const sockets: WebSocket[] = [];
  const timers: NodeJS.Timeout[] = [];
  const sentAt = new Map<string, number>();
  let isMeasuring = false;
  let reports = 0;
  let triggers = 0;
  const close = () => {
    for (const t of timers) clearTimeout(t);
    for (const ws of sockets) ws.terminate();
  };
  try {
    const devices: { id: string; token: string }[] = [];
    for (let i = 0; i < opts.agents; i += 50) {
      const batch = Array.from({ length: Math.min(50, opts.agents - i) }, (_, k) => i + k);
      // /api/enroll allows 60 per minute per address.
      const localAddress = `127.0.${Math.floor(i / 50 / 250)}.${2 + ((i / 50) % 250)}`;
      const enrolled = await Promise.all(
        batch.map((n) =>
          httpJson(
            `${opts.base}${ENROLL_PATH}`,
            'POST',
            { token: opts.tokens[n % opts.tokens.length], hostname: `bench-${n}`, machineId: `bench-machine-${n}` },
            {},
            localAddress,
          ),
        ),
      );
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
              const ws = new WebSocket(`ws://127.0.0.1:${opts.port}${AGENT_WS_PATH}`, {
                headers: { authorization: `Bearer ${d.token}` },
                perMessageDeflate: false,
              });
              sockets.push(ws);
              ws.once('error', reject);
              ws.on('message', (data) => {
                if ((JSON.parse(data.toString()) as { type: string }).type === 'welcome') resolve();
              });
              ws.once('open', () => {
                ws.send(
                  JSON.stringify({
                    type: 'hello',
                    v: 1,
                    agentVersion: 'bench',
                    hostname: `bench-${i + k}`,
                    streamId: `bench-stream-${i + k}`,
                    intervalMs: Math.max(1000, opts.intervalMs),
                  }),
                );
              });
            }),
        ),
      );
    }
    // Every agent reports once per interval, staggered; idle agents sometimes trigger.
    devices.forEach((d, n) => {
      const ws = sockets[n]!;
      let seq = 0;
      /** Source mode: when the value crossed (waiting for the next report), or undefined. */
      let crossedAt: number | undefined;
      let isCrossingScheduled = false;
      const send = () => {
        if (ws.readyState !== ws.OPEN) return;
        if (opts.isFromSource) {
          const crossed = crossedAt;
          crossedAt = undefined;
          if (!isCrossingScheduled && crossed === undefined && isMeasuring && !sentAt.has(d.id) && Math.random() < opts.triggerProbability) {
            isCrossingScheduled = true;
            timers.push(
              setTimeout(() => {
                isCrossingScheduled = false;
                if (isMeasuring) crossedAt = performance.now();
              }, Math.random() * opts.intervalMs),
            );
          }
          const metrics: { name: string; labels?: Record<string, string>; value: number }[] = [
            { name: 'cpu.loadPct', value: 20 + Math.random() * 30 },
            { name: 'mem.usedPct', value: 40 + Math.random() * 20 },
            { name: 'fs.usedPct', labels: { mount: '/' }, value: 55 },
          ];
          if (crossed !== undefined) metrics.push({ name: 'fs.usedPct', labels: { mount: `/bench-${triggers++}` }, value: 95 });
          ws.send(JSON.stringify({ type: 'report', v: 1, seq: ++seq, tsMs: Date.now(), metrics }));
          if (crossed !== undefined) sentAt.set(d.id, crossed);
          reports++;
          return;
        }
        const metrics: { name: string; labels?: Record<string, string>; value: number }[] = [
          { name: 'cpu.loadPct', value: 20 + Math.random() * 30 },
          { name: 'mem.usedPct', value: 40 + Math.random() * 20 },
          { name: 'fs.usedPct', labels: { mount: '/' }, value: 55 },
        ];
        const isTrigger = isMeasuring && !sentAt.has(d.id) && Math.random() < opts.triggerProbability;
        if (isTrigger) metrics.push({ name: 'fs.usedPct', labels: { mount: `/bench-${triggers++}` }, value: 95 });
        const frame = JSON.stringify({ type: 'report', v: 1, seq: ++seq, tsMs: Date.now(), metrics });
        if (isTrigger) sentAt.set(d.id, performance.now());
        ws.send(frame);
        reports++;
      };
      timers.push(
        setTimeout(() => {
          send();
          timers.push(setInterval(send, opts.intervalMs));
        }, Math.random() * opts.intervalMs),
      );
    });
  } catch (err) {
    close();
    throw err;
  }
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  return {
    async measure({ seconds, warmupMs, drainMs }) {
      await sleep(warmupMs);
      isMeasuring = true;
      const reportsBefore = reports;
      const started = performance.now();
      await sleep(seconds * 1000);
      isMeasuring = false;
      const elapsedS = (performance.now() - started) / 1000;
      const measured = reports - reportsBefore;
      await sleep(drainMs);
      return { reportsPerSec: Math.round(measured / elapsedS) };
    },
    takeTrigger(deviceId) {
      const t0 = sentAt.get(deviceId);
      sentAt.delete(deviceId);
      return t0;
    },
    pendingTriggers: () => sentAt.size,
    reportsSent: () => reports,
    close,
  };
}

/** A positive number from `--name N` on the command line, or the fallback. */
export function numberFlag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i === -1) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} needs a positive number`);
  return v;
}

/** A loopback receiver of signed webhooks: checks each signature, then hands the parsed body over with its arrival time. */
export async function startSignedReceiver(
  secret: string,
  onMessage: (body: any, arrivedAt: number, signatureProblem: string | null) => void,
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const arrivedAt = performance.now();
      const body = Buffer.concat(chunks).toString('utf8');
      const problem = verifyWebhookSignature({
        secret,
        body,
        timestamp: req.headers['x-quarkpulse-timestamp'] as string,
        signature: req.headers['x-quarkpulse-signature'] as string,
        nowMs: Date.now(),
      });
      onMessage(JSON.parse(body), arrivedAt, problem);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    server,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/** Makes a signed webhook channel and a default policy that pages it at once; returns the channel id. */
export async function pageWebhookAtOnce(base: string, cookie: Record<string, string>, url: string, secret: string): Promise<string> {
  const channel = await httpJson(`${base}/api/channels`, 'POST', { type: 'webhook', name: 'Bench receiver', config: { url, secret } }, cookie);
  if (channel.status !== 201) throw new Error(`channel: ${JSON.stringify(channel.json)}`);
  const policy = await httpJson(
    `${base}/api/escalation-policies`,
    'POST',
    { name: 'Bench', isDefault: true, levels: [{ afterMs: 0, targets: [{ type: 'channel', channelId: channel.json.id }] }] },
    cookie,
  );
  if (policy.status !== 201) throw new Error(`policy: ${JSON.stringify(policy.json)}`);
  return channel.json.id as string;
}
