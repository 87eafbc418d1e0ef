/** A raw protocol v1 agent for tests: hello, then reports that resolve once acknowledged. */
import { AGENT_WS_PATH } from '../../shared/protocol.js';
import type { Sample } from '../../shared/protocol.js';
import { WsTestClient } from './ws-client.js';

export interface TestAgent {
  ws: WsTestClient;
  /** Sends one report with these samples and waits for its ack (the commit). */
  report(metrics: Sample[], tsMs?: number): Promise<void>;
  close(): void;
}

/** Connects with a device credential and says hello. */
export async function startTestAgent(baseUrl: string, deviceToken: string, opts: { hostname?: string; intervalMs?: number } = {}): Promise<TestAgent> {
  const ws = await WsTestClient.connect(baseUrl.replace('http', 'ws') + AGENT_WS_PATH, { authorization: `Bearer ${deviceToken}` });
  ws.send({
    type: 'hello',
    v: 1,
    agentVersion: '0.1.0',
    hostname: opts.hostname ?? 'test-host',
    streamId: `stream-${Math.random().toString(36).slice(2, 10)}`,
    intervalMs: opts.intervalMs ?? 10_000,
  });
  await ws.next((m) => m.type === 'welcome');
  let seq = 0;
  return {
    ws,
    async report(metrics, tsMs = Date.now()) {
      const n = ++seq;
      ws.send({ type: 'report', v: 1, seq: n, tsMs, metrics });
      const answer = await ws.next((m) => (m.type === 'ack' && m.seq === n) || (m.type === 'error' && m.seq === n));
      if (answer.type === 'error') throw new Error(`report ${n} refused: ${answer.code} ${answer.message}`);
    },
    close() {
      ws.close();
    },
  };
}
