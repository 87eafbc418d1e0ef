import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AGENT_WS_PATH, MAX_FRAME_BYTES } from '../../shared/protocol.js';
import { ApiClient, enrollTestDevice, startTestServer, type TestServer } from '../helpers/test-server.js';
import { WsTestClient } from '../helpers/ws-client.js';

const hello = (streamId = 'stream-aaaaaaaa') => ({ type: 'hello', v: 1, agentVersion: '0.1.0', hostname: 'test-host', streamId, intervalMs: 10_000 });
const report = (seq: number, value = 42, tsMs = Date.now() - 600_000 + seq * 10_000) => ({
  type: 'report',
  v: 1,
  seq,
  tsMs,
  metrics: [
    { name: 'cpu.loadPct', value },
    { name: 'fs.usedPct', labels: { mount: '/' }, value: 50 },
  ],
});

describe('agent gateway', () => {
  let t: TestServer;
  let api: ApiClient;
  const clients: WsTestClient[] = [];

  beforeEach(async () => {
    t = await startTestServer();
    api = new ApiClient(t.url);
    await api.login();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await t.close();
  });

  async function connect(token: string): Promise<WsTestClient> {
    const c = await WsTestClient.connect(t.url.replace('http', 'ws') + AGENT_WS_PATH, { authorization: `Bearer ${token}` });
    clients.push(c);
    return c;
  }
  const sampleCount = (): number => t.server.ctx.metrics.countRawValues();

  it('refuses an upgrade without a credential or with a wrong one (401, before any frame)', async () => {
    const wsUrl = t.url.replace('http', 'ws') + AGENT_WS_PATH;
    await expect(WsTestClient.connect(wsUrl)).rejects.toMatchObject({ statusCode: 401 });
    const err = await WsTestClient.connect(wsUrl, { authorization: 'Bearer qpd_not-a-real-token' }).catch((e) => e);
    expect(err.statusCode).toBe(401);
    expect(JSON.parse(err.body)).toEqual({ error: { code: 'AGENT_UNAUTHORIZED', message: 'unknown device credential' } });
  });

  it('stores the device credential and enrollment token only as hashes', async () => {
    const { deviceToken, enrollmentToken } = await enrollTestDevice(api);
    const dump = JSON.stringify([t.server.db.prepare('SELECT * FROM devices').all(), t.server.db.prepare('SELECT * FROM enrollment_tokens').all()]);
    expect(dump).not.toContain(deviceToken);
    expect(dump).not.toContain(enrollmentToken);
  });

  it('welcomes, stores a report, and acks only after the commit', async () => {
    const { deviceId, deviceToken } = await enrollTestDevice(api);
    const c = await connect(deviceToken);
    c.send(hello());
    const welcome = await c.next((m) => m.type === 'welcome');
    expect(welcome).toMatchObject({ type: 'welcome', v: 1, deviceId, lastSeq: 0, config: { intervalMs: 10_000 } });
    c.send(report(1));
    const ack = await c.next((m) => m.type === 'ack');
    expect(ack).toEqual({ type: 'ack', v: 1, seq: 1 });
    // The ack was sent after the commit, so the rows are visible now.
    expect(sampleCount()).toBe(2);
  });

  it('acknowledges a replayed report without storing it twice, and tells lastSeq on reconnect', async () => {
    const { deviceToken } = await enrollTestDevice(api);
    const c = await connect(deviceToken);
    c.send(hello());
    await c.next((m) => m.type === 'welcome');
    c.send(report(1));
    c.send(report(2));
    await c.next((m) => m.type === 'ack' && m.seq === 2);
    c.send(report(2));
    expect(await c.next((m) => m.type === 'ack')).toMatchObject({ seq: 1 });
    expect(await c.next((m) => m.type === 'ack')).toMatchObject({ seq: 2 });
    c.close();
    const again = await connect(deviceToken);
    again.send(hello());
    expect(await again.next((m) => m.type === 'welcome')).toMatchObject({ lastSeq: 2 });
    // A new stream (agent state lost) starts from 0.
    const other = await connect(deviceToken);
    other.send(hello('stream-bbbbbbbb'));
    expect(await other.next((m) => m.type === 'welcome')).toMatchObject({ lastSeq: 0 });
    expect(sampleCount()).toBe(4);
  });

  const badFrames: [string, unknown, string][] = [
    ['malformed JSON', '{"type": "report", ', 'INVALID_JSON'],
    ['a JSON array', '[1,2]', 'INVALID_MESSAGE'],
    ['an unknown type', { type: 'reboot', v: 1 }, 'UNKNOWN_TYPE'],
    ['a newer protocol version', { ...report(1), v: 2 }, 'UNSUPPORTED_VERSION'],
    ['a wrong field type', { ...report(1), seq: 'one' }, 'INVALID_MESSAGE'],
    ['a NaN-like value', { ...report(1), metrics: [{ name: 'cpu.loadPct', value: '1e999' }] }, 'INVALID_MESSAGE'],
    ['an unknown metric', { ...report(1), metrics: [{ name: 'cpu.magic', value: 1 }] }, 'UNKNOWN_METRIC'],
    ['a metric with missing labels', { ...report(1), metrics: [{ name: 'fs.usedPct', value: 1 }] }, 'UNKNOWN_METRIC'],
    ['a report naming another device', { ...report(1), deviceId: 'someone-else' }, 'INVALID_MESSAGE'],
  ];
  it.each(badFrames)('answers %s with an error frame, stores nothing, and keeps serving', async (_label, frame, code) => {
    const { deviceToken } = await enrollTestDevice(api);
    const c = await connect(deviceToken);
    c.send(hello());
    await c.next((m) => m.type === 'welcome');
    c.send(frame as object);
    const err = await c.next((m) => m.type === 'error');
    expect(err).toMatchObject({ type: 'error', v: 1, code, retryable: false });
    expect(typeof err.message).toBe('string');
    expect(sampleCount()).toBe(0);
    // The same connection still works.
    c.send(report(5));
    expect(await c.next((m) => m.type === 'ack')).toMatchObject({ seq: 5 });
  });

  it('refuses a report before hello', async () => {
    const { deviceToken } = await enrollTestDevice(api);
    const c = await connect(deviceToken);
    c.send(report(1));
    expect(await c.next((m) => m.type === 'error')).toMatchObject({ code: 'HELLO_REQUIRED', seq: 1 });
    expect(sampleCount()).toBe(0);
  });

  it('refuses binary frames', async () => {
    const { deviceToken } = await enrollTestDevice(api);
    const c = await connect(deviceToken);
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await c.next((m) => m.type === 'error')).toMatchObject({ code: 'BINARY_NOT_SUPPORTED' });
  });

  it('closes an oversized frame with 1009 and other agents are unaffected', async () => {
    const a = await enrollTestDevice(api, { hostname: 'a' });
    const b = await enrollTestDevice(api, { hostname: 'b' });
    const big = await connect(a.deviceToken);
    const ok = await connect(b.deviceToken);
    ok.send(hello());
    await ok.next((m) => m.type === 'welcome');
    big.send('x'.repeat(MAX_FRAME_BYTES + 10));
    expect((await big.closed).code).toBe(1009);
    ok.send(report(1));
    expect(await ok.next((m) => m.type === 'ack')).toMatchObject({ seq: 1 });
  });

  it('writes each device only under its own id', async () => {
    const a = await enrollTestDevice(api, { hostname: 'a' });
    const b = await enrollTestDevice(api, { hostname: 'b' });
    const c = await connect(a.deviceToken);
    c.send(hello());
    await c.next((m) => m.type === 'welcome');
    c.send(report(1));
    await c.next((m) => m.type === 'ack');
    const owners = t.server.db.prepare('SELECT DISTINCT device_id FROM series').all() as { device_id: string }[];
    expect(owners).toEqual([{ device_id: a.deviceId }]);
    expect(owners.map((o) => o.device_id)).not.toContain(b.deviceId);
  });

  it('closes a connection that never says hello (4008)', async () => {
    await t.close();
    t = await startTestServer({ agentHelloTimeoutMs: 200 });
    api = new ApiClient(t.url);
    await api.login();
    const { deviceToken } = await enrollTestDevice(api);
    const c = await connect(deviceToken);
    expect((await c.closed).code).toBe(4008);
  });
});
