/**
 * The watch end to end: the real server pushes each device's thresholds (config.watch) and the
 * real agent, reporting only every 60 s, sends an early report when a watched value crosses, so
 * only the early report can explain the alert. No timed assertions: causality and order only.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Collector } from '../../agent/collectors/types.js';
import { loadAgentConfig, saveAgentConfig } from '../../agent/config.js';
import { createAgent, type Agent } from '../../agent/index.js';
import { ApiClient, enrollTestDevice, startTestServer, type TestServer } from '../helpers/test-server.js';
import { waitFor } from './helpers/protocol-server.js';
import { createTestLogger } from './helpers/test-logger.js';

let dir: string;
let t: TestServer | undefined;
const agents: Agent[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-watch-'));
});
afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop();
  await t?.close();
  t = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A memory collector whose value the test sets; counts watch() calls. */
function memoryKnob() {
  const knob = { value: 40, watchCalls: 0 };
  const collector: Collector = {
    name: 'memory',
    watchable: ['mem.usedPct'],
    init: async () => true,
    collect: async () => [{ name: 'mem.usedPct', value: knob.value }],
    watch: async () => {
      knob.watchCalls++;
      return [{ name: 'mem.usedPct', value: knob.value }];
    },
  };
  return { knob, collector };
}

describe('watch against the real server', () => {
  it('a rule threshold reaches the agent; a crossing and its clear are reported early and open then resolve the alert', async () => {
    t = await startTestServer({ dataDir: path.join(dir, 'server'), storageUpkeep: false });
    const api = new ApiClient(t.url);
    await api.login();
    const dev = await enrollTestDevice(api);
    // Immediate rule on memory (the default waits 5 min).
    const rule = await api.post('/api/rules', {
      name: 'Memory now',
      kind: 'threshold',
      scope: { type: 'device', deviceId: dev.deviceId },
      metric: 'mem.usedPct',
      op: 'above',
      threshold: 70,
      clearThreshold: 60,
      forMs: 0,
      clearForMs: 0,
      severity: 'warning',
    });
    expect(rule.status).toBe(201);
    const { knob, collector } = memoryKnob();
    const configPath = path.join(dir, 'agent', 'agent.json');
    saveAgentConfig(configPath, { serverUrl: t.url, ...dev, intervalMs: 60_000 });
    const agent = createAgent({ config: loadAgentConfig(configPath), configPath, logger: createTestLogger().logger, collectors: [collector] });
    agents.push(agent);
    await agent.start();
    await waitFor('thresholds pushed', () => agent.watch.thresholds > 0, 10_000);
    await waitFor(
      'first report stored',
      () =>
        (t!.server.db.prepare('SELECT last_seq FROM device_streams WHERE device_id = ?').get(dev.deviceId) as { last_seq: number } | undefined)?.last_seq === 1,
    );

    knob.value = 95;
    const alertState = () =>
      (t!.server.db.prepare('SELECT state FROM alerts WHERE device_id = ? AND rule_id = ?').get(dev.deviceId, rule.json.id) as { state: string } | undefined)
        ?.state;
    await waitFor('alert opened', () => alertState() === 'firing', 10_000);
    // Only report 1 (value 40) was regular: the alert came from an early report.
    expect(agent.watch.earlyReports).toBe(1);
    knob.value = 50;
    await waitFor('alert resolved', () => alertState() === 'resolved', 10_000);
    expect(agent.watch.earlyReports).toBe(2);
    expect(knob.watchCalls).toBeGreaterThan(0);
  }, 30_000);
});
