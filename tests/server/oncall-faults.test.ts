/**
 * Faults, on an injected clock and real receivers: a receiver down for minutes gets everything,
 * in order, each message once, when it is back; a restart with messages queued sends them
 * after the restart, once (and a send interrupted by a crash is sent again: at least once);
 * 4xx is not retried, 5xx and timeouts are retried with backoff until the budget runs out;
 * dead letters are listed, raised to the admins by email, and can be retried.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient, startTestServer, type TestServer } from '../helpers/test-server.js';
import type { TestAgent } from '../helpers/test-agent.js';
import { manualClock, startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from '../helpers/receivers.js';
import { disableOfflineRule, fireDiskAlert } from '../helpers/oncall-setup.js';
import type { ServerOptions } from '../../server/index.js';

const SEC = 1000;
const MIN = 60_000;

describe('delivery faults', () => {
  let t: TestServer;
  let api: ApiClient;
  let http: HttpReceiver;
  let smtp: SmtpReceiver;
  let clock: ReturnType<typeof manualClock>;
  let dataDir: string;
  const agents: TestAgent[] = [];

  const options = (extra: Partial<ServerOptions> = {}): Partial<ServerOptions> => ({
    dataDir,
    clock,
    notifyTickIntervalMs: 3_600_000,
    ruleTickIntervalMs: 3_600_000,
    random: () => 0.5,
    ...extra,
  });

  beforeEach(async () => {
    http = await startHttpReceiver();
    smtp = await startSmtpReceiver();
    clock = manualClock();
    dataDir = mkdtempSync(path.join(tmpdir(), 'qp-faults-'));
  });
  afterEach(async () => {
    for (const a of agents.splice(0)) a.close();
    await t.close();
    await http.close();
    await smtp.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(extra: Partial<ServerOptions> = {}) {
    t = await startTestServer(options(extra));
    api = new ApiClient(t.url);
    await api.login();
  }

  /** A default policy paging these webhook paths (each its own channel). */
  async function pageWebhooks(paths: string[]) {
    await disableOfflineRule(api);
    const ids: string[] = [];
    for (const p of paths) {
      const r = await api.post('/api/channels', { type: 'webhook', name: `Hook ${p}`, config: { url: http.url(p), secret: 'hook-secret-0123456789' } });
      expect(r.status, r.text).toBe(201);
      ids.push(r.json.id);
    }
    const policy = await api.post('/api/escalation-policies', {
      name: 'Hooks',
      isDefault: true,
      levels: [{ afterMs: 0, targets: ids.map((channelId) => ({ type: 'channel', channelId })) }],
    });
    expect(policy.status, policy.text).toBe(201);
    return ids;
  }

  const tickAt = async (ms: number) => {
    clock.set(ms);
    await t.server.ctx.notify.tick();
  };

  it('a receiver down for minutes gets every message once it is back, in order, none twice', async () => {
    await start();
    await pageWebhooks(['/hook']);
    await http.down();
    const t0 = clock.now();
    const dev = await fireDiskAlert(t, api, { clientName: 'Jansen Accountants' });
    agents.push(dev.agent);
    await dev.agent.report([
      { name: 'fs.usedPct', labels: { mount: '/data' }, value: 95 },
      { name: 'fs.usedPct', labels: { mount: '/var' }, value: 96 },
    ]);
    const alerts = (await api.get('/api/alerts?state=open')).json.map((a: { id: string }) => a.id);
    expect(alerts).toHaveLength(3);
    // Someone acknowledges the second alert in the dashboard while the receiver is down.
    expect((await api.post(`/api/alerts/${alerts[1]}/acknowledge`)).status).toBe(200);

    for (let s = 0; s <= 240; s += 15) await tickAt(t0 + s * SEC);
    const queued = (await api.get('/api/notifications')).json;
    expect(queued.map((d: { status: string }) => d.status)).toEqual(['pending', 'pending', 'pending', 'pending']);
    // Only the oldest message of the destination is tried while it is down; the rest wait their turn.
    const head = queued.at(-1);
    expect(head.attempts).toBeGreaterThanOrEqual(4);
    expect(
      head.attemptLog.every(
        (a: { outcome: string; error: string }) => a.outcome === 'retry' && a.error.startsWith('could not reach the receiver: ECONNREFUSED'),
      ),
    ).toBe(true);
    expect(queued.slice(0, 3).every((d: { attempts: number }) => d.attempts === 0)).toBe(true);

    await http.up();
    await tickAt(head.nextAttemptAtMs);
    const got = http.accepted('/hook').map((r) => JSON.parse(r.body) as { event: string; alert: { alertId: string }; idempotencyKey: string });
    // In queue order: the three pages, then the acknowledgement queued while the receiver was down.
    expect(got.map((b) => b.idempotencyKey)).toEqual(queued.map((q: { idempotencyKey: string }) => q.idempotencyKey).reverse());
    expect(got.map((b) => b.event)).toEqual(['alert.firing', 'alert.firing', 'alert.firing', 'alert.acknowledged']);
    expect(new Set(got.slice(0, 3).map((b) => b.alert.alertId))).toEqual(new Set(alerts));
    expect(got[3]!.alert.alertId).toBe(alerts[1]);
    expect(new Set(got.map((b) => b.idempotencyKey)).size).toBe(4);
    for (let s = 0; s < 10; s++) await tickAt(clock.now() + 10 * MIN);
    expect(http.requests.filter((r) => r.path === '/hook')).toHaveLength(4);
    expect((await api.get('/api/notifications/summary')).json).toEqual({ pending: 0, sending: 0, sent: 4, dead: 0 });
  });

  it('messages queued when the server stops are sent after the restart, once; an interrupted send is sent again', async () => {
    await start();
    await pageWebhooks(['/hook']);
    await http.down();
    const t0 = clock.now();
    const dev = await fireDiskAlert(t, api, { clientName: 'Jansen Accountants' });
    await tickAt(t0);
    dev.agent.close();
    const [queued] = (await api.get('/api/notifications')).json;
    expect(queued).toMatchObject({ status: 'pending', attempts: 1 });
    await t.close();

    await http.up();
    await start();
    await tickAt(t0 + 10 * SEC);
    expect(http.accepted('/hook')).toHaveLength(1);
    expect(JSON.parse(http.accepted('/hook')[0]!.body)).toMatchObject({ event: 'alert.firing', idempotencyKey: queued.idempotencyKey });
    await tickAt(t0 + 10 * MIN);
    expect(http.requests).toHaveLength(1);
    expect((await api.get(`/api/notifications/${queued.id}`)).json).toMatchObject({ status: 'sent', attempts: 2 });

    // A crash between claiming a message and recording the answer leaves it 'sending': the next
    // start sends it again with the same Idempotency-Key, for the receiver to dedupe.
    expect((await api.post(`/api/alerts/${queued.alertId}/resolve`)).status).toBe(200);
    await t.server.ctx.notify.tick();
    const resolvedKey = http.accepted('/hook')[1]!.headers['idempotency-key'];
    // Simulated crash: the row as it was between the receiver's 200 and the record of it.
    t.server.db.prepare(`UPDATE deliveries SET status = 'sending' WHERE idempotency_key = ?`).run(resolvedKey);
    await t.close();
    await start();
    await tickAt(clock.now() + SEC);
    expect(http.accepted('/hook').map((r) => r.headers['idempotency-key'])).toEqual([queued.idempotencyKey, resolvedKey, resolvedKey]);
    const again = (await api.get('/api/notifications')).json.find((d: { idempotencyKey: string }) => d.idempotencyKey === resolvedKey);
    expect(again.attemptLog.map((a: { outcome: string }) => a.outcome)).toEqual(['sent', 'interrupted', 'sent']);
  });

  it('4xx is dead at once, 5xx and timeouts are retried with backoff until the budget runs out; dead letters reach the admins and can be retried', async () => {
    await start({ notifyRetry: { maxAttempts: 3, timeoutMs: 300 } });
    const admin = (await api.get('/api/users')).json[0];
    await api.request('PATCH', `/api/users/${admin.id}`, { email: 'admin@example.com' });
    expect(
      (
        await api.post('/api/channels', {
          type: 'email',
          name: 'Mail',
          config: { host: '127.0.0.1', port: smtp.port, tls: 'none', from: 'alerts@example.com' },
        })
      ).status,
    ).toBe(201);
    http.setRespond((r) => (r.path === '/gone' ? 410 : r.path === '/broken' ? 503 : r.path === '/slow' ? 'hang' : 200));
    await pageWebhooks(['/gone', '/broken', '/slow']);
    const t0 = clock.now();
    const { agent, alert } = await fireDiskAlert(t, api, { clientName: 'Jansen Accountants' });
    agents.push(agent);
    await tickAt(t0);

    const byPath = async () => {
      const list = (await api.get(`/api/notifications?alert=${alert!.id}&purpose=page`)).json as {
        channelName: string;
        status: string;
        attempts: number;
        lastError: string;
        nextAttemptAtMs: number | null;
        attemptLog: { outcome: string; httpStatus: number | null; error: string | null }[];
      }[];
      return Object.fromEntries(list.map((d) => [d.channelName.replace('Hook ', ''), d]));
    };
    let d = await byPath();
    expect(d['/gone']).toMatchObject({
      status: 'dead',
      attempts: 1,
      lastError: 'HTTP 410: refused with 410 (not retryable)',
      attemptLog: [{ outcome: 'failed', httpStatus: 410 }],
    });
    expect(d['/broken']).toMatchObject({
      status: 'pending',
      attempts: 1,
      nextAttemptAtMs: t0 + 2500,
      attemptLog: [{ outcome: 'retry', httpStatus: 503, error: 'HTTP 503: refused with 503' }],
    });
    expect(d['/slow']).toMatchObject({
      status: 'pending',
      attempts: 1,
      attemptLog: [{ outcome: 'retry', httpStatus: null, error: 'no answer within 300 ms' }],
    });
    // Backoff with jitter 0.5: 2.5 s, then 5 s; the third failure uses up the budget of 3.
    await tickAt(t0 + 2499);
    expect((await byPath())['/broken']!.attempts).toBe(1);
    await tickAt(t0 + 2500);
    expect((await byPath())['/broken']).toMatchObject({ attempts: 2, nextAttemptAtMs: t0 + 7500 });
    await tickAt(t0 + 7500);
    d = await byPath();
    expect(d['/broken']).toMatchObject({ status: 'dead', attempts: 3, lastError: 'HTTP 503: refused with 503 (gave up after 3 attempts)' });
    expect(d['/slow']).toMatchObject({ status: 'dead', attempts: 3, lastError: 'no answer within 300 ms (gave up after 3 attempts)' });

    // Each dead letter is listed and raised to the admins by email — a notice, not a page.
    const dead = (await api.get('/api/notifications?status=dead')).json;
    expect(dead.map((x: { channelName: string }) => x.channelName).sort()).toEqual(['Hook /broken', 'Hook /gone', 'Hook /slow']);
    await smtp.waitFor(3);
    expect(smtp.mails.map((m) => [m.to[0], m.subject.replace(/: \[CRITICAL\].*/, '')]).sort()).toEqual([
      ['admin@example.com', '[DELIVERY FAILED] Hook /broken → Hook /broken'],
      ['admin@example.com', '[DELIVERY FAILED] Hook /gone → Hook /gone'],
      ['admin@example.com', '[DELIVERY FAILED] Hook /slow → Hook /slow'],
    ]);
    expect(smtp.mails[0]!.text).toMatch(/Last error: /);
    expect((await api.get('/api/notifications?purpose=dead-letter')).json.map((x: { status: string; recipient: string }) => [x.status, x.recipient])).toEqual([
      ['sent', 'admin <admin@example.com>'],
      ['sent', 'admin <admin@example.com>'],
      ['sent', 'admin <admin@example.com>'],
    ]);

    // The receiver is fixed: a technician retries the dead letter.
    http.setRespond(() => 200);
    const goneId = (await byPath())['/gone'] as unknown as { id: number };
    const retried = await api.post(`/api/notifications/${goneId.id}/retry`);
    expect(retried.status, retried.text).toBe(200);
    expect(retried.json).toMatchObject({ status: 'pending', attempts: 0 });
    await t.server.ctx.notify.tick();
    expect((await api.get(`/api/notifications/${goneId.id}`)).json).toMatchObject({ status: 'sent', attempts: 1 });
    expect(http.accepted('/gone')).toHaveLength(1);
    expect((await api.post(`/api/notifications/${goneId.id}/retry`)).json.error).toEqual({
      code: 'DELIVERY_NOT_DEAD',
      message: `delivery ${goneId.id} is sent; only dead deliveries can be retried`,
    });
    expect((await api.post('/api/notifications/999999/retry')).json.error.code).toBe('DELIVERY_NOT_FOUND');
  });

  it('a notice about a dead letter that fails itself is not raised again', async () => {
    await start({ notifyRetry: { maxAttempts: 1 } });
    const admin = (await api.get('/api/users')).json[0];
    await api.request('PATCH', `/api/users/${admin.id}`, { email: 'admin@example.com' });
    await smtp.close();
    expect(
      (
        await api.post('/api/channels', {
          type: 'email',
          name: 'Mail',
          config: { host: '127.0.0.1', port: smtp.port, tls: 'none', from: 'alerts@example.com' },
        })
      ).status,
    ).toBe(201);
    smtp = await startSmtpReceiver(); // for afterEach; the channel points at the closed port
    http.setRespond(() => 500);
    await pageWebhooks(['/hook']);
    const { agent } = await fireDiskAlert(t, api, { clientName: 'Jansen Accountants' });
    agents.push(agent);
    for (let s = 0; s < 5; s++) await tickAt(clock.now() + MIN);
    const all = (await api.get('/api/notifications')).json.map((d: { purpose: string; status: string }) => `${d.purpose}:${d.status}`);
    expect(all.sort()).toEqual(['dead-letter:dead', 'page:dead']);
  });
});
