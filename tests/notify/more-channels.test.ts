/**
 * Telegram, Pushover, Discord and SMS (Twilio, MessageBird): each channel's request, sent with
 * real fetch over a socket to a loopback imitation of the provider's API that checks it the way
 * the provider documents it (tests/notify/provider-apis.ts), and each provider's own error
 * answers classified (retry or not, how long to wait, the provider's words). Then through the
 * server: channels made over REST, secrets masked, a test send each, and a person's test page
 * reaching their Telegram, Pushover and SMS contact points.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discordChannel } from '../../server/notify/channels/discord.js';
import { messageBirdChannel } from '../../server/notify/channels/messagebird.js';
import { pushoverChannel } from '../../server/notify/channels/pushover.js';
import { telegramChannel } from '../../server/notify/channels/telegram.js';
import { twilioChannel } from '../../server/notify/channels/twilio.js';
import { ChannelError, type AnyChannel, type SendContext } from '../../server/notify/channels/types.js';
import { buildAlertMessage } from '../../server/notify/message.js';
import type { AlertNotificationPayload } from '../../shared/notification-message.js';
import { ApiClient, startTestServer, type TestServer } from '../helpers/test-server.js';
import { startProviderApis } from './provider-apis.js';

const TWILIO = { sid: `AC${'a1b2c3d4'.repeat(4)}`, token: 'f0e1d2c3b4a5968778695a4b3c2d1e0f' };
const MB_KEY = 'test_gshuPaZoeEG6ovbc8M79w0QyM';
const BOT = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const PUSH_APP = 'azGDORePK8gMaC0QOYAMyEEuzJnyUi';
const PUSH_USER = 'uQiRzpo4DXghDmr9QzzfQu27cmVRsG';
const DISCORD_PATH = '/api/webhooks/223704706495545344/3d89bb7572e0fb30d8128367b3b1b44fecd1726de135cbe28a41f8b2f777c372ba2939e72279b94526ff5d1bd4358d65cf11';

const OPENED = Date.UTC(2026, 9, 24, 21, 0);
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
  hostname: 'jansen-srv01',
  labels: { mount: 'C:' },
  value: 97.1,
  isFlapping: false,
  openedAtMs: OPENED,
  atMs: OPENED,
  actor: 'system',
  note: null,
};
const message = (to: string | null, mentions: string[] = []) =>
  buildAlertMessage(
    payload,
    'alert.firing',
    {
      idempotencyKey: 'alert.firing:al1|0.1|ch1|*',
      to,
      mentions,
      ackUrl: 'https://qp.example.com/ack/abc.def',
      viewUrl: 'https://qp.example.com/#/devices/d1',
      atMs: OPENED,
    },
    1,
  );

describe('Telegram, Pushover, Discord and SMS channels against their APIs', () => {
  let api: Awaited<ReturnType<typeof startProviderApis>>;
  const ctx = (): SendContext => ({ fetch, nowMs: OPENED, timeoutMs: 5_000 });
  beforeAll(async () => {
    api = await startProviderApis({ twilio: TWILIO, messageBirdKey: MB_KEY });
  });
  afterAll(async () => {
    await api.close();
  });

  const configs = () => ({
    telegram: telegramChannel.configSchema.parse({ botToken: BOT, apiBaseUrl: api.origin }),
    pushover: pushoverChannel.configSchema.parse({ appToken: PUSH_APP, apiBaseUrl: api.origin }),
    discord: discordChannel.configSchema.parse({ webhookUrl: `${api.origin}${DISCORD_PATH}` }),
    twilio: twilioChannel.configSchema.parse({ accountSid: TWILIO.sid, authToken: TWILIO.token, from: '+3197010260000', apiBaseUrl: api.origin }),
    messagebird: messageBirdChannel.configSchema.parse({ accessKey: MB_KEY, originator: 'Quarkpulse', apiBaseUrl: api.origin }),
  });

  it('sends a page each API takes as documented', async () => {
    const c = configs();
    const outcomes = await Promise.all([
      telegramChannel.send(c.telegram, message('-1001234567890'), ctx()),
      pushoverChannel.send(c.pushover, message(PUSH_USER), ctx()),
      discordChannel.send(c.discord, message(null, ['80351110224678912']), ctx()),
      twilioChannel.send(c.twilio, message('+31612345678'), ctx()),
      messageBirdChannel.send(c.messagebird, message('+31612345678'), ctx()),
    ]);
    expect(outcomes.map((o) => o.httpStatus)).toEqual([200, 200, 200, 201, 201]);
    expect(api.requests.map((r) => [r.provider, r.problem])).toEqual(['telegram', 'pushover', 'discord', 'twilio', 'messagebird'].map((p) => [p, null]));

    const tg = api.of('telegram')[0]!;
    expect(tg.path).toBe(`/bot${BOT}/sendMessage`);
    expect(tg.fields).toMatchObject({ chat_id: -1001234567890, parse_mode: 'HTML', link_preview_options: { is_disabled: true } });
    // Names of people and firms are escaped for Telegram's HTML.
    expect(tg.fields.text).toContain('<b>[CRITICAL] C: 97 % full on jansen-srv01 (Jansen &amp; Zn &lt;Accountants&gt;)</b>');
    expect(tg.fields.reply_markup).toEqual({
      inline_keyboard: [
        [
          { text: 'Acknowledge', url: 'https://qp.example.com/ack/abc.def' },
          { text: 'Open in Quarkpulse', url: 'https://qp.example.com/#/devices/d1' },
        ],
      ],
    });

    expect(api.of('pushover')[0]!.fields).toEqual({
      token: PUSH_APP,
      user: PUSH_USER,
      title: '[CRITICAL] C: 97 % full on jansen-srv01 (Jansen & Zn <Accountants>)',
      message: expect.stringContaining('Acknowledge: https://qp.example.com/ack/abc.def'),
      priority: '1',
      timestamp: String(OPENED / 1000),
      url: 'https://qp.example.com/ack/abc.def',
      url_title: 'Acknowledge',
    });

    const dc = api.of('discord')[0]!;
    expect(dc.path).toBe(`${DISCORD_PATH}?wait=true`);
    expect(dc.fields.allowed_mentions).toEqual({ parse: [], users: ['80351110224678912'] });
    expect(dc.fields.content).toBe('<@80351110224678912> [CRITICAL] C: 97 % full on jansen-srv01 (Jansen & Zn <Accountants>)');
    const embed = (dc.fields.embeds as Record<string, unknown>[])[0]!;
    expect(embed).toMatchObject({ color: 0xd92d20, url: 'https://qp.example.com/#/devices/d1', timestamp: new Date(OPENED).toISOString() });
    expect(embed.description).toContain('[Acknowledge](https://qp.example.com/ack/abc.def)');

    const tw = api.of('twilio')[0]!;
    expect(tw.path).toBe(`/2010-04-01/Accounts/${TWILIO.sid}/Messages.json`);
    expect(tw.headers['i-twilio-idempotency-token']).toBe('alert.firing:al1|0.1|ch1|*');
    expect(tw.fields).toEqual({
      To: '+31612345678',
      From: '+3197010260000',
      Body: '[CRITICAL] C: 97 % full on jansen-srv01 (Jansen & Zn <Accountants>)\nAcknowledge: https://qp.example.com/ack/abc.def',
    });
    expect(api.of('messagebird')[0]!.fields).toEqual({
      originator: 'Quarkpulse',
      recipients: ['31612345678'],
      body: tw.fields.Body,
      reference: 'alert.firing:al1|0.1|ch1|*',
    });
  });

  it('puts links in the Telegram text when they are not https, and an emergency Pushover repeats', async () => {
    const c = configs();
    const plain = { ...message('4242'), ackUrl: 'http://192.168.1.5:8080/ack/x.y', viewUrl: 'http://192.168.1.5:8080/#/' };
    await telegramChannel.send(c.telegram, plain, ctx());
    const tg = api.of('telegram').at(-1)!;
    expect(tg.problem).toBeNull();
    expect(tg.fields.reply_markup).toBeUndefined();
    expect(tg.fields.text).toContain('Acknowledge: http://192.168.1.5:8080/ack/x.y');
    await pushoverChannel.send({ ...c.pushover, criticalPriority: 2 }, message(PUSH_USER), ctx());
    expect(api.of('pushover').at(-1)).toMatchObject({ problem: null, fields: { priority: '2', retry: '60', expire: '3600' } });
  });

  it('reads each provider’s error answers: retry after its wait, or stop with its words', async () => {
    const c = configs();
    api.setFailure((r) => {
      if (r.provider === 'telegram')
        return { status: 429, body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 7', parameters: { retry_after: 7 } } };
      if (r.provider === 'discord') return { status: 429, body: { message: 'You are being rate limited.', retry_after: 1.5, global: false } };
      if (r.provider === 'twilio')
        return { status: 400, body: { code: 21211, message: "The 'To' number +31600000000 is not a valid phone number.", status: 400 } };
      if (r.provider === 'pushover')
        return { status: 400, body: { user: 'invalid', errors: ['user identifier is not a valid user, group, or subscribed user key'], status: 0 } };
      if (r.provider === 'messagebird')
        return { status: 503, body: { errors: [{ code: 99, description: 'Internal error', parameter: null }] }, headers: { 'retry-after': '30' } };
      return undefined;
    });
    const failures = await Promise.all(
      (
        [
          [telegramChannel, c.telegram, '4242'],
          [discordChannel, c.discord, null],
          [twilioChannel, c.twilio, '+31600000000'],
          [pushoverChannel, c.pushover, PUSH_USER],
          [messageBirdChannel, c.messagebird, '+31612345678'],
        ] as [AnyChannel, unknown, string | null][]
      ).map(([ch, config, to]) =>
        ch.send(config, message(to), ctx()).then(
          () => undefined,
          (e: unknown) => e as ChannelError,
        ),
      ),
    );
    api.setFailure(() => undefined);
    expect(failures.every((f) => f instanceof ChannelError)).toBe(true);
    expect(failures.map((f) => [f!.message, f!.isRetryable, f!.retryAfterMs])).toEqual([
      ['HTTP 429: Too Many Requests: retry after 7', true, 7_000],
      ['HTTP 429: You are being rate limited.', true, 1_500],
      ["HTTP 400: The 'To' number +31600000000 is not a valid phone number. (Twilio error 21211)", false, null],
      ['HTTP 400: user identifier is not a valid user, group, or subscribed user key', false, null],
      ['HTTP 503: Internal error', true, 30_000],
    ]);
  });

  it('refuses configs and handles the APIs would refuse, naming the field', () => {
    const bad: [AnyChannel, unknown, string][] = [
      [telegramChannel, { botToken: 'not-a-token' }, 'bot token'],
      [pushoverChannel, { appToken: 'short' }, 'Pushover key'],
      [pushoverChannel, { appToken: PUSH_APP, criticalPriority: 3 }, ''],
      [discordChannel, { webhookUrl: 'ftp://discord.com/x' }, 'http'],
      [twilioChannel, { accountSid: 'AC123', authToken: TWILIO.token, from: '+3197010260000' }, 'Account SID'],
      [messageBirdChannel, { accessKey: MB_KEY, originator: 'Quarkpulse Monitor BV' }, 'alphanumeric'],
    ];
    for (const [ch, config, words] of bad) {
      const r = ch.configSchema.safeParse(config);
      expect(r.success, `${ch.type} ${JSON.stringify(config)}`).toBe(false);
      if (words) expect(r.error!.issues[0]!.message).toContain(words);
    }
    expect(twilioChannel.handleSchema.safeParse('0612345678').success).toBe(false);
    expect(twilioChannel.handleSchema.safeParse('+31612345678').success).toBe(true);
    expect(telegramChannel.handleSchema.safeParse('@quarkpulse_oncall').success).toBe(true);
    expect(discordChannel.handleSchema.safeParse('@here').success).toBe(false);
    // Without a recipient anywhere: not retryable, says what to set.
    expect(() => twilioChannel.buildPayload(configs().twilio, message(null))).toThrow('no phone number');
  });
});

describe('the new channels through the server', () => {
  let t: TestServer;
  let api: Awaited<ReturnType<typeof startProviderApis>>;
  beforeAll(async () => {
    api = await startProviderApis({ twilio: TWILIO, messageBirdKey: MB_KEY });
    t = await startTestServer();
  });
  afterAll(async () => {
    await t?.close();
    await api?.close();
  });

  it('are made over REST with secrets masked, test-send, and page a person on every contact point', async () => {
    const admin = new ApiClient(t.url);
    await admin.login();
    const types = (await admin.get('/api/channels/types')).json as { type: string; secretFields: string[] }[];
    expect(types.map((x) => x.type)).toEqual(expect.arrayContaining(['telegram', 'pushover', 'discord', 'twilio', 'messagebird']));
    const made: Record<string, string> = {};
    for (const [type, config] of Object.entries({
      telegram: { botToken: BOT, apiBaseUrl: api.origin },
      pushover: { appToken: PUSH_APP, apiBaseUrl: api.origin },
      discord: { webhookUrl: `${api.origin}${DISCORD_PATH}` },
      twilio: { accountSid: TWILIO.sid, authToken: TWILIO.token, from: 'Quarkpulse', apiBaseUrl: api.origin },
      messagebird: { accessKey: MB_KEY, originator: 'Quarkpulse', apiBaseUrl: api.origin },
    })) {
      const r = await admin.post('/api/channels', { type, name: `On-call ${type}`, config });
      expect(r.status, r.text).toBe(201);
      made[type] = r.json.id as string;
      for (const secret of [BOT, PUSH_APP, TWILIO.token, MB_KEY, DISCORD_PATH]) expect(r.text).not.toContain(secret);
    }
    const to: Record<string, string | undefined> = {
      telegram: '4242',
      pushover: PUSH_USER,
      twilio: '+31612345678',
      messagebird: '+31612345678',
      discord: undefined,
    };
    for (const [type, id] of Object.entries(made)) {
      const r = await admin.post(`/api/channels/${id}/test`, to[type] ? { to: to[type] } : {});
      expect(r.status, `${type}: ${r.text}`).toBe(200);
    }
    expect(api.requests.map((r) => [r.provider, r.problem])).toEqual(['telegram', 'pushover', 'discord', 'twilio', 'messagebird'].map((p) => [p, null]));

    // The admin's own contact points on three of them, then "page me now".
    const me = (await admin.get('/api/me')).json as { id: string };
    for (const [type, handle] of [
      ['telegram', '4242'],
      ['pushover', PUSH_USER],
      ['twilio', '+31612345678'],
    ] as const)
      expect((await admin.post(`/api/users/${me.id}/contacts`, { channelId: made[type], handle })).status).toBe(201);
    const bad = await admin.post(`/api/users/${me.id}/contacts`, { channelId: made.twilio, handle: '0612345678' });
    expect(bad.status).toBe(400);
    const before = api.requests.length;
    const page = await admin.post('/api/oncall/test-page', {});
    expect(page.status, page.text).toBe(200);
    expect(page.json.ok).toBe(true);
    const sent = api.requests.slice(before);
    expect(sent.map((r) => r.provider).sort()).toEqual(['pushover', 'telegram', 'twilio']);
    expect(sent.every((r) => r.problem === null)).toBe(true);
    expect(sent.find((r) => r.provider === 'telegram')!.fields.chat_id).toBe(4242);
    expect(sent.find((r) => r.provider === 'twilio')!.fields).toMatchObject({ To: '+31612345678', From: 'Quarkpulse' });
  });
});
