/**
 * No silent gaps, end to end with an injected clock (Tuesday 01:30 in Amsterdam): a schedule
 * made with the form's defaults has someone on call now; a schedule whose first handoff is at
 * 09:00 shows the gap 01:30–09:00 in GET /api/oncall/gaps, and an alert in that gap pages the
 * fallback (real SMTP on loopback) and is marked unrouted; "page me now" sends a real test
 * page through every contact point.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient, startTestServer, type TestServer } from '../helpers/test-server.js';
import type { TestAgent } from '../helpers/test-agent.js';
import { manualClock, startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from '../helpers/receivers.js';
import { createUser, disableOfflineRule, fireDiskAlert } from '../helpers/oncall-setup.js';

// Tuesday 2025-03-04 01:30 Europe/Amsterdam (UTC+1).
const NOW = Date.UTC(2025, 2, 4, 0, 30);
const H = 3_600_000;

describe('on-call gaps, fallback and test pages', () => {
  let t: TestServer;
  let api: ApiClient;
  let smtp: SmtpReceiver;
  let http: HttpReceiver;
  let dataDir: string;
  const agents: TestAgent[] = [];

  beforeEach(async () => {
    smtp = await startSmtpReceiver();
    http = await startHttpReceiver();
    dataDir = mkdtempSync(path.join(tmpdir(), 'qp-gaps-'));
    t = await startTestServer({ dataDir, clock: manualClock(NOW), notifyTickIntervalMs: 3_600_000, ruleTickIntervalMs: 3_600_000 });
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

  async function mailChannel() {
    const r = await api.post('/api/channels', {
      type: 'email',
      name: 'Mail',
      config: { host: '127.0.0.1', port: smtp.port, tls: 'none', from: 'alerts@example.com' },
    });
    expect(r.status, r.text).toBe(201);
    return r.json.id as string;
  }
  async function policyOn(scheduleId: string) {
    const r = await api.post('/api/escalation-policies', {
      name: 'Standard',
      isDefault: true,
      levels: [{ afterMs: 0, targets: [{ type: 'schedule', scheduleId }] }],
    });
    expect(r.status, r.text).toBe(201);
    return r.json.id as string;
  }

  it('a schedule made with the defaults (no start date) has someone on call now and no gap', async () => {
    await mailChannel();
    const piet = await createUser(api, 'piet', 'technician', 'piet@example.com');
    const s = await api.post('/api/oncall/schedules', { name: 'Primary', timezone: 'Europe/Amsterdam', layers: [{ name: 'Weekly', userIds: [piet.id] }] });
    expect(s.status, s.text).toBe(201);
    // The handoff (09:00) has not come yet today, so the layer starts with yesterday's.
    expect(s.json.layers[0]).toMatchObject({ startDate: '2025-03-03', handoffTime: '09:00' });
    expect((await api.get('/api/oncall/now')).json.schedules[0].current).toMatchObject({ username: 'piet', source: 'layer' });
    await policyOn(s.json.id);
    expect((await api.get('/api/oncall/gaps')).json).toEqual({
      fromMs: NOW,
      toMs: NOW + 7 * 24 * H,
      policies: [{ policyId: expect.any(String), name: 'Standard', isDefault: true, clientIds: [], gaps: [] }],
    });
  });

  it('a first handoff at 09:00 is a gap until then; an alert in it pages the fallback and is unrouted', async () => {
    await mailChannel();
    const admin = (await api.get('/api/users')).json.find((u: { username: string }) => u.username === 'admin');
    expect((await api.request('PATCH', `/api/users/${admin.id}`, { email: 'admin@example.com' })).status).toBe(200);
    const piet = await createUser(api, 'piet', 'technician', 'piet@example.com');
    const s = await api.post('/api/oncall/schedules', {
      name: 'Primary',
      timezone: 'Europe/Amsterdam',
      layers: [{ name: 'Weekly', userIds: [piet.id], startDate: '2025-03-04' }],
    });
    expect(s.status, s.text).toBe(201);
    const policyId = await policyOn(s.json.id);

    const gaps = (await api.get('/api/oncall/gaps')).json;
    expect(gaps.policies).toEqual([
      {
        policyId,
        name: 'Standard',
        isDefault: true,
        clientIds: [],
        gaps: [{ startsAtMs: NOW, endsAtMs: NOW + 7.5 * H, reasons: ['nobody is on call on schedule "Primary"'] }],
      },
    ]);
    expect((await api.get('/api/oncall/gaps?days=40')).json.error).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'query.days: Too big: expected number to be <=31',
    });

    const { agent, alert } = await fireDiskAlert(t, api, { clientName: 'Jansen Accountants', hostname: 'jansen-srv' });
    agents.push(agent);
    await t.server.ctx.notify.tick();
    expect(smtp.mails.map((m) => [m.to.join(','), m.subject])).toEqual([['admin@example.com', '[CRITICAL] / 97 % full on jansen-srv (Jansen Accountants)']]);
    expect(smtp.mails[0]!.text).toContain('You get this as the fallback: level 1 of "Standard" reached nobody — nobody is on call on schedule "Primary".');
    const listed = (await api.get('/api/alerts?state=open')).json;
    expect(listed.map((a: { id: string; isUnrouted: boolean }) => [a.id, a.isUnrouted])).toEqual([[alert!.id, true]]);
    const detail = (await api.get(`/api/alerts/${alert!.id}`)).json;
    expect(detail.events.find((e: { action: string }) => e.action === 'paged').detail).toBe(
      'unrouted: level 1 reached nobody — nobody is on call on schedule "Primary"; paged the fallback: admin <admin@example.com> (email)',
    );
  });

  it('a configured fallback contact replaces the admins; its target is checked', async () => {
    await mailChannel();
    const anna = await createUser(api, 'anna', 'technician', 'anna@example.com');
    const s = await api.post('/api/oncall/schedules', {
      name: 'Primary',
      timezone: 'Europe/Amsterdam',
      layers: [{ name: 'Weekly', userIds: [anna.id], startDate: '2025-03-10' }],
    });
    await policyOn(s.json.id);
    expect((await api.get('/api/oncall/fallback')).json).toEqual({ target: { type: 'role', role: 'admin' }, isDefault: true });
    expect((await api.request('PUT', '/api/oncall/fallback', { target: { type: 'user', userId: 'nobody-here' } })).json.error).toEqual({
      code: 'POLICY_TARGET_NOT_FOUND',
      message: 'target: no user with id nobody-here',
    });
    expect((await api.request('PUT', '/api/oncall/fallback', { target: { type: 'user', userId: anna.id } })).json).toEqual({
      target: { type: 'user', userId: anna.id },
      isDefault: false,
    });
    const { agent } = await fireDiskAlert(t, api, { clientName: 'Jansen Accountants', hostname: 'jansen-srv' });
    agents.push(agent);
    await t.server.ctx.notify.tick();
    expect(smtp.mails.map((m) => m.to.join(','))).toEqual(['anna@example.com']);
  });

  it('"page me now" reaches every contact point for real and says so per receiver', async () => {
    const mail = await mailChannel();
    const ntfy = (await api.post('/api/channels', { type: 'ntfy', name: 'Phones', config: { serverUrl: http.url('/ntfy') } })).json.id as string;
    const piet = await createUser(api, 'piet', 'technician', null);
    const pietApi = new ApiClient(t.url);
    await pietApi.login('piet', 'piet-password-1');
    expect((await pietApi.post('/api/oncall/test-page', {})).json.error).toEqual({
      code: 'TEST_PAGE_UNREACHABLE',
      message:
        'a page would reach nobody: piet has no contact point and no email address. Add a contact point (or an e-mail address and an e-mail channel) first',
    });
    for (const [channelId, handle] of [
      [mail, 'piet@example.com'],
      [ntfy, 'piet-phone'],
    ] as const) {
      const c = await api.post(`/api/users/${piet.id}/contacts`, { channelId, handle });
      expect(c.status, c.text).toBe(201);
    }
    const r = await pietApi.post('/api/oncall/test-page', {});
    expect(r.status, r.text).toBe(200);
    expect(r.json).toMatchObject({
      ok: true,
      problems: [],
      results: [
        { channelName: 'Mail', channelType: 'email', recipient: 'piet <piet@example.com>', ok: true, error: null },
        { channelName: 'Phones', channelType: 'ntfy', recipient: 'piet <piet-phone>', ok: true, httpStatus: 200, error: null },
      ],
    });
    expect(smtp.mails.map((m) => [m.to.join(','), m.subject])).toEqual([['piet@example.com', '[TEST PAGE] Quarkpulse can reach piet (Mail)']]);
    const phone = http.requests.find((q) => q.path === '/ntfy/piet-phone');
    expect(phone?.headers).toMatchObject({ title: '[TEST PAGE] Quarkpulse can reach piet (Phones)', priority: '5' });
  });
});
