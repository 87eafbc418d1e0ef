/**
 * Channels without a network: pure payload builders (snapshot-style), the webhook HMAC, the
 * registry (duplicates, validation codes, masking), failure classification and backoff.
 */
import { describe, expect, it } from 'vitest';
import { buildEmail, classifySmtpError, emailChannel } from '../../server/notify/channels/email.js';
import { isRetryableStatus, parseRetryAfter } from '../../server/notify/channels/http.js';
import { buildNtfyRequest, encodeHeaderValue } from '../../server/notify/channels/ntfy.js';
import { createChannelRegistry, maskSecret, BUILTIN_CHANNELS } from '../../server/notify/channels/registry.js';
import { escapeSlack, slackChannel } from '../../server/notify/channels/slack.js';
import { teamsChannel } from '../../server/notify/channels/teams.js';
import { ChannelError } from '../../server/notify/channels/types.js';
import { buildWebhookRequest, signWebhook, verifyWebhookSignature, webhookChannel } from '../../server/notify/channels/webhook.js';
import { buildAlertMessage } from '../../server/notify/message.js';
import { backoffDelayMs } from '../../server/notify/worker.js';
import type { AlertNotificationPayload } from '../../shared/notification-message.js';

const OPENED = Date.UTC(2025, 6, 1, 9, 0);
const payload: AlertNotificationPayload = {
  kind: 'alert.firing',
  alertId: 'al1',
  state: 'firing',
  severity: 'critical',
  ruleId: 'default-filesystem-full',
  ruleName: 'Filesystem almost full',
  metric: 'fs.usedPct',
  summary: 'C: 97 % full',
  clientId: 'c1',
  clientName: 'Jansen & Zn <Accountants>',
  deviceId: 'd1',
  hostname: 'jansen-srv',
  labels: { mount: 'C:' },
  value: 97.123,
  isFlapping: false,
  openedAtMs: OPENED,
  atMs: OPENED,
  actor: 'system',
  note: null,
};
const page = buildAlertMessage(
  payload,
  'alert.firing',
  {
    idempotencyKey: 'alert.firing:al1|0.1|ch1|*',
    to: null,
    mentions: ['U0PIET1', '@here'],
    ackUrl: 'https://qp.example.com/ack/abc.def',
    viewUrl: 'https://qp.example.com/#/devices/d1',
    atMs: OPENED + 600_000,
  },
  2,
);

describe('message texts', () => {
  it('an offline page of a site probe names its probed devices, whose state is unknown', () => {
    const offline: AlertNotificationPayload = {
      ...payload,
      ruleId: 'default-offline',
      ruleName: 'Device offline',
      metric: null,
      summary: 'offline',
      labels: {},
      value: null,
      probeOf: { count: 4, hostnames: ['printer-reception', 'switch-1', 'ups-1', 'website'] },
    };
    const a = { idempotencyKey: 'k', to: null, mentions: [], ackUrl: null, viewUrl: null, atMs: OPENED };
    const m = buildAlertMessage(offline, 'alert.firing', a);
    expect(m.lines[1]).toBe('This device is the site probe of 4 devices (printer-reception, switch-1, ups-1, …); their state is unknown until it is back.');
    expect(m.facts).toContainEqual({ name: 'Site probe of', value: '4 devices' });
    expect(buildAlertMessage(offline, 'alert.resolved', a).lines[1]).toBe(
      'This device is the site probe of 4 devices (printer-reception, switch-1, ups-1, …); they are checked again.',
    );
    expect(buildAlertMessage(offline, 'alert.acknowledged', a).lines.join('\n')).not.toContain('site probe');
    expect(buildAlertMessage({ ...offline, probeOf: { count: 1, hostnames: ['ups-1'] } }, 'alert.firing', a).lines[1]).toBe(
      'This device is the site probe of 1 device (ups-1); their state is unknown until it is back.',
    );
    expect(buildAlertMessage({ ...offline, probeOf: undefined }, 'alert.firing', a).lines.join('\n')).not.toContain('site probe');
  });

  it('a level-2 page says it escalated and how to stop it', () => {
    expect(page.title).toBe('[CRITICAL] C: 97 % full on jansen-srv (Jansen & Zn <Accountants>)');
    expect(page.lines).toEqual([
      'C: 97 % full on jansen-srv (Jansen & Zn <Accountants>), since 2025-07-01 09:00 UTC.',
      'Escalated to level 2: not acknowledged for 10 min.',
      'Acknowledge with the link in this message to stop escalation.',
    ]);
    expect(page.facts).toEqual([
      { name: 'Client', value: 'Jansen & Zn <Accountants>' },
      { name: 'Device', value: 'jansen-srv' },
      { name: 'Severity', value: 'critical' },
      { name: 'Rule', value: 'Filesystem almost full' },
      { name: 'C: used', value: '97 %' },
      { name: 'Opened', value: '2025-07-01 09:00 UTC' },
      { name: 'Escalation level', value: '2' },
    ]);
    // Metric ids and raw values only in the details section.
    expect(page.details).toEqual([
      { name: 'Metric', value: 'fs.usedPct' },
      { name: 'Labels', value: 'mount=C:' },
      { name: 'Raw value', value: '97.123' },
      { name: 'Rule id', value: 'default-filesystem-full' },
      { name: 'Alert id', value: 'al1' },
    ]);
    expect([page.title, ...page.lines, ...page.facts.map((f) => `${f.name} ${f.value}`)].join('\n')).not.toMatch(/fs\.usedPct|mount=/);
  });
  it('follow-ups say who and when', () => {
    const resolved = buildAlertMessage(
      { ...payload, kind: 'alert.resolved', state: 'resolved', actor: 'piet', note: 'archived logs', atMs: OPENED + 95 * 60_000 },
      'alert.resolved',
      { ...page, ackUrl: null },
    );
    expect([resolved.title, ...resolved.lines]).toEqual([
      '[RESOLVED] C: 97 % full on jansen-srv (Jansen & Zn <Accountants>)',
      'Resolved by piet at 2025-07-01 10:35 UTC.',
      'Note: archived logs',
      'It was open for 1 h 35 min.',
    ]);
  });
});

describe('payload builders', () => {
  it('Slack: text with mentions, header, escaped body, facts and buttons', () => {
    const body = slackChannel.buildPayload({ webhookUrl: 'https://hooks.slack.com/services/T/B/x' }, page) as { text: string; blocks: unknown[] };
    expect(body.text).toBe('[CRITICAL] C: 97 % full on jansen-srv (Jansen & Zn <Accountants>)\n<@U0PIET1> <!here>');
    expect(body.blocks).toEqual([
      { type: 'header', text: { type: 'plain_text', text: '[CRITICAL] C: 97 % full on jansen-srv (Jansen & Zn <Accountants>)', emoji: true } },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: 'C: 97 % full on jansen-srv (Jansen &amp; Zn &lt;Accountants&gt;), since 2025-07-01 09:00 UTC.\nEscalated to level 2: not acknowledged for 10 min.\nAcknowledge with the link in this message to stop escalation.\n<@U0PIET1> <!here>',
        },
      },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: '*Client*\nJansen &amp; Zn &lt;Accountants&gt;' },
          { type: 'mrkdwn', text: '*Device*\njansen-srv' },
          { type: 'mrkdwn', text: '*Severity*\ncritical' },
          { type: 'mrkdwn', text: '*Rule*\nFilesystem almost full' },
          { type: 'mrkdwn', text: '*C: used*\n97 %' },
          { type: 'mrkdwn', text: '*Opened*\n2025-07-01 09:00 UTC' },
          { type: 'mrkdwn', text: '*Escalation level*\n2' },
        ],
      },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: 'Details: Metric `fs.usedPct` · Labels `mount=C:` · Raw value `97.123` · Rule id `default-filesystem-full` · Alert id `al1`',
          },
        ],
      },
      {
        type: 'actions',
        elements: [
          { type: 'button', text: { type: 'plain_text', text: 'Acknowledge' }, style: 'primary', url: 'https://qp.example.com/ack/abc.def' },
          { type: 'button', text: { type: 'plain_text', text: 'Open in Quarkpulse' }, url: 'https://qp.example.com/#/devices/d1' },
        ],
      },
    ]);
    expect(escapeSlack('a < b & c > d')).toBe('a &lt; b &amp; c &gt; d');
  });

  it('Teams: one Adaptive Card 1.4 with facts and Acknowledge / Open actions', () => {
    expect(teamsChannel.buildPayload({ webhookUrl: 'https://example.webhook.office.com/x' }, page)).toEqual({
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          contentUrl: null,
          content: {
            $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
            type: 'AdaptiveCard',
            version: '1.4',
            body: [
              { type: 'TextBlock', text: page.title, weight: 'Bolder', size: 'Medium', wrap: true, color: 'attention' },
              { type: 'TextBlock', text: page.lines.join('\n\n'), wrap: true },
              { type: 'FactSet', facts: page.facts.map((f) => ({ title: f.name, value: f.value })) },
              {
                type: 'TextBlock',
                text: 'Details: Metric fs.usedPct · Labels mount=C: · Raw value 97.123 · Rule id default-filesystem-full · Alert id al1',
                wrap: true,
                isSubtle: true,
                size: 'Small',
              },
              { type: 'TextBlock', text: 'Paged: U0PIET1, @here', wrap: true, isSubtle: true },
            ],
            actions: [
              { type: 'Action.OpenUrl', title: 'Acknowledge', url: 'https://qp.example.com/ack/abc.def' },
              { type: 'Action.OpenUrl', title: 'Open in Quarkpulse', url: 'https://qp.example.com/#/devices/d1' },
            ],
          },
        },
      ],
    });
  });

  it('ntfy: topic from the recipient, priority by severity, ack as a one-tap http action', () => {
    expect(buildNtfyRequest({ serverUrl: 'https://ntfy.example.com/', topic: 'ops', accessToken: 'tk_secret' }, { ...page, to: 'piet-phone' })).toEqual({
      url: 'https://ntfy.example.com/piet-phone',
      body: page.lines.join('\n'),
      headers: {
        'content-type': 'text/plain; charset=utf-8',
        title: page.title,
        priority: '5',
        tags: 'rotating_light',
        'idempotency-key': 'alert.firing:al1|0.1|ch1|*',
        actions: 'http, Acknowledge, https://qp.example.com/ack/abc.def, method=POST, clear=true; view, Open, https://qp.example.com/#/devices/d1',
        click: 'https://qp.example.com/#/devices/d1',
        authorization: 'Bearer tk_secret',
      },
    });
    expect(buildNtfyRequest({ serverUrl: 'https://ntfy.sh', topic: 'ops' }, { ...page, kind: 'alert.resolved', ackUrl: null }).headers).toMatchObject({
      priority: '3',
      tags: 'white_check_mark',
    });
    expect(() => buildNtfyRequest({ serverUrl: 'https://ntfy.sh' }, page)).toThrow(
      new ChannelError('no ntfy topic: set the channel topic or the contact point handle', false),
    );
    expect(encodeHeaderValue('Schijf vol – café')).toBe(`=?UTF-8?B?${Buffer.from('Schijf vol – café').toString('base64')}?=`);
    expect(encodeHeaderValue('plain ascii')).toBe('plain ascii');
  });

  it('email: text and escaped HTML, Message-ID from the idempotency key, one thread per alert', () => {
    const config = emailChannel.configSchema.parse({ host: 'smtp.example.com', from: 'Quarkpulse <alerts@example.com>' });
    expect(config).toEqual({ host: 'smtp.example.com', secure: false, tls: 'required', from: 'Quarkpulse <alerts@example.com>' });
    const mail = buildEmail(config, { ...page, to: 'piet@example.com' });
    expect(mail).toMatchObject({
      from: 'Quarkpulse <alerts@example.com>',
      to: 'piet@example.com',
      subject: page.title,
      references: '<alert-al1@quarkpulse.invalid>',
      priority: 'high',
      headers: { 'X-Quarkpulse-Idempotency-Key': 'alert.firing:al1|0.1|ch1|*', 'X-Quarkpulse-Event': 'alert.firing' },
    });
    expect(mail.messageId).toMatch(/^<[0-9a-f]{32}@quarkpulse\.invalid>$/);
    expect(buildEmail(config, { ...page, to: 'piet@example.com' }).messageId).toBe(mail.messageId);
    expect(mail.text.split('\n').slice(-9)).toEqual([
      'Acknowledge: https://qp.example.com/ack/abc.def',
      'Open: https://qp.example.com/#/devices/d1',
      '',
      'Details',
      'Metric: fs.usedPct',
      'Labels: mount=C:',
      'Raw value: 97.123',
      'Rule id: default-filesystem-full',
      'Alert id: al1',
    ]);
    expect(mail.html).toContain('<h2>[CRITICAL] C: 97 % full on jansen-srv (Jansen &amp; Zn &lt;Accountants&gt;)</h2>');
    expect(mail.html).toContain(
      '<p style="color:#667085;font-size:12px">Details: Metric fs.usedPct · Labels mount=C: · Raw value 97.123 · Rule id default-filesystem-full · Alert id al1</p>',
    );
    expect(mail.html).not.toContain('<Accountants>');
    expect(() => buildEmail(config, page)).toThrow('no email address for this recipient');
  });
});

describe('webhook signature', () => {
  const config = { url: 'https://hooks.example.com/qp', secret: 'webhook-secret-0123' };
  const nowMs = Date.UTC(2025, 6, 1, 9, 0, 30);
  const req = buildWebhookRequest(config, page, nowMs);
  const verify = (over: Partial<Parameters<typeof verifyWebhookSignature>[0]> = {}) =>
    verifyWebhookSignature({
      secret: config.secret,
      body: req.body,
      timestamp: req.headers['x-quarkpulse-timestamp'],
      signature: req.headers['x-quarkpulse-signature'],
      nowMs,
      ...over,
    });

  it('is sha256=HMAC(secret, "<unix seconds>.<body>") with the idempotency key alongside', () => {
    expect(req.headers['x-quarkpulse-timestamp']).toBe(String(nowMs / 1000));
    expect(req.headers['x-quarkpulse-signature']).toBe(signWebhook(config.secret, nowMs / 1000, req.body));
    expect(req.headers['x-quarkpulse-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(req.headers['idempotency-key']).toBe(page.idempotencyKey);
    expect(JSON.parse(req.body)).toEqual(webhookChannel.buildPayload(config, page));
    expect(JSON.parse(req.body)).toMatchObject({
      version: 1,
      event: 'alert.firing',
      level: 2,
      mentions: ['U0PIET1', '@here'],
      alert: { alertId: 'al1', metric: 'fs.usedPct' },
      details: page.details,
    });
  });
  it.each([
    [{}, null],
    [{ secret: 'another-secret-value' }, 'signature mismatch'],
    [{ body: req.body.replace('97', '98') }, 'signature mismatch'],
    [{ nowMs: nowMs + 6 * 60_000 }, 'timestamp outside the tolerance (replay?)'],
    [{ timestamp: undefined }, 'missing or malformed timestamp'],
    [{ signature: undefined }, 'missing signature'],
    [{ signature: 'sha256=00' }, 'signature mismatch'],
  ] as [Partial<Parameters<typeof verifyWebhookSignature>[0]>, string | null][])('verify %j → %s', (over, expected) => {
    expect(verify(over)).toBe(expected);
  });
});

describe('registry', () => {
  const registry = createChannelRegistry();
  it('lists the ten built-in types and refuses a type registered twice', () => {
    expect(registry.types()).toEqual(['email', 'webhook', 'slack', 'teams', 'ntfy', 'telegram', 'pushover', 'discord', 'twilio', 'messagebird']);
    expect(() => createChannelRegistry([...BUILTIN_CHANNELS, webhookChannel])).toThrow('notification channel type "webhook" is registered twice');
  });
  it.each([
    [
      'fax',
      {},
      'CHANNEL_TYPE_UNKNOWN',
      'unknown channel type "fax"; known: email, webhook, slack, teams, ntfy, telegram, pushover, discord, twilio, messagebird',
    ],
    ['email', {}, 'CHANNEL_CONFIG_INVALID', 'config.host: SMTP host is required'],
    ['email', { host: 'h', from: 'a@example.com', port: 70000 }, 'CHANNEL_CONFIG_INVALID', 'config.port: port must be 1–65535'],
    ['email', { host: 'h', from: 'a@example.com', tls: 'maybe' }, 'CHANNEL_CONFIG_INVALID', 'config.tls: tls must be "required", "opportunistic" or "none"'],
    ['webhook', { url: 'https://x.example.com' }, 'CHANNEL_CONFIG_INVALID', 'config.secret: secret is required: the HMAC key the receiver verifies with'],
    ['webhook', { url: 'javascript:alert(1)', secret: '0123456789abcdef' }, 'CHANNEL_CONFIG_INVALID', 'config.url: must be an http:// or https:// URL'],
    ['slack', {}, 'CHANNEL_CONFIG_INVALID', 'config.webhookUrl: must be an http:// or https:// URL'],
  ])('%s %j → %s', (type, config, code, message) => {
    expect(registry.checkConfig(type, config)).toEqual({ ok: false, code, message });
  });
  it('masks secrets (URLs keep their origin) and keeps stored ones when sent back masked or left out', () => {
    expect(maskSecret('https://hooks.slack.com/services/T0/B0/xyz')).toBe('https://hooks.slack.com/••••••••');
    expect(maskSecret('hunter2')).toBe('••••••••');
    const stored = { host: 'smtp.example.com', from: 'a@example.com', auth: { user: 'u', pass: 'p4ss' } };
    const masked = registry.maskConfig('email', stored);
    expect(masked).toEqual({ ...stored, auth: { user: 'u', pass: '••••••••' } });
    expect(stored.auth.pass).toBe('p4ss');
    expect(registry.keepSecrets('email', masked, stored)).toEqual(stored);
    expect(registry.keepSecrets('email', { ...masked, auth: { user: 'u2', pass: 'new' } }, stored)).toEqual({ ...stored, auth: { user: 'u2', pass: 'new' } });
    expect(registry.keepSecrets('slack', {}, { webhookUrl: 'https://hooks.slack.com/services/T/B/x' })).toEqual({
      webhookUrl: 'https://hooks.slack.com/services/T/B/x',
    });
  });
});

describe('failure classification and backoff', () => {
  it.each([
    [200, false],
    [400, false],
    [401, false],
    [404, false],
    [408, true],
    [410, false],
    [425, true],
    [429, true],
    [500, true],
    [503, true],
  ])('HTTP %s retryable: %s', (status, expected) => {
    expect(isRetryableStatus(status)).toBe(expected);
  });

  it.each([
    [{ code: 'EENVELOPE', responseCode: 550, response: '550 5.1.1 no such user' }, false],
    [{ code: 'EAUTH', responseCode: 535, response: '535 5.7.8 bad credentials' }, false],
    [{ code: 'EENVELOPE', responseCode: 451, response: '451 4.3.0 try again later' }, true],
    [{ code: 'ECONNECTION', message: 'connect ECONNREFUSED 127.0.0.1:25' }, true],
    [{ code: 'ETIMEDOUT', message: 'Greeting never received' }, true],
    [{ code: 'ETLS', message: 'STARTTLS required' }, false],
  ])('SMTP %j retryable: %s', (err, expected) => {
    expect(classifySmtpError(err).isRetryable).toBe(expected);
  });

  it('Retry-After in seconds or as a date', () => {
    const now = Date.UTC(2025, 6, 1);
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(new Date(now + 30_000).toUTCString(), now)).toBe(30_000);
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
  });

  it('full jitter: uniform below a doubling ceiling, capped, never below the floor', () => {
    const policy = { baseDelayMs: 5_000, maxDelayMs: 300_000, minDelayMs: 1_000 };
    expect([1, 2, 3, 4, 8, 20].map((a) => backoffDelayMs(a, policy, () => 0.999999))).toEqual([4999, 9999, 19999, 39999, 299999, 299999]);
    expect([1, 5].map((a) => backoffDelayMs(a, policy, () => 0))).toEqual([1000, 1000]);
    expect(backoffDelayMs(3, policy, () => 0.5)).toBe(10_000);
  });
});
