/**
 * Capacity: M connections each keep `window` reports in flight and send the next one as soon as
 * an ack arrives, for a fixed time. Run against the bare ws receiver (the baseline) and against
 * our server (full pipeline: auth'd socket, zod validation, group commit with synchronous=FULL,
 * ack after commit), with the same client and the same frames.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { AGENT_WS_PATH } from '../../shared/protocol.js';
import { MachineModel } from '../sim/value-model.js';

export interface FloodResult {
  connections: number;
  seconds: number;
  reports: number;
  values: number;
  reportsPerSec: number;
  valuesPerSec: number;
  /** RATE_LIMITED answers honoured (waited retryAfterMs, resent from the refused report). */
  rateLimited: number;
  /** Sample → ack of the reports acked in the window (send time to the ack covering it), ms. */
  latencyP50Ms: number;
  latencyP99Ms: number;
}

const percentile = (sorted: number[], p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!);

/** Floods `url` from `connections` sockets (tokens: one per socket, or none for the bare server). */
export async function flood(opts: {
  wsUrl: string;
  tokens?: string[];
  connections: number;
  seconds: number;
  window: number;
  /**
   * Fixed offered load instead of as-fast-as-acks: each connection sends one report every
   * `paceMs` (at most `window` unacked; a RATE_LIMITED pause still applies), staggered.
   */
  paceMs?: number;
  /** Called when the counted window starts and ends (e.g. to read the server's CPU). */
  onWindowStart?: () => void;
  onWindowEnd?: () => void;
}): Promise<FloodResult> {
  const sockets: WebSocket[] = [];
  let reports = 0;
  let values = 0;
  let isCounting = false;
  let isRunning = true;
  let rateLimited = 0;
  const latencies: number[] = [];
  const timers: NodeJS.Timeout[] = [];
  const streamTag = Date.now().toString(36);
  await Promise.all(
    Array.from({ length: opts.connections }, (_, i) => {
      const model = new MachineModel(10_000 + i);
      let seq = 0;
      const sizes = new Map<number, number>();
      // Reports sent and not yet acked, to resend after a RATE_LIMITED (the server stored none of them).
      const unacked = new Map<number, string>();
      const sentAt = new Map<number, number>();
      let isWaiting = false;
      const ws = new WebSocket(opts.wsUrl, {
        headers: opts.tokens ? { authorization: `Bearer ${opts.tokens[i]}` } : {},
        perMessageDeflate: false,
        localAddress: `127.0.0.${40 + (i % 8)}`,
      });
      sockets.push(ws);
      const sendOne = () => {
        if (!isRunning || isWaiting || ws.readyState !== ws.OPEN) return;
        if (opts.paceMs && unacked.size >= opts.window) return;
        const metrics = model.next(10_000);
        seq++;
        sizes.set(seq, metrics.length);
        const frame = JSON.stringify({ type: 'report', v: 1, seq, tsMs: Date.now(), metrics });
        unacked.set(seq, frame);
        sentAt.set(seq, performance.now());
        ws.send(frame);
      };
      return new Promise<void>((resolve, reject) => {
        ws.once('error', reject);
        ws.on('open', () =>
          ws.send(
            JSON.stringify({ type: 'hello', v: 1, agentVersion: 'flood', hostname: `flood-${i}`, streamId: `flood-${streamTag}-${i}`, intervalMs: 1_000 }),
          ),
        );
        ws.on('message', (data) => {
          const m = JSON.parse(data.toString()) as { type: string; seq?: number; code?: string; retryAfterMs?: number };
          if (m.type === 'welcome') {
            resolve();
            if (opts.paceMs) {
              const paceMs = opts.paceMs;
              timers.push(setTimeout(() => isRunning && timers.push(setInterval(sendOne, paceMs)), Math.random() * paceMs));
            } else for (let k = 0; k < opts.window; k++) sendOne();
          } else if (m.type === 'ack') {
            // Acks are cumulative: everything up to m.seq is stored.
            for (const s of [...unacked.keys()]) {
              if (s > m.seq!) continue;
              unacked.delete(s);
              const n = sizes.get(s) ?? 0;
              sizes.delete(s);
              const t = sentAt.get(s);
              sentAt.delete(s);
              if (isCounting) {
                reports++;
                values += n;
                if (t !== undefined) latencies.push(performance.now() - t);
              }
              if (!opts.paceMs) sendOne();
            }
          } else if (m.type === 'error' && m.code === 'RATE_LIMITED' && !isWaiting) {
            // As the protocol asks: send nothing for retryAfterMs, then resend from the refused report.
            rateLimited++;
            isWaiting = true;
            setTimeout(() => {
              isWaiting = false;
              if (!isRunning || ws.readyState !== ws.OPEN) return;
              for (const [s, frame] of [...unacked].sort((a, b) => a[0] - b[0])) if (s >= (m.seq ?? 0)) ws.send(frame);
            }, m.retryAfterMs ?? 1_000);
          }
        });
      });
    }),
  );
  // Warm up for 2 s, then count.
  await new Promise((r) => setTimeout(r, 2_000));
  opts.onWindowStart?.();
  isCounting = true;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, opts.seconds * 1000));
  isCounting = false;
  const seconds = (performance.now() - t0) / 1000;
  opts.onWindowEnd?.();
  isRunning = false;
  for (const t of timers) clearInterval(t);
  for (const ws of sockets) ws.terminate();
  latencies.sort((a, b) => a - b);
  return {
    connections: opts.connections,
    seconds,
    reports,
    values,
    reportsPerSec: reports / seconds,
    valuesPerSec: values / seconds,
    rateLimited,
    latencyP50Ms: percentile(latencies, 0.5),
    latencyP99Ms: percentile(latencies, 0.99),
  };
}

/** Starts the bare ws receiver in its own process; returns its URL and a stop function. */
export function startBareWsServer(): Promise<{ wsUrl: string; pid: number; stop: () => Promise<void> }> {
  const child = fork(fileURLToPath(new URL('./bare-ws-server.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (c) => reject(new Error(`bare ws server exited ${c}`)));
    child.on('message', (m: { type: string; port: number }) => {
      if (m.type !== 'listening') return;
      resolve({
        wsUrl: `ws://127.0.0.1:${m.port}${AGENT_WS_PATH}`,
        pid: child.pid!,
        stop: () =>
          new Promise<void>((r) => {
            child.removeAllListeners('exit');
            child.once('exit', () => r());
            child.send({ type: 'stop' });
            setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
          }),
      });
    });
  });
}
