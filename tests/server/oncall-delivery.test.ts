/**
 * On-call delivery end to end on real receivers: an alert from a real agent pages the person on
 * call by email (nodemailer → smtp-server on loopback) and ntfy, and posts to Slack, Teams and a
 * signed webhook (a real HTTP server on loopback that checks the HMAC). The link in the mail
 * acknowledges without a login — GET only shows a button — and stops escalation; acknowledgement
 * and resolution reach every destination that was paged.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient, startTestServer, type TestServer } from '../helpers/test-server.js';
import type { TestAgent } from '../helpers/test-agent.js';
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from '../helpers/receivers.js';
import { ackLinkIn, createUser, fireDiskAlert } from '../helpers/oncall-setup.js';
import { verifyWebhookSignature } from '../../server/notify/channels/webhook.js';

const SECRET = 'a-very-secret-hmac-key';

describe('on-call delivery to every channel type', () => {
  let t: TestServer;
  let api: ApiClient;
  let smtp: SmtpReceiver;
  let http: HttpReceiver;
  const agents: TestAgent[] = [];

  beforeEach(async () => {
    smtp = await startSmtpReceiver();
    http = await startHttpReceiver();
    t = await startTestServer();
    api = new ApiClient(t.url);
    await api.login();
  });
  afterEach(async () => {
    for (const a of agents.splice(0)) a.close();
    await t.close();
    await http.close();
    await smtp.close();
  });

  async function channel(type: string, name: string, config: Record<string, unknown>) {
    const r = await api.post('/api/channels', { type, name, config });
    expect(r.status, r.text).toBe(201);
    return r.json as { id: string };
  }

  it('pages by email, ntfy, Slack, Teams and signed webhook; the mail link acknowledges once; follow-ups reach everyone paged', async () => {
    const piet = await createUser(api, 'piet', 'technician', 'piet@example.com');
    const jan = await createUser(api, 'jan', 'technician', 'jan@example.com');
    const email = await channel('email', 'Mail relay', { host: '127.0.0.1', port: smtp.port, tls: 'none', from: 'Quarkpulse <alerts@example.com>' });
    const hook = await channel('webhook', 'Ticketing', { url: http.url('/hook'), secret: SECRET });
    const slack = await channel('slack', 'Slack #ops', { webhookUrl: http.url('/slack') });
    const teams = await channel('teams', 'Teams Ops', { webhookUrl: http.url('/teams') });
    const ntfy = await channel('ntfy', 'Phones', { serverUrl: http.url('/ntfy'), topic: 'ops-all' });
    for (const [channelId, handle] of [
      [email.id, undefined],
      [ntfy.id, 'piet-phone'],
      [slack.id, 'U0PIET1'],
    ] as const) {
      expect((await api.post(`/api/users/${piet.id}/contacts`, { channelId, ...(handle ? { handle } : {}) })).status).toBe(201);
    }
    const schedule = await api.post('/api/oncall/schedules', {
      name: 'Primary',
      timezone: 'Europe/Amsterdam',
      layers: [{ name: 'Weekly', userIds: [piet.id], startDate: '2024-01-01', handoffTime: '09:00' }],
    });
    expect(schedule.status, schedule.text).toBe(201);
    const policy = await api.post('/api/escalation-policies', {
      name: 'Standard',
      isDefault: true,
      levels: [
        {
          afterMs: 0,
          targets: [
            { type: 'schedule', scheduleId: schedule.json.id },
            { type: 'channel', channelId: hook.id },
            { type: 'channel', channelId: teams.id },
          ],
        },
        { afterMs: 600_000, targets: [{ type: 'user', userId: jan.id }] },
      ],
    });
    expect(policy.status, policy.text).toBe(201);
    expect((await api.get('/api/oncall/now')).json.schedules[0]).toMatchObject({
      name: 'Primary',
      current: { userId: piet.id, username: 'piet', source: 'layer' },
      next: null,
    });

    const { agent, alert } = await fireDiskAlert(t, api, { clientName: 'Jansen Accountants', hostname: 'jansen-srv' });
    agents.push(agent);
    await t.server.ctx.notify.tick();

    // Email to the on-call person, with the ack link.
    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0]!;
    expect(mail.to).toEqual(['piet@example.com']);
    expect(mail.from).toBe('alerts@example.com');
    expect(mail.subject).toBe('[CRITICAL] / 97 % full on jansen-srv (Jansen Accountants)');
    expect(mail.text).toContain('/ 97 % full on jansen-srv (Jansen Accountants), since ');
    expect(mail.text.split(/\r?\n\r?\nDetails\r?\n/)[0]).not.toContain('fs.usedPct');
    expect(mail.headers['x-quarkpulse-idempotency-key']).toBe(`alert.firing:${alert!.id}|0.0|${email.id}|piet@example.com`);
    const mailLink = ackLinkIn(mail.text);
    expect(mailLink.startsWith(`${t.url}/ack/`)).toBe(true);

    // Signed webhook: the receiver verifies the HMAC over timestamp.body.
    const [hookReq, ...moreHooks] = http.requests.filter((r) => r.path === '/hook');
    expect(moreHooks).toEqual([]);
    expect(
      verifyWebhookSignature({
        secret: SECRET,
        body: hookReq!.body,
        timestamp: hookReq!.headers['x-quarkpulse-timestamp'] as string,
        signature: hookReq!.headers['x-quarkpulse-signature'] as string,
        nowMs: Date.now(),
      }),
    ).toBeNull();
    expect(
      verifyWebhookSignature({
        secret: 'some-other-secret-key',
        body: hookReq!.body,
        timestamp: hookReq!.headers['x-quarkpulse-timestamp'] as string,
        signature: hookReq!.headers['x-quarkpulse-signature'] as string,
        nowMs: Date.now(),
      }),
    ).toBe('signature mismatch');
    const hookBody = JSON.parse(hookReq!.body);
    expect(hookBody).toMatchObject({
      version: 1,
      event: 'alert.firing',
      severity: 'critical',
      level: 1,
      alert: { alertId: alert!.id, hostname: 'jansen-srv', clientName: 'Jansen Accountants' },
    });
    expect(hookReq!.headers['idempotency-key']).toBe(hookBody.idempotencyKey);
    expect(hookBody.ackUrl).toMatch(/\/ack\//);

    // Slack: blocks with an Acknowledge button, piet mentioned.
    const slackBody = JSON.parse(http.requests.find((r) => r.path === '/slack')!.body);
    expect(slackBody.text).toBe('[CRITICAL] / 97 % full on jansen-srv (Jansen Accountants)\n<@U0PIET1>');
    expect(slackBody.blocks.at(-1)).toMatchObject({
      type: 'actions',
      elements: [{ text: { text: 'Acknowledge' }, url: expect.stringMatching(/\/ack\//) }, { text: { text: 'Open in Quarkpulse' } }],
    });

    // Teams: an Adaptive Card.
    const teamsBody = JSON.parse(http.requests.find((r) => r.path === '/teams')!.body);
    expect(teamsBody.attachments[0]).toMatchObject({
      contentType: 'application/vnd.microsoft.card.adaptive',
      content: { type: 'AdaptiveCard', version: '1.4' },
    });
    expect(teamsBody.attachments[0].content.actions[0]).toMatchObject({ type: 'Action.OpenUrl', title: 'Acknowledge' });

    // ntfy: to piet's own topic, urgent, with a one-tap acknowledge action.
    const ntfyReq = http.requests.find((r) => r.path.startsWith('/ntfy/'))!;
    expect(ntfyReq.path).toBe('/ntfy/piet-phone');
    expect(ntfyReq.headers).toMatchObject({ title: '[CRITICAL] / 97 % full on jansen-srv (Jansen Accountants)', priority: '5', tags: 'rotating_light' });
    expect(ntfyReq.headers.actions).toMatch(/^http, Acknowledge, http:\/\/127\.0\.0\.1:\d+\/ack\/[^,]+, method=POST, clear=true; view, Open, /);

    const sent = (await api.get(`/api/notifications?alert=${alert!.id}`)).json;
    expect(
      sent.map((d: { channelName: string; status: string; purpose: string; attempts: number }) => [d.channelName, d.status, d.purpose, d.attempts]).sort(),
    ).toEqual([
      ['Mail relay', 'sent', 'page', 1],
      ['Phones', 'sent', 'page', 1],
      ['Slack #ops', 'sent', 'page', 1],
      ['Teams Ops', 'sent', 'page', 1],
      ['Ticketing', 'sent', 'page', 1],
    ]);
    const audit = (await api.get(`/api/alerts/${alert!.id}`)).json.events;
    expect(audit[1]).toMatchObject({ actor: 'system', action: 'paged' });
    expect(audit[1].detail).toMatch(/^level 1: /);

    // A mail scanner fetching the link changes nothing; the page shows a button.
    const anon = new ApiClient(t.url);
    const shown = await anon.get(mailLink.slice(t.url.length));
    expect(shown.status).toBe(200);
    expect(shown.headers.get('content-type')).toMatch(/text\/html/);
    expect(shown.text).toContain('<form method="post"><button type="submit">Acknowledge</button></form>');
    expect((await api.get(`/api/alerts/${alert!.id}`)).json.state).toBe('firing');

    // The button acknowledges as piet, without a session.
    const posted = await anon.request('POST', mailLink.slice(t.url.length), 'confirm=1', {
      'content-type': 'application/x-www-form-urlencoded',
      origin: t.url,
    });
    expect(posted.status).toBe(200);
    expect(posted.text).toContain('Acknowledged as piet');
    expect((await api.get(`/api/alerts/${alert!.id}`)).json).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'piet' });
    expect((await anon.request('POST', mailLink.slice(t.url.length))).status).toBe(410);
    const ntfyLink = ntfyReq.headers.actions!.toString().split(', ')[2]!;
    const late = await anon.request('POST', ntfyLink.slice(t.url.length));
    expect(late.status).toBe(409);
    expect(late.text).toContain('Already acknowledged by piet');
    expect(t.server.ctx.notify.escalations.find(alert!.id)).toMatchObject({ stopReason: 'acknowledged', nextCheckAtMs: null });

    // Everyone paged hears about the acknowledgement, once per destination.
    await t.server.ctx.notify.tick();
    expect(smtp.mails.map((m) => m.subject)).toEqual([
      '[CRITICAL] / 97 % full on jansen-srv (Jansen Accountants)',
      '[ACKNOWLEDGED] / 97 % full on jansen-srv (Jansen Accountants)',
    ]);
    expect(smtp.mails[1]!.text).toContain('Acknowledged by piet');
    for (const path of ['/hook', '/slack', '/teams', '/ntfy/piet-phone']) expect(http.accepted(path)).toHaveLength(2);
    expect(JSON.parse(http.accepted('/hook')[1]!.body)).toMatchObject({ event: 'alert.acknowledged', ackUrl: null });

    // The condition clears: everyone paged hears it is resolved; jan was never paged.
    await agent.report([{ name: 'fs.usedPct', labels: { mount: '/' }, value: 50 }]);
    await t.server.ctx.notify.tick();
    expect(smtp.mails.map((m) => m.subject.split(']')[0])).toEqual(['[CRITICAL', '[ACKNOWLEDGED', '[RESOLVED']);
    expect(smtp.to('jan@example.com')).toEqual([]);
    for (const path of ['/hook', '/slack', '/teams', '/ntfy/piet-phone']) expect(http.accepted(path)).toHaveLength(3);
    expect(JSON.parse(http.accepted('/hook')[2]!.body)).toMatchObject({ event: 'alert.resolved', alert: { state: 'resolved', actor: 'system' } });
    expect((await api.get('/api/notifications/summary')).json).toEqual({ pending: 0, sending: 0, sent: 15, dead: 0 });
  });

  it('validates channel configs precisely, masks secrets, keeps them on update, and sends test messages', async () => {
    const bad = async (body: unknown) => (await api.post('/api/channels', body)).json.error;
    expect(await bad({ type: 'pager', name: 'x', config: {} })).toEqual({
      code: 'CHANNEL_TYPE_UNKNOWN',
      message: 'unknown channel type "pager"; known: email, webhook, slack, teams, ntfy, telegram, pushover, discord, twilio, messagebird',
    });
    expect(await bad({ type: 'email', name: 'x', config: { from: 'a@example.com' } })).toEqual({
      code: 'CHANNEL_CONFIG_INVALID',
      message: 'config.host: SMTP host is required',
    });
    expect(await bad({ type: 'email', name: 'x', config: { host: 'smtp.example.com', from: 'nobody' } })).toEqual({
      code: 'CHANNEL_CONFIG_INVALID',
      message: 'config.from: from must be an address such as "Quarkpulse <alerts@example.com>"',
    });
    expect(await bad({ type: 'email', name: 'x', config: { host: 'h', from: 'a@example.com', secure: true, tls: 'none' } })).toEqual({
      code: 'CHANNEL_CONFIG_INVALID',
      message: 'config.tls: tls "none" contradicts secure: true',
    });
    expect(await bad({ type: 'webhook', name: 'x', config: { url: 'ftp://example.com/x', secret: SECRET } })).toEqual({
      code: 'CHANNEL_CONFIG_INVALID',
      message: 'config.url: must be an http:// or https:// URL',
    });
    expect(await bad({ type: 'webhook', name: 'x', config: { url: 'https://example.com/x', secret: 'short' } })).toEqual({
      code: 'CHANNEL_CONFIG_INVALID',
      message: 'config.secret: secret must be at least 16 characters',
    });
    expect(await bad({ type: 'slack', name: 'x', config: { webhookUrl: 'not a url' } })).toEqual({
      code: 'CHANNEL_CONFIG_INVALID',
      message: 'config.webhookUrl: must be an http:// or https:// URL',
    });
    expect(await bad({ type: 'ntfy', name: 'x', config: { topic: 'has space' } })).toEqual({
      code: 'CHANNEL_CONFIG_INVALID',
      message: 'config.topic: must be an ntfy topic: 1–64 letters, digits, - or _',
    });
    expect(await bad({ type: 'teams', name: 'x', config: { webhookUrl: 'https://example.com', extra: 1 } })).toMatchObject({ code: 'CHANNEL_CONFIG_INVALID' });

    const hook = await channel('webhook', 'Ticketing', { url: http.url('/hook'), secret: SECRET });
    const listed = (await api.get('/api/channels')).json;
    expect(listed).toMatchObject([
      { id: hook.id, type: 'webhook', name: 'Ticketing', isEnabled: true, config: { url: http.url('/hook'), secret: '••••••••' } },
    ]);
    expect(JSON.stringify(listed)).not.toContain(SECRET);
    expect(
      (await api.post('/api/channels', { type: 'slack', name: 'ticketing', config: { webhookUrl: 'https://hooks.slack.com/services/T/B/x' } })).json.error.code,
    ).toBe('CHANNEL_EXISTS');

    // Renaming while sending the masked secret back keeps the real one: the test still verifies.
    const renamed = await api.request('PATCH', `/api/channels/${hook.id}`, { name: 'Tickets', config: listed[0].config });
    expect(renamed.status, renamed.text).toBe(200);
    expect((await api.request('PATCH', `/api/channels/${hook.id}`, { type: 'slack' })).json.error.code).toBe('CHANNEL_TYPE_IMMUTABLE');
    const tested = await api.post(`/api/channels/${hook.id}/test`, {});
    expect(tested.status, tested.text).toBe(200);
    expect(tested.json).toMatchObject({ ok: true, httpStatus: 200 });
    const req = http.requests.at(-1)!;
    expect(JSON.parse(req.body)).toMatchObject({ event: 'test', title: 'Quarkpulse test message (Tickets)' });
    expect(
      verifyWebhookSignature({
        secret: SECRET,
        body: req.body,
        timestamp: req.headers['x-quarkpulse-timestamp'] as string,
        signature: req.headers['x-quarkpulse-signature'] as string,
        nowMs: Date.now(),
      }),
    ).toBeNull();

    // A failing test says why and whether retrying can help; it is recorded, not retried.
    http.setRespond((r) => (r.path === '/gone' ? 404 : 200));
    const gone = await channel('slack', 'Old Slack', { webhookUrl: http.url('/gone') });
    const failed = await api.post(`/api/channels/${gone.id}/test`, {});
    expect(failed.status).toBe(502);
    expect(failed.json.error).toEqual({
      code: 'CHANNEL_TEST_FAILED',
      message: 'HTTP 404: refused with 404 (will not work until the config or receiver changes)',
    });
    expect((await api.get('/api/notifications?purpose=test')).json.map((d: { status: string; channelName: string }) => [d.channelName, d.status])).toEqual([
      ['Old Slack', 'dead'],
      ['Tickets', 'sent'],
    ]);

    // Email test: to the caller's address, or to one given; wrong SMTP credentials are not retried.
    const authSmtp = await startSmtpReceiver({ users: { quark: 'smtp-password' } });
    try {
      const mail = await channel('email', 'Mail relay', {
        host: '127.0.0.1',
        port: authSmtp.port,
        tls: 'none',
        from: 'alerts@example.com',
        auth: { user: 'quark', pass: 'wrong-password' },
      });
      expect(JSON.stringify((await api.get(`/api/channels/${mail.id}`)).json)).not.toContain('wrong-password');
      expect((await api.post(`/api/channels/${mail.id}/test`, {})).json.error.code).toBe('TEST_RECIPIENT_MISSING');
      expect((await api.post(`/api/channels/${mail.id}/test`, { to: 'nope' })).json.error).toEqual({
        code: 'CONTACT_HANDLE_INVALID',
        message: 'to: must be an email address',
      });
      const refused = await api.post(`/api/channels/${mail.id}/test`, { to: 'desk@example.com' });
      expect(refused.status).toBe(502);
      expect(refused.json.error.message).toMatch(/^SMTP 535: .*Invalid username or password \(will not work until the config or receiver changes\)$/);
      const fixed = await api.request('PATCH', `/api/channels/${mail.id}`, {
        config: { host: '127.0.0.1', port: authSmtp.port, tls: 'none', from: 'alerts@example.com', auth: { user: 'quark', pass: 'smtp-password' } },
      });
      expect(fixed.json.config.auth).toEqual({ user: 'quark', pass: '••••••••' });
      expect((await api.post(`/api/channels/${mail.id}/test`, { to: 'desk@example.com' })).status).toBe(200);
      expect(authSmtp.mails.map((m) => [m.to, m.subject])).toEqual([[['desk@example.com'], 'Quarkpulse test message (Mail relay)']]);
    } finally {
      await authSmtp.close();
    }

    // Viewers read but do not change or test.
    await createUser(api, 'vera', 'viewer', null);
    const viewer = new ApiClient(t.url);
    await viewer.login('vera', 'vera-password-1');
    expect((await viewer.get('/api/channels')).status).toBe(200);
    expect((await viewer.post(`/api/channels/${hook.id}/test`, {})).status).toBe(403);
    expect((await viewer.post('/api/channels', { type: 'slack', name: 'x', config: { webhookUrl: 'https://example.com' } })).status).toBe(403);
  });
});
