/**
 * A raw protocol agent for crash tests that behaves like the real one where it matters: every
 * report stays in an in-memory spool until acknowledged, a reconnect trims the spool to
 * welcome.lastSeq and replays the rest, and it reconnects on its own until stopped. It records
 * every seq the server acknowledged, so the test can check each one was stored exactly once.
 *
 * Replays differ from the original in one way on purpose: tsMs = base + seq·100 + attempt (attempts
 * past 99 reuse 99, so a copy never lands in the next seq's slot). A
 * report stored twice (original and replay) would then show as two points, where identical
 * copies could hide in one.
 */
import WebSocket from 'ws';
import { AGENT_WS_PATH } from '../../../shared/protocol.js';

export const TS_STEP_MS = 100;

export interface SpoolingAgentOptions {
  url: string;
  deviceId: string;
  token: string;
  /** tsMs of seq 0. */
  baseTsMs: number;
  /** Reports per second while producing. */
  ratePerSec: number;
  /** Most reports sent and not acked. */
  maxInFlight?: number;
}

/** Creates a stopped agent; start() connects and produces. */
export function createSpoolingAgent(opts: SpoolingAgentOptions) {
  const streamId = `crash-${opts.deviceId.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 20)}-stream`;
  const maxInFlight = opts.maxInFlight ?? 200;
  /** seq → attempt number of the copy last sent. */
  const spool = new Map<number, number>();
  const acked = new Set<number>();
  let nextSeq = 1;
  let ws: WebSocket | undefined;
  let isReady = false;
  let isProducing = false;
  let isStopped = false;
  let sentUpTo = 0;
  /** Highest seq ever sent, on any connection. */
  let everSentUpTo = 0;
  let producer: NodeJS.Timeout | undefined;
  let connects = 0;
  let replayed = 0;
  let reconnectDelayMs = 0;
  /** Error code → how many the server sent (STORAGE_UNAVAILABLE during a storage fault). */
  const errors = new Map<string, number>();

  const frame = (seq: number, attempt: number) =>
    JSON.stringify({
      type: 'report',
      v: 1,
      seq,
      tsMs: opts.baseTsMs + seq * TS_STEP_MS + Math.min(attempt, TS_STEP_MS - 1),
      metrics: [
        { name: 'cpu.loadPct', value: seq % 100 },
        { name: 'mem.usedPct', value: 50 },
      ],
    });

  function sendMore(): void {
    if (!isReady || !ws || ws.readyState !== WebSocket.OPEN) return;
    let inFlight = [...spool.keys()].filter((s) => s <= sentUpTo).length;
    for (const seq of [...spool.keys()].sort((a, b) => a - b)) {
      if (seq <= sentUpTo) continue;
      if (inFlight >= maxInFlight) break;
      ws.send(frame(seq, spool.get(seq)!));
      sentUpTo = seq;
      everSentUpTo = Math.max(everSentUpTo, seq);
      inFlight++;
    }
  }

  function connect(): void {
    if (isStopped) return;
    const socket = new WebSocket(opts.url.replace(/^http/, 'ws') + AGENT_WS_PATH, { headers: { authorization: `Bearer ${opts.token}` } });
    ws = socket;
    socket.on('open', () => {
      connects++;
      socket.send(JSON.stringify({ type: 'hello', v: 1, agentVersion: 'crash-test', hostname: opts.deviceId, streamId, intervalMs: 1_000 }));
    });
    socket.on('message', (data) => {
      const m = JSON.parse(data.toString()) as { type: string; seq?: number; lastSeq?: number; code?: string; retryAfterMs?: number };
      if (m.type === 'welcome') {
        for (const seq of [...spool.keys()]) if (seq <= m.lastSeq!) spool.delete(seq);
        // What is left and was sent before was never acked: replay it as a new attempt.
        for (const [seq, attempt] of spool) {
          if (seq > everSentUpTo) continue;
          spool.set(seq, attempt + 1);
          replayed++;
        }
        sentUpTo = 0;
        isReady = true;
        sendMore();
      } else if (m.type === 'ack') {
        acked.add(m.seq!);
        for (const seq of [...spool.keys()]) if (seq <= m.seq!) spool.delete(seq);
        sendMore();
      } else if (m.type === 'error') {
        errors.set(m.code ?? '?', (errors.get(m.code ?? '?') ?? 0) + 1);
        // Retryable refusals: reconnect and replay, after the wait the server asked for (as the real agent does).
        if (m.retryAfterMs !== undefined) reconnectDelayMs = Math.max(reconnectDelayMs, m.retryAfterMs);
        socket.close();
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      isReady = false;
      if (ws === socket) ws = undefined;
      const delayMs = reconnectDelayMs + 50 + Math.random() * 100;
      reconnectDelayMs = 0;
      if (!isStopped) setTimeout(connect, delayMs);
    });
  }

  return {
    streamId,
    acked,
    /** Connects and starts producing reports. */
    start(): void {
      connect();
      isProducing = true;
      producer = setInterval(() => {
        if (!isProducing) return;
        spool.set(nextSeq++, 0);
        sendMore();
      }, 1000 / opts.ratePerSec);
    },
    /** Stops making new reports (the spool still drains). */
    stopProducing(): void {
      isProducing = false;
      clearInterval(producer);
    },
    /** Unacked reports in the spool. */
    pending: () => spool.size,
    /** True while `seq` is still in the spool (not acknowledged, not announced as stored). */
    isSpooled: (seq: number) => spool.has(seq),
    /** Highest seq produced. */
    producedUpTo: () => nextSeq - 1,
    stats: () => ({ connects, replayed, errors: Object.fromEntries(errors) as Record<string, number> }),
    stop(): void {
      isStopped = true;
      clearInterval(producer);
      ws?.terminate();
    },
  };
}
export type SpoolingAgent = ReturnType<typeof createSpoolingAgent>;
