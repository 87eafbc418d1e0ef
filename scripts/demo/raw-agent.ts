/**
 * A minimal protocol-v1 agent for demos and benchmarks (see docs/PROTOCOL.md): hello, then
 * reports that resolve once the server has acknowledged (committed) them. No spool: it is for
 * seeding, not for the field.
 */
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { AGENT_WS_PATH, type InventorySections, type Sample, type SystemFacts } from '../../shared/protocol.js';

export interface RawAgent {
  /** Sends one report and waits for its ack. */
  report(tsMs: number, metrics: Sample[]): Promise<void>;
  /** Sends inventory sections (not acknowledged by the protocol). */
  inventory(tsMs: number, sections: InventorySections): void;
  close(): void;
}

/** Connects with a device credential, says hello and waits for welcome. */
export async function connectRawAgent(
  baseUrl: string,
  deviceToken: string,
  hello: { hostname: string; intervalMs: number; facts?: SystemFacts },
): Promise<RawAgent> {
  const ws = new WebSocket(baseUrl.replace(/^http/, 'ws') + AGENT_WS_PATH, { headers: { authorization: `Bearer ${deviceToken}` } });
  const waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  let welcomed: () => void = () => {};
  const welcome = new Promise<void>((resolve) => (welcomed = resolve));
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString()) as { type: string; seq?: number; code?: string; message?: string };
    if (m.type === 'welcome') welcomed();
    else if (m.seq !== undefined && waiting.has(m.seq)) {
      const w = waiting.get(m.seq)!;
      waiting.delete(m.seq);
      if (m.type === 'ack') w.resolve();
      else w.reject(new Error(`report ${m.seq} refused: ${m.code} ${m.message}`));
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  ws.send(
    JSON.stringify({
      type: 'hello',
      v: 1,
      agentVersion: '0.1.0',
      hostname: hello.hostname,
      streamId: `demo-${randomBytes(6).toString('hex')}`,
      intervalMs: hello.intervalMs,
      facts: hello.facts,
    }),
  );
  await welcome;
  let seq = 0;
  return {
    report(tsMs, metrics) {
      const n = ++seq;
      return new Promise((resolve, reject) => {
        waiting.set(n, { resolve, reject });
        ws.send(JSON.stringify({ type: 'report', v: 1, seq: n, tsMs, metrics }));
      });
    },
    inventory(tsMs, sections) {
      ws.send(JSON.stringify({ type: 'inventory', v: 1, tsMs, sections }));
    },
    close() {
      ws.close();
    },
  };
}
