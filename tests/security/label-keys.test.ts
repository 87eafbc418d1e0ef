/**
 * Frames are strict, labels too (issue 17, item 5). Reproduction from outside: a report whose
 * `labels` carry an extra `__proto__` key used to be acked and stored (zod's record drops that
 * key silently) while any other extra key was refused. Several agents now stream reports with
 * one hostile sample in the middle: the hostile report gets the same non-retryable UNKNOWN_METRIC
 * error and message as an ordinary extra label and is not stored; the others are acked and
 * stored (a non-retryable refusal is final, PROTOCOL.md §4).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_WS_PATH } from '../../shared/protocol.js';
import { ApiClient, enrollTestDevice, startTestServer, type TestServer } from '../helpers/test-server.js';
import { WsTestClient } from '../helpers/ws-client.js';

describe('label keys that name prototype machinery', () => {
  let t: TestServer;
  let api: ApiClient;
  const sockets: WsTestClient[] = [];
  beforeAll(async () => {
    t = await startTestServer();
    api = new ApiClient(t.url);
    await api.login();
  });
  afterAll(async () => {
    for (const s of sockets) s.ws.terminate();
    await t?.close();
  });

  const base = Date.now() - 60_000;
  const frame = (seq: number, labels: string) =>
    `{"type":"report","v":1,"seq":${seq},"tsMs":${base + seq * 1_000},"metrics":[{"name":"cpu.loadPct","value":${seq}},{"name":"fs.usedPct","labels":${labels},"value":${seq}}]}`;

  it('refuses __proto__, constructor and prototype like any extra label, with reports of several agents in flight', async () => {
    const keys = ['__proto__', 'constructor', 'prototype', 'zone'];
    const results = await Promise.all(
      keys.map(async (key, i) => {
        const dev = await enrollTestDevice(api, { hostname: `labels-${i}` });
        const c = await WsTestClient.connect(t.url.replace('http', 'ws') + AGENT_WS_PATH, { authorization: `Bearer ${dev.deviceToken}` });
        sockets.push(c);
        const streamId = `stream-labels-0${i}`;
        c.send({ type: 'hello', v: 1, agentVersion: 't', hostname: `labels-${i}`, streamId, intervalMs: 10_000 });
        await c.next((m) => m.type === 'welcome');
        // Ten reports sent at once; the sixth carries the extra key.
        for (let seq = 1; seq <= 10; seq++) c.send(frame(seq, seq === 6 ? `{"mount":"/","${key}":"x"}` : '{"mount":"/"}'));
        const error = await c.next((m) => m.type === 'error');
        const last = await c.next((m) => m.type === 'ack' && m.seq === 10);
        const acked = [...c.inbox.filter((m) => m.type === 'ack').map((m) => m.seq as number), last.seq as number];
        const stored = (await api.get(`/api/devices/${dev.deviceId}/metrics?name=fs.usedPct&from=${Date.now() - 3_600_000}&to=${Date.now()}&points=5000`)).json;
        return {
          error,
          acked: acked.sort((a, b) => a - b),
          series: stored.series.map((x: { labels: object; points: { avg: number }[] }) => ({ labels: x.labels, values: x.points.map((p) => p.avg) })),
        };
      }),
    );
    expect(results).toEqual(
      keys.map((key) => ({
        error: {
          type: 'error',
          v: 1,
          code: 'UNKNOWN_METRIC',
          message: `metrics.1: metric "fs.usedPct" needs labels [mount] but got [${[key, 'mount'].sort().join(',')}]`,
          retryable: false,
          seq: 6,
        },
        acked: [1, 2, 3, 4, 5, 7, 8, 9, 10],
        series: [{ labels: { mount: '/' }, values: [1, 2, 3, 4, 5, 7, 8, 9, 10] }],
      })),
    );
  });
});
