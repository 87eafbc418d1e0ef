/**
 * The real agent (createAgent) against the real server (startTestServer: SQLite file, real ws):
 * outages, restarts, pushed settings, inventory and credential rotation, end to end.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Collector } from '../../agent/collectors/types.js';
import { loadAgentConfig, saveAgentConfig } from '../../agent/config.js';
import { createAgent, type Agent } from '../../agent/index.js';
import { AGENT_WS_PATH } from '../../shared/protocol.js';
import { ApiClient, enrollTestDevice, startTestServer, type TestServer } from '../helpers/test-server.js';
import { WsTestClient } from '../helpers/ws-client.js';
import { waitFor } from './helpers/protocol-server.js';
import { createTestLogger } from './helpers/test-logger.js';

let dir: string;
let t: TestServer | undefined;
const agents: Agent[] = [];
const sockets: WsTestClient[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-agent-real-'));
});
afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop();
  for (const s of sockets.splice(0)) s.close();
  await t?.close();
  t = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A collector whose value is its call number: report n carries proc.count = n. */
function countingCollector(): Collector {
  let n = 0;
  return { name: 'counter', init: async () => true, collect: async () => [{ name: 'proc.count', value: ++n }] };
}
const throwingCollector: Collector = {
  name: 'broken',
  init: async () => true,
  collect: async () => {
    throw new Error('sensor on fire');
  },
};

async function startServer(port = 0): Promise<{ t: TestServer; api: ApiClient }> {
  // No compaction: stored reports stay where readHead sees them even across an hour boundary.
  t = await startTestServer({ dataDir: path.join(dir, 'server'), storageUpkeep: false }, port);
  const api = new ApiClient(t.url);
  await api.login();
  return { t, api };
}

function startAgent(
  cfg: { serverUrl: string; deviceId: string; deviceToken: string },
  opts: {
    collectors?: Collector[] | ((s: { watchedServices: () => readonly string[] }) => Collector[]);
    intervalMs?: number;
    log?: ReturnType<typeof createTestLogger>;
  } = {},
): Agent {
  const configPath = path.join(dir, 'agent', 'agent.json');
  saveAgentConfig(configPath, { ...cfg, intervalMs: opts.intervalMs ?? 1_000 });
  const agent = createAgent({
    config: loadAgentConfig(configPath),
    configPath,
    logger: (opts.log ?? createTestLogger()).logger,
    collectors: opts.collectors ?? [countingCollector(), throwingCollector],
    connection: { backoff: { baseMs: 50, capMs: 400 }, reconnectSpreadMs: 200 },
    flushTimeoutMs: 2_000,
  });
  agents.push(agent);
  return agent;
}

/**
 * proc.count values stored for a device, in time order, read through the metric store at raw
 * resolution; the number of stored reports must match, so a report stored twice would show.
 */
function storedCounts(server: TestServer, deviceId: string): { tsMs: number; value: number }[] {
  const toMs = Date.now() + 60_000;
  const fromMs = toMs - 15 * 60_000;
  const { metrics } = server.server.ctx;
  const points = metrics.query(deviceId, 'proc.count', fromMs, toMs, toMs - fromMs).series[0]?.points ?? [];
  const reports = metrics.readHead(deviceId, fromMs, toMs).length;
  if (reports !== points.length) throw new Error(`${reports} stored reports but ${points.length} proc.count values: a report stored twice?`);
  return points.map((p) => ({ tsMs: p.tsMs, value: p.avg }));
}

describe('agent against the real server', () => {
  it('server down for a stretch while the agent keeps collecting: afterwards every report is stored exactly once and in order', async () => {
    const { t: first, api } = await startServer();
    const port = Number(new URL(first.url).port);
    const dev = await enrollTestDevice(api);
    const agent = startAgent({ serverUrl: first.url, ...dev });
    await agent.start();
    await waitFor('two reports stored', () => storedCounts(first, dev.deviceId).length >= 2);

    await first.close();
    t = undefined;
    // The agent keeps collecting into its spool: at 1 s, about four reports while the server is gone.
    await new Promise((r) => setTimeout(r, 4_000));
    expect(agent.state).not.toBe('ready');

    const { t: second } = await startServer(port);
    await waitFor('reconnected', () => agent.state === 'ready', 10_000);
    await new Promise((r) => setTimeout(r, 1_500));
    await agent.stop();

    const rows = storedCounts(second, dev.deviceId);
    const values = rows.map((r) => r.value);
    // Report n carries value n: 1..N with no gap (nothing lost) and no repeat (nothing twice).
    expect(values).toEqual(Array.from({ length: values.length }, (_, i) => i + 1));
    expect(values.length).toBeGreaterThanOrEqual(2 + 3);
    // In order: time grows with seq.
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.tsMs).toBeGreaterThan(rows[i - 1]!.tsMs);
    const stream = second.server.db.prepare('SELECT last_seq FROM device_streams WHERE device_id = ?').get(dev.deviceId) as { last_seq: number };
    expect(stream.last_seq).toBe(values.length);
    // The throwing collector never cost the counter a report.
    expect(second.server.ctx.devices.findById(dev.deviceId)!.latest['agent.droppedReports']).toBe(0);
  });

  it('pushes settings set on the server: welcome carries them, a PUT reaches the connected agent, device overrides client', async () => {
    const { api } = await startServer();
    const dev = await enrollTestDevice(api);
    const clientPut = await api.put(`/api/clients/${dev.clientId}/agent-config`, {
      intervalMs: 2_000,
      watchedServices: ['ssh'],
      collectors: { printers: false },
    });
    expect(clientPut.status).toBe(200);
    expect(clientPut.json).toEqual({
      clientId: dev.clientId,
      config: { intervalMs: 2_000, watchedServices: ['ssh'], collectors: { printers: false } },
      pushedTo: 0,
    });
    const agent = startAgent({ serverUrl: t!.url, ...dev });
    await agent.start();
    await waitFor('welcome config applied', () => agent.settings.intervalMs === 2_000);
    expect(agent.settings).toEqual({ intervalMs: 2_000, watchedServices: ['ssh'], collectors: { printers: false } });

    const devicePut = await api.put(`/api/devices/${dev.deviceId}/agent-config`, { watchedServices: ['nginx', 'postgresql'], collectors: { users: false } });
    expect(devicePut.json).toMatchObject({
      isPushed: true,
      effective: { intervalMs: 2_000, watchedServices: ['nginx', 'postgresql'], collectors: { printers: false, users: false } },
    });
    await waitFor('config frame applied', () => agent.settings.watchedServices?.[0] === 'nginx');
    expect(agent.settings).toEqual({ intervalMs: 2_000, watchedServices: ['nginx', 'postgresql'], collectors: { printers: false, users: false } });
    // The server counts the device offline after 3 of the intervals it told it to use.
    expect((await api.get(`/api/devices/${dev.deviceId}`)).json.intervalMs).toBe(2_000);

    const bad = await api.put(`/api/devices/${dev.deviceId}/agent-config`, { collectors: { printerz: false } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('VALIDATION_FAILED');
    expect(bad.json.error.message).toMatch(/^body\.collectors: collector names must be among: cpu, memory/);
  });

  it('stores the latest inventory per section and returns it in GET /api/devices/:id; watched services become metrics', async () => {
    const { api } = await startServer();
    const dev = await enrollTestDevice(api);
    await api.put(`/api/devices/${dev.deviceId}/agent-config`, { watchedServices: ['spooler', 'backupd'] });
    const servicesCollector = (s: { watchedServices: () => readonly string[] }): Collector => ({
      name: 'services',
      init: async () => true,
      collect: async () => {
        const services = s.watchedServices().map((name) => ({ name, isRunning: name === 'spooler', state: name === 'spooler' ? 'active' : 'failed' }));
        return {
          samples: services.map((x) => ({ name: 'service.isRunning', labels: { service: x.name }, value: x.isRunning ? 1 : 0 })),
          inventory: { services, updates: { pendingCount: 3, source: 'apt', packages: ['a', 'b', 'c'] } },
        };
      },
    });
    const agent = startAgent({ serverUrl: t!.url, ...dev }, { collectors: (s) => [servicesCollector(s)] });
    await agent.start();
    await waitFor('inventory stored', () => t!.server.ctx.inventory.get(dev.deviceId).services?.data.length === 2, 10_000);
    const detail = (await api.get(`/api/devices/${dev.deviceId}`)).json;
    expect(detail.inventory.services.data).toEqual([
      { name: 'spooler', isRunning: true, state: 'active' },
      { name: 'backupd', isRunning: false, state: 'failed' },
    ]);
    expect(detail.inventory.updates).toMatchObject({ tsMs: expect.any(Number), data: { pendingCount: 3, source: 'apt' } });
    await waitFor('metrics stored', () => t!.server.ctx.devices.findById(dev.deviceId)!.latest['service.isRunning{service=backupd}'] === 0);
    expect(t!.server.ctx.devices.findById(dev.deviceId)!.latest['service.isRunning{service=spooler}']).toBe(1);
  });

  it('rotates the credential of a connected agent: it persists the new one (0600), the old one stops working, reporting goes on', async () => {
    const { api } = await startServer();
    const dev = await enrollTestDevice(api);
    const agent = startAgent({ serverUrl: t!.url, ...dev });
    await agent.start();
    await waitFor('connected', () => agent.state === 'ready');
    const r = await api.post(`/api/devices/${dev.deviceId}/rotate-credential`);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ deviceId: dev.deviceId, status: 'rotated', rotatedAtMs: expect.any(Number) });
    const configPath = path.join(dir, 'agent', 'agent.json');
    const saved = loadAgentConfig(configPath);
    expect(saved.deviceToken).not.toBe(dev.deviceToken);
    expect(saved.deviceToken).toMatch(/^qpd_/);
    expect(fs.statSync(configPath).mode & 0o777).toBe(0o600);
    const wsUrl = `${t!.url.replace('http', 'ws')}${AGENT_WS_PATH}`;
    await expect(WsTestClient.connect(wsUrl, { authorization: `Bearer ${dev.deviceToken}` })).rejects.toMatchObject({ statusCode: 401 });
    const before = storedCounts(t!, dev.deviceId).length;
    await waitFor('still reporting', () => storedCounts(t!, dev.deviceId).length > before + 1);
    expect((await api.get(`/api/devices/${dev.deviceId}`)).json).toMatchObject({
      isCredentialRotationPending: false,
      credentialRotatedAtMs: expect.any(Number),
    });
  });

  it('rotation for an offline device is pending (202) and delivered when the agent next connects', async () => {
    const { api } = await startServer();
    const dev = await enrollTestDevice(api);
    const r = await api.post(`/api/devices/${dev.deviceId}/rotate-credential`);
    expect(r.status).toBe(202);
    expect(r.json).toMatchObject({ deviceId: dev.deviceId, status: 'pending', rotatedAtMs: null });
    expect((await api.get(`/api/devices/${dev.deviceId}`)).json.isCredentialRotationPending).toBe(true);
    const agent = startAgent({ serverUrl: t!.url, ...dev });
    await agent.start();
    await waitFor('rotation confirmed', () => t!.server.ctx.devices.findById(dev.deviceId)!.rotationRequestedAtMs === null);
    expect(loadAgentConfig(path.join(dir, 'agent', 'agent.json')).deviceToken).not.toBe(dev.deviceToken);
    expect(t!.server.ctx.devices.findByToken(dev.deviceToken, Date.now())).toBeUndefined();
  });

  it('disabling a connected device closes it with 4003 and refuses its reconnects; enabling lets it back in', async () => {
    const { api } = await startServer();
    const dev = await enrollTestDevice(api);
    const log = createTestLogger();
    const agent = startAgent({ serverUrl: t!.url, ...dev }, { log });
    await agent.start();
    await waitFor('connected', () => agent.state === 'ready');
    const r = await api.post(`/api/devices/${dev.deviceId}/disable`);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ id: dev.deviceId, isDisabled: true });
    await waitFor('closed with 4003', () => log.lines.some((l) => l.msg === 'agent connection closed; reconnecting after delay' && l.code === 4003));
    expect(log.messages()).toContain('device disabled or credential revoked — re-enroll');
    await waitFor('refused with 401', () => log.lines.some((l) => l.status === 401), 5_000);
    expect(agent.state).not.toBe('ready');
    await api.post(`/api/devices/${dev.deviceId}/enable`);
    await waitFor('back in', () => agent.state === 'ready', 5_000);
  });
});

describe('restore-safe credentials', () => {
  it('after the server is restored from a backup taken before a rotation, the agent gets back in with its older credential', async () => {
    const { api } = await startServer();
    const dev = await enrollTestDevice(api);
    const port = Number(new URL(t!.url).port);
    const log = createTestLogger();
    const agent = startAgent({ serverUrl: t!.url, ...dev }, { log });
    await agent.start();
    await waitFor('connected', () => agent.state === 'ready');
    // Yesterday's backup, then a rotation the backup does not know about.
    const backup = path.join(dir, 'backup.db');
    await t!.server.db.backup(backup);
    expect((await api.post(`/api/devices/${dev.deviceId}/rotate-credential`)).json.status).toBe('rotated');
    const configPath = path.join(dir, 'agent', 'agent.json');
    const rotated = loadAgentConfig(configPath);
    expect(rotated.deviceToken).not.toBe(dev.deviceToken);
    expect(rotated.previousDeviceTokens).toEqual([dev.deviceToken]);

    // Restore: stop, put the backup in place of the database, start on the same port and key.
    await t!.close();
    t = undefined;
    for (const f of fs.readdirSync(path.join(dir, 'server')).filter((f) => f.startsWith('quarkpulse.db'))) fs.rmSync(path.join(dir, 'server', f));
    fs.copyFileSync(backup, path.join(dir, 'server', 'quarkpulse.db'));
    await startServer(port);
    const before = storedCounts(t!, dev.deviceId).length;
    await waitFor('reporting again after the restore', () => storedCounts(t!, dev.deviceId).length > before + 1, 20_000);
    expect(log.messages()).toContain('device credential rejected; trying an older credential of this device (was the server restored from a backup?)');
    expect(log.messages()).toContain('the server accepted an older credential of this device (restored from a backup?); using it from now on');
    // The accepted one is current on disk; the refused newer one is kept for a return to the newer database.
    await waitFor('config updated', () => loadAgentConfig(configPath).deviceToken === dev.deviceToken);
    expect(loadAgentConfig(configPath).previousDeviceTokens).toEqual([rotated.deviceToken]);
  }, 60_000);
});
