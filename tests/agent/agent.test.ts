import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Collector } from '../../agent/collectors/types.js';
import { createAgent, type Agent } from '../../agent/index.js';
import { ProtocolServer, waitFor } from './helpers/protocol-server.js';
import { createTestLogger } from './helpers/test-logger.js';

const TOKEN = 'agent-token-0123456789';
const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);

let dir: string;
let server: ProtocolServer;
const agents: Agent[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-agent-'));
});
afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop();
  await server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const loadCollector: Collector = { name: 'fixed-load', init: async () => true, collect: async () => [{ name: 'load.avg1', value: 0.42 }] };
const brokenCollector: Collector = {
  name: 'broken',
  init: async () => true,
  collect: async () => {
    throw new Error('boom');
  },
};

function startAgent(intervalMs: number, log = createTestLogger()): Agent {
  const agent = createAgent({
    config: { serverUrl: server.url(), deviceId: 'dev-1', deviceToken: TOKEN, intervalMs, stateDir: dir },
    logger: log.logger,
    collectors: [loadCollector, brokenCollector],
    clock: { now: () => NOW },
    connection: { backoff: { baseMs: 20, capMs: 200 } },
    flushTimeoutMs: 200,
  });
  agents.push(agent);
  return agent;
}

describe('agent (collect → spool → connection)', () => {
  it('collects right away, sends the report, and stop() closes with 1000 after the ack', async () => {
    server = await new ProtocolServer({ token: TOKEN }).listen();
    const agent = startAgent(60_000);
    await agent.start();
    await waitFor('first report', () => server.received.length === 1);
    expect(server.received[0]!.report).toEqual({
      type: 'report',
      v: 1,
      seq: 1,
      tsMs: NOW,
      metrics: [
        { name: 'load.avg1', value: 0.42 },
        { name: 'agent.droppedReports', value: 0 },
      ],
    });
    expect(server.hellos[0]).toMatchObject({ hostname: os.hostname(), intervalMs: 60_000 });
    expect(server.hellos[0]!.agentVersion).toMatch(/^\d+\.\d+\.\d+/);
    await agent.stop();
    expect(agent.state).toBe('stopped');
    await waitFor('close seen by server', () => server.closeCodes.length === 1);
    expect(server.closeCodes).toEqual([1000]);
  });

  it('keeps its stream and seq across a restart and resends what was not acknowledged', async () => {
    server = await new ProtocolServer({ token: TOKEN, autoAck: false }).listen();
    const first = startAgent(60_000);
    await first.start();
    await waitFor('report 1', () => server.received.length === 1);
    await first.stop();

    const second = startAgent(60_000);
    await second.start();
    await waitFor('replay of 1 and new report 2', () => server.seqsOn(2).length === 2);
    expect(server.seqsOn(2)).toEqual([1, 2]);
    expect(server.hellos[1]!.streamId).toBe(server.hellos[0]!.streamId);
  });

  it('follows the interval the server pushes in welcome', async () => {
    server = await new ProtocolServer({ token: TOKEN, intervalMs: 1_000 }).listen();
    const log = createTestLogger();
    const agent = startAgent(3_600_000, log);
    await agent.start();
    // With the configured hour a second report could not arrive within the wait; with 1 s it does.
    await waitFor('second report', () => server.received.length >= 2);
    expect(log.lines.find((l) => l.msg === 'server changed the collection interval')).toMatchObject({ intervalMs: 1_000, previousMs: 3_600_000 });
  });
});
