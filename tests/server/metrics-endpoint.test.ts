import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { AGENT_WS_PATH } from '../../shared/protocol.js';
import { ApiClient, enrollTestDevice, startTestServer, type TestServer } from '../helpers/test-server.js';
import { WsTestClient } from '../helpers/ws-client.js';

const hasPromtool = spawnSync('promtool', ['--version']).status === 0;

describe('GET /metrics', () => {
  let t: TestServer;
  afterEach(async () => t.close());

  it('exposes the server’s own figures, including ones wired in by other modules, and lints clean', async () => {
    t = await startTestServer({ metricSources: { outboxDepth: () => 3, openAlerts: () => 2, openIncidents: () => 1 } });
    const api = new ApiClient(t.url);
    await api.login();
    const dev = await enrollTestDevice(api);
    const c = await WsTestClient.connect(t.url.replace('http', 'ws') + AGENT_WS_PATH, { authorization: `Bearer ${dev.deviceToken}` });
    c.send({ type: 'hello', v: 1, agentVersion: '0.1.0', hostname: 'm', streamId: 'metrics-stream-1', intervalMs: 10_000 });
    await c.next((m) => m.type === 'welcome');
    c.send({
      type: 'report',
      v: 1,
      seq: 1,
      tsMs: Date.now(),
      metrics: [
        { name: 'cpu.loadPct', value: 5 },
        { name: 'mem.usedPct', value: 6 },
      ],
    });
    await c.next((m) => m.type === 'ack');
    const res = await fetch(`${t.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    c.close();
    expect(text).toMatch(/^qp_agents_connected 1$/m);
    expect(text).toMatch(/^qp_ingest_values_total 2$/m);
    expect(text).toMatch(/^qp_ingest_reports_total 1$/m);
    expect(text).toMatch(/^qp_ingest_batch_reports_bucket\{le="1"\} 1$/m);
    expect(text).toMatch(/^qp_ingest_writer_lag_seconds 0$/m);
    expect(text).toMatch(/^qp_outbox_depth 3$/m);
    expect(text).toMatch(/^qp_alerts_open 2$/m);
    expect(text).toMatch(/^qp_incidents_open 1$/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect(text).toMatch(/^process_resident_memory_bytes /m);
    // promtool comes from Debian's `prometheus` package; in CI its absence is a failure, not a skip.
    if (!hasPromtool && process.env.CI === 'true') throw new Error('promtool missing: apt-get install prometheus');
    if (hasPromtool) {
      const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect(lint.stdout + lint.stderr).toBe('');
      expect(lint.status).toBe(0);
    }
  });

  it('requires the bearer token when one is configured', async () => {
    t = await startTestServer({ metricsToken: 'scrape-token-0123456789' });
    expect((await fetch(`${t.url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${t.url}/metrics`, { headers: { authorization: 'Bearer nope' } });
    expect(await wrong.json()).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'send Authorization: Bearer <QP_METRICS_TOKEN>' } });
    expect((await fetch(`${t.url}/metrics`, { headers: { authorization: 'Bearer scrape-token-0123456789' } })).status).toBe(200);
  });
});
