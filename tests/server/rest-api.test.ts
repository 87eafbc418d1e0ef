import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AGENT_WS_PATH, LIVE_WS_PATH } from '../../shared/protocol.js';
import { ApiClient, enrollTestDevice, startTestServer, type TestServer } from '../helpers/test-server.js';
import { WsTestClient } from '../helpers/ws-client.js';

describe('REST API', () => {
  let t: TestServer;
  let api: ApiClient;
  const sockets: WsTestClient[] = [];

  beforeEach(async () => {
    t = await startTestServer();
    api = new ApiClient(t.url);
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await t.close();
  });

  async function agentWithReports(count: number, stepMs = 10_000) {
    await api.login();
    const dev = await enrollTestDevice(api, { hostname: 'srv-01' });
    const c = await WsTestClient.connect(t.url.replace('http', 'ws') + AGENT_WS_PATH, { authorization: `Bearer ${dev.deviceToken}` });
    sockets.push(c);
    c.send({ type: 'hello', v: 1, agentVersion: '0.1.0', hostname: 'srv-01', streamId: 'stream-12345678', intervalMs: 10_000 });
    await c.next((m) => m.type === 'welcome');
    const start = Date.now() - count * stepMs;
    for (let seq = 1; seq <= count; seq++) {
      c.send({
        type: 'report',
        v: 1,
        seq,
        tsMs: start + seq * stepMs,
        metrics: [
          { name: 'cpu.loadPct', value: seq % 100 },
          { name: 'fs.usedPct', labels: { mount: '/' }, value: 40 },
          { name: 'fs.usedPct', labels: { mount: '/data' }, value: 70 },
          { name: 'mem.usedPct', value: 33 },
        ],
      });
    }
    await c.next((m) => m.type === 'ack' && m.seq === count, 15_000);
    return { ...dev, agent: c, start };
  }

  it('answers /api/health without a session', async () => {
    const r = await api.get('/api/health');
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ status: 'ok', version: expect.any(String) });
  });

  it('requires a session for everything else', async () => {
    for (const p of ['/api/devices', '/api/clients', '/api/me', '/api/devices/x/metrics?name=cpu.loadPct']) {
      const r = await api.get(p);
      expect(r.status, p).toBe(401);
      expect(r.json).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'log in first: POST /api/login' } });
    }
  });

  it('logs in with a HttpOnly SameSite cookie and refuses bad credentials', async () => {
    const bad = await api.post('/api/login', { username: 'admin', password: 'wrong-password' });
    expect(bad.status).toBe(401);
    expect(bad.json.error.code).toBe('INVALID_CREDENTIALS');
    const ok = await api.post('/api/login', { username: 'admin', password: 'correct-horse-battery' });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ username: 'admin', role: 'admin' });
    const cookie = ok.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect((await api.get('/api/me')).json.username).toBe('admin');
    await api.post('/api/logout');
    expect((await api.get('/api/me')).status).toBe(401);
  });

  it('answers bad bodies with precise errors and no stack trace', async () => {
    const notJson = await api.request('POST', '/api/login', '{"username":', { 'content-type': 'application/json' });
    expect(notJson.status).toBe(400);
    expect(notJson.json.error.code).toBe('INVALID_JSON');
    const missing = await api.post('/api/login', { username: 'admin' });
    expect(missing.status).toBe(400);
    expect(missing.json.error).toEqual({ code: 'VALIDATION_FAILED', message: expect.stringContaining('body.password') });
    const form = await api.request('POST', '/api/login', 'username=admin', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
    const cross = await api.request('POST', '/api/login', { username: 'a', password: 'b' }, { origin: 'https://evil.example' });
    expect(cross.status).toBe(403);
    expect(cross.json.error.code).toBe('CSRF_REJECTED');
    expect(JSON.stringify([notJson.json, missing.json])).not.toMatch(/at .*\.ts:\d+/);
  });

  it('refuses an unknown enrollment token', async () => {
    const r = await api.post('/api/enroll', { token: 'qpe_nope-nope-nope', hostname: 'x' });
    expect(r.status).toBe(401);
    expect(r.json.error.code).toBe('ENROLLMENT_TOKEN_INVALID');
  });

  it('lists devices with their latest values and serves one device', async () => {
    const { deviceId, clientId } = await agentWithReports(3);
    const list = await api.get('/api/devices');
    expect(list.status).toBe(200);
    expect(list.json).toHaveLength(1);
    expect(list.json[0]).toMatchObject({ id: deviceId, clientId, hostname: 'srv-01', isOnline: true, cpuLoadPct: 3, memUsedPct: 33, diskUsedPct: 70 });
    const one = await api.get(`/api/devices/${deviceId}`);
    expect(one.json.series).toContainEqual({ name: 'fs.usedPct', labels: { mount: '/data' } });
    expect(one.json.latest['fs.usedPct{mount=/data}']).toBe(70);
    expect((await api.get('/api/devices/nope')).json.error.code).toBe('DEVICE_NOT_FOUND');
  });

  it('downsamples so a chart never gets more points than asked, keeping min and max', async () => {
    const { deviceId, start } = await agentWithReports(120);
    const from = start;
    const to = start + 121 * 10_000;
    const raw = await api.get(`/api/devices/${deviceId}/metrics?name=cpu.loadPct&from=${from}&to=${to}&points=1000`);
    expect(raw.json.series[0].points).toHaveLength(120);
    const down = await api.get(`/api/devices/${deviceId}/metrics?name=cpu.loadPct&from=${from}&to=${to}&points=10`);
    expect(down.status).toBe(200);
    const pts = down.json.series[0].points;
    expect(pts.length).toBeLessThanOrEqual(10);
    expect(pts.length).toBeGreaterThanOrEqual(9);
    expect(Math.max(...pts.map((p: { max: number }) => p.max))).toBe(99);
    expect(Math.min(...pts.map((p: { min: number }) => p.min))).toBe(0);
    const fs = await api.get(`/api/devices/${deviceId}/metrics?name=fs.usedPct&from=${from}&to=${to}&points=5`);
    expect(fs.json.series.map((s: { labels: object }) => s.labels)).toEqual([{ mount: '/' }, { mount: '/data' }]);
    for (const s of fs.json.series) expect(s.points.length).toBeLessThanOrEqual(5);
  });

  it('gzips read answers', async () => {
    await agentWithReports(2);
    const { request } = await import('node:http');
    const fetchRaw = (method: string, urlPath: string, body?: string) =>
      new Promise<{ encoding: string | undefined; status: number }>((resolve, reject) => {
        const req = request(
          `${t.url}${urlPath}`,
          { method, headers: { cookie: api.cookie, 'accept-encoding': 'gzip', ...(body ? { 'content-type': 'application/json' } : {}) } },
          (res) => {
            res.resume();
            res.on('end', () => resolve({ encoding: res.headers['content-encoding'], status: res.statusCode ?? 0 }));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    // Big enough to be worth compressing: many clients.
    for (let i = 0; i < 30; i++) await api.post('/api/clients', { name: `Gzip client ${i} with a long enough name`, contract: 'monthly' });
    expect(await fetchRaw('GET', '/api/clients')).toEqual({ encoding: 'gzip', status: 200 });
    expect(await fetchRaw('GET', '/api/devices')).toMatchObject({ status: 200 });
  });

  it('validates metrics queries', async () => {
    const { deviceId } = await agentWithReports(1);
    const unknown = await api.get(`/api/devices/${deviceId}/metrics?name=cpu.magic`);
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.code).toBe('VALIDATION_FAILED');
    expect(unknown.json.error.message).toContain('query.name');
    const inverted = await api.get(`/api/devices/${deviceId}/metrics?name=cpu.loadPct&from=2000&to=1000`);
    expect(inverted.json.error.code).toBe('INVALID_RANGE');
    const tooMany = await api.get(`/api/devices/${deviceId}/metrics?name=cpu.loadPct&points=100000`);
    expect(tooMany.json.error.message).toContain('query.points');
  });

  it('pushes new samples live to a subscribed dashboard socket', async () => {
    const { deviceId, agent } = await agentWithReports(1);
    const liveUrl = t.url.replace('http', 'ws') + LIVE_WS_PATH;
    await expect(WsTestClient.connect(liveUrl)).rejects.toMatchObject({ statusCode: 401 });
    const live = await WsTestClient.connect(liveUrl, { cookie: api.cookie });
    sockets.push(live);
    live.send({ type: 'subscribe', deviceIds: [deviceId, deviceId] });
    // The acknowledgement says the subscription holds: no sleep before the report.
    expect(await live.next((m) => m.type === 'subscribed')).toEqual({ type: 'subscribed', deviceIds: [deviceId] });
    agent.send({ type: 'report', v: 1, seq: 2, tsMs: Date.now(), metrics: [{ name: 'cpu.loadPct', value: 77 }] });
    const msg = await live.next((m) => m.type === 'samples');
    expect(msg).toMatchObject({ type: 'samples', deviceId, metrics: [{ name: 'cpu.loadPct', value: 77 }] });
    const devices = await live.next((m) => m.type === 'devices');
    expect(devices.devices[0]).toMatchObject({ id: deviceId, cpuLoadPct: 77 });
    live.send({ type: 'nonsense' });
    expect(await live.next((m) => m.type === 'error')).toMatchObject({ code: 'INVALID_MESSAGE' });
  });
});
