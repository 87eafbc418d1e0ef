/**
 * Enrollment lifecycle on the real server: re-enrollment, token listing/expiry/revocation, device
 * disable/enable, credential rotation and agent settings over REST, inventory over the socket.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AGENT_WS_PATH } from '../../shared/protocol.js';
import { hashPassword } from '../../server/lib/secrets.js';
import { ApiClient, enrollTestDevice, startTestServer, type TestServer } from '../helpers/test-server.js';
import { WsTestClient } from '../helpers/ws-client.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { registerAgentCommands } from '../../agent/cli.js';

const hello = { type: 'hello', v: 1, agentVersion: '0.1.0', hostname: 'h', streamId: 'stream-lifecycle', intervalMs: 10_000 };

describe('agent lifecycle API', () => {
  let t: TestServer;
  let api: ApiClient;
  let nowMs = Date.now();
  const sockets: WsTestClient[] = [];

  beforeEach(async () => {
    nowMs = Date.now();
    t = await startTestServer({ clock: { now: () => nowMs } });
    api = new ApiClient(t.url);
    await api.login();
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await t.close();
  });

  async function connect(token: string): Promise<WsTestClient> {
    const c = await WsTestClient.connect(`${t.url.replace('http', 'ws')}${AGENT_WS_PATH}`, { authorization: `Bearer ${token}` });
    sockets.push(c);
    return c;
  }
  const enroll = (token: string, machineId?: string, hostname = 'pc-01') => api.post('/api/enroll', { token, hostname, ...(machineId ? { machineId } : {}) });
  const deviceCount = () => (t.server.db.prepare('SELECT count(*) AS n FROM devices').get() as { n: number }).n;

  it('re-enrolling the same machine keeps one device, returns 200 with a new credential, and retires the old one once the new one is used', async () => {
    const first = await enrollTestDevice(api, { machineId: 'machine-a', hostname: 'pc-01' });
    const again = await enroll(first.enrollmentToken, 'machine-a', 'pc-01-renamed');
    expect(again.status).toBe(200);
    expect(again.json.deviceId).toBe(first.deviceId);
    expect(again.json.deviceToken).not.toBe(first.deviceToken);
    expect(deviceCount()).toBe(1);
    expect((await api.get(`/api/devices/${first.deviceId}`)).json.hostname).toBe('pc-01-renamed');
    // Two-phase: until the new credential has been used, the old one still works (twice here).
    (await connect(first.deviceToken)).close();
    (await connect(first.deviceToken)).close();
    await connect(again.json.deviceToken);
    await expect(connect(first.deviceToken)).rejects.toMatchObject({ statusCode: 401 });
    await connect(again.json.deviceToken);
    // Another machine with the same token is another device.
    expect((await enroll(first.enrollmentToken, 'machine-b')).status).toBe(201);
    expect(deviceCount()).toBe(2);
  });

  it("an `agent enroll` that fails after the server answered (unwritable config) leaves the running agent's credential working", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-two-phase-'));
    try {
      const client = (await api.post('/api/clients', { name: 'Two-phase', contract: 'monthly' })).json;
      const token = (await api.post(`/api/clients/${client.id}/enrollment-tokens`, {})).json.token as string;
      const enrollCli = async (configPath: string) => {
        const program = new Command('quarkpulse').exitOverride().configureOutput({ writeOut: () => {}, writeErr: () => {} });
        registerAgentCommands(program, { print: () => {}, warn: () => {}, env: { QP_TOKEN: token } });
        try {
          await program.parseAsync(['node', 'quarkpulse', 'agent', 'enroll', '--server', t.url, '--config', configPath]);
          return 0;
        } catch (e) {
          if (!(e instanceof CommanderError)) throw e;
          return e.exitCode;
        }
      };
      const good = path.join(dir, 'agent.json');
      expect(await enrollCli(good)).toBe(0);
      const working = JSON.parse(fs.readFileSync(good, 'utf8')) as { deviceId: string; deviceToken: string };
      // The same machine enrolls again, but its config cannot be written (the parent is a file).
      fs.writeFileSync(path.join(dir, 'not-a-dir'), '');
      expect(await enrollCli(path.join(dir, 'not-a-dir', 'agent.json'))).toBe(1);
      expect(deviceCount()).toBe(1);
      (await connect(working.deviceToken)).close();
      (await connect(working.deviceToken)).close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("lists a client's enrollment tokens without secrets, with use counts; revoked and expired tokens are refused", async () => {
    const dev = await enrollTestDevice(api, { machineId: 'm-1' });
    const expiring = await api.post(`/api/clients/${dev.clientId}/enrollment-tokens`, { label: 'short', expiresInHours: 1 });
    const list = await api.get(`/api/clients/${dev.clientId}/enrollment-tokens`);
    expect(list.status).toBe(200);
    expect(list.text).not.toContain(dev.enrollmentToken);
    expect(list.text).not.toContain(expiring.json.token);
    expect(list.json).toHaveLength(2);
    expect(list.json.find((x: { id: string }) => x.id === expiring.json.id)).toEqual({
      id: expiring.json.id,
      clientId: dev.clientId,
      label: 'short',
      createdAtMs: nowMs,
      expiresAtMs: nowMs + 3_600_000,
      revokedAtMs: null,
      usedCount: 0,
      lastUsedAtMs: null,
    });
    expect(list.json.find((x: { id: string }) => x.id !== expiring.json.id)).toMatchObject({ usedCount: 1, lastUsedAtMs: nowMs });

    nowMs += 3_600_001;
    const late = await enroll(expiring.json.token, 'm-2');
    expect(late.status).toBe(401);
    expect(late.json).toEqual({ error: { code: 'ENROLLMENT_TOKEN_INVALID', message: 'enrollment token is unknown, expired or revoked' } });

    const firstTokenId = list.json.find((x: { id: string }) => x.id !== expiring.json.id).id;
    const revoked = await api.delete(`/api/enrollment-tokens/${firstTokenId}`);
    expect(revoked.status).toBe(200);
    expect(revoked.json).toMatchObject({ id: firstTokenId, revokedAtMs: nowMs });
    expect((await enroll(dev.enrollmentToken, 'm-3')).json.error.code).toBe('ENROLLMENT_TOKEN_INVALID');
    // Devices enrolled with a revoked token keep working.
    await connect(dev.deviceToken);
    expect((await api.delete('/api/enrollment-tokens/nope')).json.error.code).toBe('ENROLLMENT_TOKEN_NOT_FOUND');
  });

  it('a disabled device is refused at the upgrade (401), its live socket is closed with 4003, and it cannot re-enroll until enabled', async () => {
    const dev = await enrollTestDevice(api, { machineId: 'm-dis' });
    const live = await connect(dev.deviceToken);
    live.send(hello);
    await live.next((m) => m.type === 'welcome');
    const r = await api.post(`/api/devices/${dev.deviceId}/disable`);
    expect(r.json).toMatchObject({ isDisabled: true });
    expect(await live.closed).toEqual({ code: 4003, reason: 'device disabled' });
    const refused = await connect(dev.deviceToken).catch((e) => e);
    expect(refused.statusCode).toBe(401);
    expect(JSON.parse(refused.body)).toEqual({ error: { code: 'AGENT_UNAUTHORIZED', message: 'device is disabled' } });
    const reenroll = await enroll(dev.enrollmentToken, 'm-dis');
    expect(reenroll.status).toBe(403);
    expect(reenroll.json.error.code).toBe('DEVICE_DISABLED');
    expect((await api.post(`/api/devices/${dev.deviceId}/enable`)).json).toMatchObject({ isDisabled: false });
    await connect(dev.deviceToken);
  });

  it('viewers read agent settings but cannot change them, disable devices, rotate credentials or revoke tokens', async () => {
    const dev = await enrollTestDevice(api);
    t.server.ctx.users.create({ username: 'viewer', passwordHash: await hashPassword('viewer-password-1'), role: 'viewer' }, nowMs);
    const viewer = new ApiClient(t.url);
    await viewer.login('viewer', 'viewer-password-1');
    expect((await viewer.get(`/api/devices/${dev.deviceId}/agent-config`)).status).toBe(200);
    expect((await viewer.get(`/api/clients/${dev.clientId}/enrollment-tokens`)).status).toBe(200);
    for (const [method, p] of [
      ['POST', `/api/devices/${dev.deviceId}/disable`],
      ['POST', `/api/devices/${dev.deviceId}/rotate-credential`],
      ['PUT', `/api/devices/${dev.deviceId}/agent-config`],
      ['PUT', `/api/clients/${dev.clientId}/agent-config`],
      ['DELETE', '/api/enrollment-tokens/x'],
    ] as const) {
      const r = await viewer.request(method, p, method === 'DELETE' ? undefined : {});
      expect(r.status, `${method} ${p}`).toBe(403);
      expect(r.json.error.code).toBe('FORBIDDEN');
    }
  });

  it('rotation over a raw socket: the credential frame, credentialAck, and the old credential retired', async () => {
    const dev = await enrollTestDevice(api);
    const c = await connect(dev.deviceToken);
    c.send(hello);
    await c.next((m) => m.type === 'welcome');
    const pending = api.post(`/api/devices/${dev.deviceId}/rotate-credential`);
    const frame = await c.next((m) => m.type === 'credential');
    expect(frame).toEqual({ type: 'credential', v: 1, deviceToken: expect.stringMatching(/^qpd_/) });
    // Until the agent confirms, both work: a crash mid-rotation never locks an agent out.
    const meanwhile = await connect(dev.deviceToken);
    meanwhile.close();
    c.send({ type: 'credentialAck', v: 1 });
    expect((await pending).json).toMatchObject({ status: 'rotated' });
    await expect(connect(dev.deviceToken)).rejects.toMatchObject({ statusCode: 401 });
    await connect(frame.deviceToken);
    // An ack with nothing pending is an error, not a crash.
    const again = await connect(frame.deviceToken);
    again.send(hello);
    await again.next((m) => m.type === 'welcome');
    again.send({ type: 'credentialAck', v: 1 });
    expect(await again.next((m) => m.type === 'error')).toMatchObject({ code: 'NO_PENDING_CREDENTIAL', retryable: false });
  });

  it('a pending credential the agent saved but never acknowledged is accepted at its first use and retires the old one', async () => {
    const dev = await enrollTestDevice(api);
    const c = await connect(dev.deviceToken);
    c.send(hello);
    await c.next((m) => m.type === 'welcome');
    const pending = api.post(`/api/devices/${dev.deviceId}/rotate-credential`);
    const frame = await c.next((m) => m.type === 'credential');
    c.close(); // the ack is lost
    await connect(frame.deviceToken);
    await expect(connect(dev.deviceToken)).rejects.toMatchObject({ statusCode: 401 });
    expect(t.server.ctx.devices.findById(dev.deviceId)!.rotationRequestedAtMs).toBeNull();
    expect((await pending).json).toMatchObject({ status: 'rotated' });
  });

  it('stores inventory sections from the socket, refuses a malformed one precisely, and shows them in the device detail', async () => {
    const dev = await enrollTestDevice(api);
    const c = await connect(dev.deviceToken);
    c.send({ type: 'inventory', v: 1, tsMs: nowMs, sections: {} });
    expect(await c.next((m) => m.type === 'error')).toMatchObject({ code: 'HELLO_REQUIRED' });
    c.send(hello);
    await c.next((m) => m.type === 'welcome');
    c.send({ type: 'inventory', v: 1, tsMs: nowMs, sections: { printers: [{ name: 'HP', status: 'stopped' }] } });
    expect(await c.next((m) => m.type === 'error')).toMatchObject({
      code: 'INVALID_MESSAGE',
      message: expect.stringMatching(/^sections\.printers\.0\.hasError: /),
    });
    c.send({
      type: 'inventory',
      v: 1,
      tsMs: nowMs,
      sections: {
        printers: [{ name: 'HP', status: 'stopped', hasError: true, isDefault: true }],
        disks: [{ device: '/dev/sda', smartStatus: 'failing', sizeBytes: 1_000 }],
        facts: { platform: 'linux', distro: 'Debian GNU/Linux', release: '13' },
      },
    });
    c.send({ type: 'inventory', v: 1, tsMs: nowMs + 1, sections: { users: [{ user: 'anna', terminal: 'pts/0' }] } });
    // A ping round trip: the frames before it are handled.
    await new Promise<void>((resolve) => {
      c.ws.once('pong', () => resolve());
      c.ws.ping();
    });
    const detail = (await api.get(`/api/devices/${dev.deviceId}`)).json;
    expect(detail.inventory).toEqual({
      disks: { tsMs: nowMs, data: [{ device: '/dev/sda', smartStatus: 'failing', sizeBytes: 1_000 }] },
      facts: { tsMs: nowMs, data: { platform: 'linux', distro: 'Debian GNU/Linux', release: '13' } },
      printers: { tsMs: nowMs, data: [{ name: 'HP', status: 'stopped', hasError: true, isDefault: true }] },
      users: { tsMs: nowMs + 1, data: [{ user: 'anna', terminal: 'pts/0' }] },
    });
    expect(detail.facts).toEqual({ platform: 'linux', distro: 'Debian GNU/Linux', release: '13' });
  });

  it('agent settings: client and device layers, effective config in welcome, validation errors name the field', async () => {
    const dev = await enrollTestDevice(api);
    expect((await api.put(`/api/clients/${dev.clientId}/agent-config`, { intervalMs: 30_000 })).status).toBe(200);
    expect((await api.put(`/api/devices/${dev.deviceId}/agent-config`, { collectors: { updates: false } })).status).toBe(200);
    const c = await connect(dev.deviceToken);
    c.send(hello);
    const welcomeConfig = (await c.next((m) => m.type === 'welcome')).config;
    expect(welcomeConfig).toEqual({ intervalMs: 30_000, collectors: { updates: false }, watch: expect.any(Object) });
    // The default rules' simple thresholds on watchable metrics (config.watch).
    expect(welcomeConfig.watch.thresholds.map((t: { metric: string }) => t.metric)).toEqual(['cpu.loadPct', 'fs.usedPct', 'mem.usedPct']);
    const put = await api.put(`/api/clients/${dev.clientId}/agent-config`, { intervalMs: 60_000, watchedServices: ['Spooler'] });
    expect(put.json.pushedTo).toBe(1);
    expect((await c.next((m) => m.type === 'config')).config).toEqual({
      intervalMs: 60_000,
      watchedServices: ['Spooler'],
      collectors: { updates: false },
      watch: welcomeConfig.watch,
    });
    const got = await api.get(`/api/devices/${dev.deviceId}/agent-config`);
    expect(got.json).toEqual({
      deviceId: dev.deviceId,
      config: { collectors: { updates: false } },
      clientConfig: { intervalMs: 60_000, watchedServices: ['Spooler'] },
      effective: { intervalMs: 60_000, watchedServices: ['Spooler'], collectors: { updates: false } },
    });
    const bad = await api.put(`/api/clients/${dev.clientId}/agent-config`, { intervalMs: 500 });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/^body\.intervalMs: /);
    expect((await api.put(`/api/clients/${dev.clientId}/agent-config`, { interval: 5 })).json.error.code).toBe('VALIDATION_FAILED');
    expect((await api.get('/api/clients/nope/agent-config')).status).toBe(404);
  });
});
