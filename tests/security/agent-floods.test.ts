/**
 * Floods and slow clients on the agent side: a device that sends too fast is told RATE_LIMITED
 * with retryAfterMs and the report to resend, never acked past a refused report, and closed with
 * 1008 when it ignores the wait; its reconnects are limited too; other agents keep being served.
 * Slow or silent sockets are cut by the header timeout, and a flood of them by the pending cap,
 * shared fairly per remote address (tests/security/connection-fairness.test.ts floods at scale).
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENT_WS_PATH } from '../../shared/protocol.js';
import { takeTokens } from '../../server/gateway/agent-rate-limit.js';
import { ApiClient, enrollTestDevice, startTestServer, type TestServer } from '../helpers/test-server.js';
import { WsTestClient } from '../helpers/ws-client.js';

const hello = (streamId = 'stream-flood-01') => ({ type: 'hello', v: 1, agentVersion: '0.1.0', hostname: 'h', streamId, intervalMs: 10_000 });
const report = (seq: number, values = 1) => ({
  type: 'report',
  v: 1,
  seq,
  tsMs: Date.now() - 3_600_000 + seq,
  metrics: Array.from({ length: values }, (_, i) => ({ name: 'fs.usedPct', labels: { mount: `/m${i}` }, value: seq % 100 })),
});

describe('token bucket', () => {
  it('takes while it holds enough, then says how long until one second of refill (or the cost) is back', () => {
    let b = { tokens: 3, atMs: 0 };
    for (let i = 0; i < 3; i++) {
      const r = takeTokens(b, 1, 3, 2, 0);
      expect(r.ok).toBe(true);
      b = r.bucket;
    }
    expect(takeTokens(b, 1, 3, 2, 0)).toEqual({ ok: false, bucket: { tokens: 0, atMs: 0 }, retryAfterMs: 1000 });
    expect(takeTokens(b, 1, 3, 2, 500)).toMatchObject({ ok: true, bucket: { tokens: 0 } });
    // Never more than the capacity, however long it waited.
    expect(takeTokens(b, 0, 3, 2, 60_000).bucket.tokens).toBe(3);
    expect(takeTokens({ tokens: 0, atMs: 0 }, 10, 100, 5, 0)).toMatchObject({ ok: false, retryAfterMs: 2000 });
  });
});

describe('agent floods and slow clients', () => {
  let t: TestServer;
  const sockets: WsTestClient[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.ws.terminate();
    await t?.close();
  });

  async function setup(opts: Parameters<typeof startTestServer>[0]) {
    t = await startTestServer(opts);
    const api = new ApiClient(t.url);
    await api.login();
    return api;
  }
  async function connect(token: string): Promise<WsTestClient> {
    const c = await WsTestClient.connect(t.url.replace('http', 'ws') + AGENT_WS_PATH, { authorization: `Bearer ${token}` });
    sockets.push(c);
    return c;
  }
  const lastSeq = (deviceId: string, streamId: string) => t.server.ctx.devices.lastSeq(deviceId, streamId);

  it('answers a frame flood with RATE_LIMITED and retryAfterMs, acks nothing past the refused report, and closes with 1008 when ignored', async () => {
    const api = await setup({ agentRateLimit: { burstFrames: 20, refillFramesPerSec: 5, maxRefusedPerWait: 200 } });
    const flooder = await enrollTestDevice(api, { hostname: 'flooder' });
    const calm = await enrollTestDevice(api, { hostname: 'calm' });
    const f = await connect(flooder.deviceToken);
    f.send(hello());
    await f.next((m) => m.type === 'welcome');
    // The upgrade and hello took 2 of the 20 frames: reports 1–18 fit, 19 is refused.
    for (let seq = 1; seq <= 60; seq++) f.send(report(seq));
    const refused = await f.next((m) => m.type === 'error');
    expect(refused).toEqual({
      type: 'error',
      v: 1,
      code: 'RATE_LIMITED',
      seq: 19,
      retryable: true,
      retryAfterMs: expect.any(Number),
      message: expect.stringMatching(/^too many frames; wait \d+ ms, then resend from report 19$/),
    });
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(1000);
    await f.next((m) => m.type === 'ack' && m.seq === 18);
    await new Promise((r) => setTimeout(r, 100));
    // Exactly one answer per wait: the rest of the flood was discarded unread.
    expect(f.inbox.filter((m) => m.type === 'error')).toEqual([]);
    expect(f.inbox.some((m) => m.type === 'ack' && m.seq > 18)).toBe(false);
    expect(lastSeq(flooder.deviceId, 'stream-flood-01')).toBe(18);

    // After the wait, a report past the refused one is refused again (it would be acked past 19).
    await new Promise((r) => setTimeout(r, refused.retryAfterMs + 50));
    f.send(report(25));
    expect(await f.next((m) => m.type === 'error')).toMatchObject({
      code: 'RATE_LIMITED',
      seq: 25,
      message: 'report 25 refused: report 19 was rate limited and must be sent first',
    });
    f.send(report(19));
    expect(await f.next((m) => m.type === 'ack' && m.seq === 19)).toEqual({ type: 'ack', v: 1, seq: 19 });

    // Meanwhile another device is served normally.
    const c = await connect(calm.deviceToken);
    c.send(hello('stream-calm-001'));
    await c.next((m) => m.type === 'welcome');
    c.send(report(1));
    expect(await c.next((m) => m.type === 'ack')).toMatchObject({ seq: 1 });

    // Ignoring the wait: more than maxRefusedPerWait frames during it closes the connection.
    for (let seq = 20; seq < 400; seq++) f.send(report(seq));
    expect((await f.closed).code).toBe(1008);
    expect(lastSeq(flooder.deviceId, 'stream-flood-01')).toBeLessThan(400);
    // The calm agent is still connected and served.
    c.send(report(2));
    expect(await c.next((m) => m.type === 'ack')).toMatchObject({ seq: 2 });
  });

  it('limits values as well as frames, so a few huge reports cannot flood the writer', async () => {
    const api = await setup({ agentRateLimit: { burstValues: 1_000, refillValuesPerSec: 100 } });
    const dev = await enrollTestDevice(api);
    const c = await connect(dev.deviceToken);
    c.send(hello());
    await c.next((m) => m.type === 'welcome');
    c.send(report(1, 600));
    expect(await c.next((m) => m.type === 'ack')).toMatchObject({ seq: 1 });
    c.send(report(2, 600));
    const err = await c.next((m) => m.type === 'error');
    expect(err).toMatchObject({
      code: 'RATE_LIMITED',
      seq: 2,
      retryable: true,
      message: `too many values; wait ${err.retryAfterMs} ms, then resend from report 2`,
    });
    // 600 wanted, about 400 held, refilling at 100/s.
    expect(err.retryAfterMs).toBeGreaterThan(1500);
    expect(err.retryAfterMs).toBeLessThanOrEqual(2000);
    expect(lastSeq(dev.deviceId, 'stream-flood-01')).toBe(1);
  });

  it('counts reconnects: a reconnect loop gets 429 with Retry-After before any frame', async () => {
    const api = await setup({ agentRateLimit: { burstFrames: 3, refillFramesPerSec: 0.5 } });
    const dev = await enrollTestDevice(api);
    for (let i = 0; i < 3; i++) (await connect(dev.deviceToken)).ws.terminate();
    const err = await WsTestClient.connect(t.url.replace('http', 'ws') + AGENT_WS_PATH, { authorization: `Bearer ${dev.deviceToken}` }).catch((e) => e);
    expect(err.statusCode).toBe(429);
    expect(JSON.parse(err.body)).toEqual({
      error: { code: 'RATE_LIMITED', message: expect.stringMatching(/^too many connections; retry in \d+ ms$/), retryAfterMs: expect.any(Number) },
    });
  });

  it("cuts sockets that never finish their headers, drops an address's sockets beyond its share, and still serves other addresses", async () => {
    await setup({ connectionLimits: { headersTimeoutMs: 400, requestTimeoutMs: 1_000, checkIntervalMs: 100, maxPending: 3 } });
    const { port } = new URL(t.url);
    const open = (partial: string, localAddress = '127.0.0.1') =>
      new Promise<{ socket: net.Socket; closed: Promise<string> }>((resolve) => {
        const socket = net.connect({ port: Number(port), host: '127.0.0.1', localAddress }, () => {
          if (partial) socket.write(partial);
          let got = '';
          socket.on('data', (d) => (got += d.toString()));
          const closed = new Promise<string>((r) => socket.on('close', () => r(got)));
          socket.on('error', () => {});
          resolve({ socket, closed });
        });
      });
    const started = Date.now();
    const slow = [await open('GET /api/health HTTP/1.1\r\nHost: x\r\n'), await open(`GET ${AGENT_WS_PATH} HTTP/1.1\r\nUpgrade: websocket\r\n`), await open('')];
    // A fourth socket from the same address finds its share (here the whole cap) used: closed at once, unanswered.
    const extra = await open('GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await extra.closed).toBe('');
    // Another address is not locked out: it takes the oldest slot of the busiest address.
    const other = await open('GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', '127.0.0.2');
    expect(await other.closed).toMatch(/^HTTP\/1\.1 200/);
    const answers = await Promise.all(slow.map((s) => s.closed));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(answers[0]).toBe('');
    expect(answers[1]).toMatch(/^HTTP\/1\.1 408/);
    // Once they are gone the server serves again.
    expect((await new ApiClient(t.url).get('/api/health')).status).toBe(200);
  });
});
