/**
 * Escalation timing with an injected clock (no sleeping): level 1 at once, level 2 after 10
 * minutes, all admins after 20, repeats, acknowledgement by link stops it, resolution reaches
 * everyone paged. Break-fix clients never page. The optional daily digest of break-fix
 * incidents reaches the service desk through a real SMTP server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient, startTestServer, type TestServer } from '../helpers/test-server.js';
import type { TestAgent } from '../helpers/test-agent.js';
import { manualClock, startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from '../helpers/receivers.js';
import { ackLinkIn, createUser, disableOfflineRule, fireDiskAlert } from '../helpers/oncall-setup.js';

const MIN = 60_000;

describe('escalation and contract routing with an injected clock', () => {
  let t: TestServer;
  let api: ApiClient;
  let smtp: SmtpReceiver;
  let http: HttpReceiver;
  let clock: ReturnType<typeof manualClock>;
  let dataDir: string;
  const agents: TestAgent[] = [];

  beforeEach(async () => {
    smtp = await startSmtpReceiver();
    http = await startHttpReceiver();
    clock = manualClock();
    dataDir = mkdtempSync(path.join(tmpdir(), 'qp-oncall-'));
    t = await startTestServer({ dataDir, clock, notifyTickIntervalMs: 3_600_000, ruleTickIntervalMs: 3_600_000 });
    api = new ApiClient(t.url);
    await api.login();
    await disableOfflineRule(api);
  });
  afterEach(async () => {
    for (const a of agents.splice(0)) a.close();
    await t.close();
    await http.close();
    await smtp.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** piet on Primary, jan on Backup, admins admin and anna; everyone reached by email (no contact points: the fallback). */
  async function setUp(policy: { repeat?: number } = {}) {
    const piet = await createUser(api, 'piet', 'technician', 'piet@example.com');
    const jan = await createUser(api, 'jan', 'technician', 'jan@example.com');
    await createUser(api, 'anna', 'admin', 'anna@example.com');
    const admin = (await api.get('/api/users')).json.find((u: { username: string }) => u.username === 'admin');
    expect((await api.request('PATCH', `/api/users/${admin.id}`, { email: 'admin@example.com' })).status).toBe(200);
    expect(
      (
        await api.post('/api/channels', {
          type: 'email',
          name: 'Mail',
          config: { host: '127.0.0.1', port: smtp.port, tls: 'none', from: 'alerts@example.com' },
        })
      ).status,
    ).toBe(201);
    const schedule = async (name: string, userId: string) =>
      (
        await api.post('/api/oncall/schedules', {
          name,
          timezone: 'Europe/Amsterdam',
          layers: [{ name: 'Weekly', userIds: [userId], startDate: '2025-01-06' }],
        })
      ).json.id as string;
    const primary = await schedule('Primary', piet.id);
    const backup = await schedule('Backup', jan.id);
    const created = await api.post('/api/escalation-policies', {
      name: 'Standard',
      isDefault: true,
      repeat: policy.repeat ?? 0,
      repeatAfterMs: 10 * MIN,
      levels: [
        { afterMs: 0, targets: [{ type: 'schedule', scheduleId: primary }] },
        { afterMs: 10 * MIN, targets: [{ type: 'schedule', scheduleId: backup }] },
        { afterMs: 20 * MIN, targets: [{ type: 'role', role: 'admin' }] },
      ],
    });
    expect(created.status, created.text).toBe(201);
  }

  const recipients = () => smtp.mails.map((m) => `${m.to.join(',')} ${m.subject.split(']')[0]}]`);
  async function at(minutes: number, startMs: number) {
    clock.set(startMs + minutes * MIN);
    await t.server.ctx.notify.tick();
  }

  it('pages level 1 at once, level 2 after 10 min; the link acknowledges and stops escalation before the admins', async () => {
    await setUp();
    const t0 = clock.now();
    const { agent, alert } = await fireDiskAlert(t, api, { clientName: 'Jansen Accountants' });
    agents.push(agent);
    await at(0, t0);
    expect(recipients()).toEqual(['piet@example.com [CRITICAL]']);

    await at(9.99, t0);
    expect(recipients()).toHaveLength(1);
    await at(10, t0);
    expect(recipients()).toEqual(['piet@example.com [CRITICAL]', 'jan@example.com [CRITICAL]']);
    expect(smtp.mails[1]!.text).toContain('Escalated to level 2: not acknowledged for 10 min.');

    clock.set(t0 + 15 * MIN);
    const link = ackLinkIn(smtp.mails[1]!.text);
    const acked = await new ApiClient(t.url).request('POST', link.slice(t.url.length));
    expect(acked.status).toBe(200);
    expect((await api.get(`/api/alerts/${alert!.id}`)).json).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'jan', acknowledgedAtMs: t0 + 15 * MIN });

    await at(15, t0);
    expect(recipients().slice(2).sort()).toEqual(['jan@example.com [ACKNOWLEDGED]', 'piet@example.com [ACKNOWLEDGED]']);
    for (const m of [20, 30, 60, 180]) await at(m, t0);
    expect(recipients()).toHaveLength(4);
    expect(smtp.to('admin@example.com')).toEqual([]);
    await api.login(); // the clock jumped 2 h: the session expired from idleness meanwhile
    const audit = (await api.get(`/api/alerts/${alert!.id}`)).json.events.map((e: { actor: string; action: string; detail: string }) =>
      `${e.actor} ${e.action} ${e.action === 'paged' ? e.detail : ''}`.trim(),
    );
    expect(audit).toEqual([
      'system fired',
      'system paged level 1: piet <piet@example.com> (email)',
      'system paged level 2: jan <jan@example.com> (email)',
      'jan acknowledged',
    ]);
  });

  it('pages all admins after 20 min, repeats the ladder, stops when the alert resolves and tells everyone paged', async () => {
    await setUp({ repeat: 1 });
    const t0 = clock.now();
    const { agent, alert } = await fireDiskAlert(t, api, { clientName: 'Jansen Accountants' });
    agents.push(agent);
    for (const m of [0, 10, 20]) await at(m, t0);
    expect(recipients()).toEqual(['piet@example.com [CRITICAL]', 'jan@example.com [CRITICAL]', 'admin@example.com [CRITICAL]', 'anna@example.com [CRITICAL]']);
    // Cycle length = 20 min + repeatAfterMs 10 min: the second pass starts at 30 min.
    await at(29, t0);
    expect(recipients()).toHaveLength(4);
    await at(30, t0);
    expect(recipients().at(-1)).toBe('piet@example.com [CRITICAL]');
    await at(40, t0);
    expect(recipients()).toHaveLength(6);
    expect(t.server.ctx.notify.escalations.find(alert!.id)).toMatchObject({ pagedSteps: ['0.0', '0.1', '0.2', '1.0', '1.1'], nextCheckAtMs: t0 + 50 * MIN });

    clock.set(t0 + 45 * MIN);
    await agent.report([{ name: 'fs.usedPct', labels: { mount: '/' }, value: 40 }]);
    await at(45, t0);
    await at(50, t0);
    // One resolved mail per destination paged, none to anyone else, and no third admin page.
    expect(recipients().slice(6).sort()).toEqual([
      'admin@example.com [RESOLVED]',
      'anna@example.com [RESOLVED]',
      'jan@example.com [RESOLVED]',
      'piet@example.com [RESOLVED]',
    ]);
    expect(t.server.ctx.notify.escalations.find(alert!.id)).toMatchObject({ stopReason: 'resolved', nextCheckAtMs: null });
  });

  it('a break-fix client crossing the same threshold sends nothing at all', async () => {
    await setUp();
    expect(
      (await api.post('/api/channels', { type: 'webhook', name: 'Hook', config: { url: http.url('/hook'), secret: 'hook-secret-0123456789' } })).status,
    ).toBe(201);
    const policy = (await api.get('/api/escalation-policies')).json[0];
    const hook = (await api.get('/api/channels')).json.find((c: { name: string }) => c.name === 'Hook');
    await api.request('PATCH', `/api/escalation-policies/${policy.id}`, {
      levels: [
        {
          afterMs: 0,
          targets: [
            { type: 'role', role: 'admin' },
            { type: 'channel', channelId: hook.id },
          ],
        },
      ],
    });

    const t0 = clock.now();
    const { dev, agent, alert } = await fireDiskAlert(t, api, { clientName: 'Bakkerij de Vries', contract: 'break-fix', hostname: 'devries-pc' });
    agents.push(agent);
    expect(alert).toBeUndefined();
    expect((await api.get(`/api/incidents?client=${dev.clientId}`)).json).toMatchObject([{ state: 'open', hostname: 'devries-pc' }]);
    for (const m of [0, 10, 20, 60]) await at(m, t0);
    expect(t.server.ctx.alerting.outbox.list()).toEqual([]);
    expect((await api.get('/api/notifications')).json).toEqual([]);
    expect(smtp.mails).toEqual([]);
    expect(http.requests).toEqual([]);
  });

  it('the daily digest (off by default) mails new break-fix incidents to the service desk at its local time', async () => {
    await setUp();
    const mail = (await api.get('/api/channels')).json[0];
    expect((await api.get('/api/notifications/digest')).json).toEqual({ isEnabled: false, channelId: null, to: null, localTime: '08:00', timezone: 'UTC' });
    const bad = await api.request('PUT', '/api/notifications/digest', {
      isEnabled: true,
      channelId: mail.id,
      to: null,
      localTime: '08:00',
      timezone: 'Europe/Amsterdam',
    });
    expect(bad.json.error.code).toBe('DIGEST_INCOMPLETE');
    const set = await api.request('PUT', '/api/notifications/digest', {
      isEnabled: true,
      channelId: mail.id,
      to: 'servicedesk@example.com',
      localTime: '08:00',
      timezone: 'Europe/Amsterdam',
    });
    expect(set.status, set.text).toBe(200);

    // 2025-07-01 05:00 UTC is 07:00 in Amsterdam: too early.
    clock.set(Date.UTC(2025, 6, 1, 5, 0));
    const { agent, dev } = await fireDiskAlert(t, api, { clientName: 'Bakkerij de Vries', contract: 'break-fix', hostname: 'devries-pc' });
    agents.push(agent);
    expect((await api.post('/api/incidents', { clientId: dev.clientId, title: 'Client called: printer jammed' })).status).toBe(201);
    const monthly = await fireDiskAlert(t, api, { clientName: 'Jansen Accountants', hostname: 'jansen-srv' });
    agents.push(monthly.agent);
    await t.server.ctx.notify.tick();
    expect(smtp.to('servicedesk@example.com')).toEqual([]);

    clock.set(Date.UTC(2025, 6, 1, 6, 1)); // 08:01 local
    await t.server.ctx.notify.tick();
    await t.server.ctx.notify.tick();
    const digests = smtp.to('servicedesk@example.com');
    expect(digests.map((m) => m.subject)).toEqual(['Break-fix digest 2025-07-01: 2 new incidents']);
    expect(digests[0]!.text).toContain('Bakkerij de Vries / devries-pc: Filesystem almost full');
    expect(digests[0]!.text).toContain('Bakkerij de Vries / no device: Client called: printer jammed');
    expect(digests[0]!.text).not.toContain('Jansen');
    expect(digests[0]!.text).not.toContain('/ack/');

    // Next morning without new incidents: nothing. A day later with one: just that one.
    clock.set(Date.UTC(2025, 6, 2, 6, 30));
    await t.server.ctx.notify.tick();
    expect(smtp.to('servicedesk@example.com')).toHaveLength(1);
    clock.set(Date.UTC(2025, 6, 2, 12, 0));
    await api.login(); // sessions last 12 h, on the injected clock too
    expect((await api.post('/api/incidents', { clientId: dev.clientId, title: 'Client called: new laptop' })).status).toBe(201);
    clock.set(Date.UTC(2025, 6, 3, 6, 0));
    await t.server.ctx.notify.tick();
    expect(smtp.to('servicedesk@example.com').map((m) => m.subject)).toEqual([
      'Break-fix digest 2025-07-01: 2 new incidents',
      'Break-fix digest 2025-07-03: 1 new incident',
    ]);
  });
});
