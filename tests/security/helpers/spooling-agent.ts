/**
 * A raw protocol agent for crash tests that behaves like the real one where it matters: every
 * report stays in an in-memory spool until acknowledged, a reconnect trims the spool to
 * welcome.lastSeq and replays the rest, and it reconnects on its own until stopped. It records
 * every seq the server acknowledged, so the test can check each one was stored exactly once.
 *
 * Replays differ from the original in one way on purpose: tsMs = base + seq·10 + attempt. A
 * report stored twice (original and replay) would then show as two points, where identical
 * copies could hide in one.
 */
import WebSocket from 'ws';
import { AGENT_WS_PATH } from '../../../shared/protocol.js';

export const TS_STEP_MS = 10;

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

  const frame = (seq: number, attempt: number) =>
    JSON.stringify({ type: 'report', v: 1, seq, tsMs: opts.baseTsMs + seq * TS_STEP_MS + attempt, metrics: [{ name: 'cpu.loadPct', value: seq % 100 }, { name: 'mem.usedPct', value: 50 }] });

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
      const m = JSON.parse(data.toString()) as { type: string; seq?: number; lastSeq?: number; code?: string };
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
        // Retryable refusals: reconnect and replay.
        socket.close();
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      isReady = false;
      if (ws === socket) ws = undefined;
      if (!isStopped) setTimeout(connect, 50 + Math.random() * 100);
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
    /** Highest seq produced. */
    producedUpTo: () => nextSeq - 1,
    stats: () => ({ connects, replayed }),
    stop(): void {
      isStopped = true;
      clearInterval(producer);
      ws?.terminate();
    },
  };
}
export type SpoolingAgent = ReturnType<typeof createSpoolingAgent>;
