/**
 * Loopback imitations of the provider APIs the Telegram, Pushover, Discord, Twilio and MessageBird
 * channels call, each checking a request the way the real API documents it (paths, auth, content
 * type, field names, types and limits) and answering like it: its success body, or its own error
 * body and status when the request is wrong — or when the test asks for a failure (a rate limit,
 * a bad number). Every request is recorded with what the check found.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

export interface ProviderRequest {
  provider: 'telegram' | 'pushover' | 'discord' | 'twilio' | 'messagebird' | 'unknown';
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** The parsed JSON or form fields. */
  fields: Record<string, unknown>;
  /** Why the imitation refused the request's shape, or null when it matched the documented shape. */
  problem: string | null;
  status: number;
}

const TELEGRAM_TOKEN = /^\/bot(\d{3,20}:[A-Za-z0-9_-]{30,100})\/sendMessage$/;
const DISCORD = /^\/api\/webhooks\/(\d{5,25})\/([A-Za-z0-9_-]{20,100})\?wait=true$/;
const TWILIO = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/Messages\.json$/;

const telegramSchema = z
  .object({
    chat_id: z.union([z.number().int(), z.string().regex(/^@\w{5,32}$/)]),
    text: z.string().min(1).max(4096),
    parse_mode: z.enum(['HTML', 'MarkdownV2', 'Markdown']).optional(),
    link_preview_options: z.object({ is_disabled: z.boolean() }).strict().optional(),
    reply_markup: z
      .object({ inline_keyboard: z.array(z.array(z.object({ text: z.string().min(1), url: z.url({ protocol: /^https$/ }) }).strict())) })
      .strict()
      .optional(),
  })
  .strict();

const pushoverSchema = z
  .object({
    token: z.string().regex(/^[A-Za-z0-9]{30}$/),
    user: z.string().regex(/^[A-Za-z0-9]{30}$/),
    message: z.string().min(1).max(1024),
    title: z.string().max(250).optional(),
    priority: z.enum(['-2', '-1', '0', '1', '2']).optional(),
    retry: z.string().regex(/^\d+$/).optional(),
    expire: z.string().regex(/^\d+$/).optional(),
    url: z.string().max(512).optional(),
    url_title: z.string().max(100).optional(),
    timestamp: z.string().regex(/^\d+$/).optional(),
  })
  .strict()
  .refine((f) => f.priority !== '2' || (Number(f.retry) >= 30 && Number(f.expire) <= 10_800), 'priority 2 needs retry (≥ 30) and expire (≤ 10800)');

const embedSchema = z
  .object({
    title: z.string().max(256).optional(),
    description: z.string().max(4096).optional(),
    url: z.url().optional(),
    color: z.number().int().min(0).max(0xffffff).optional(),
    timestamp: z.iso.datetime().optional(),
    fields: z
      .array(z.object({ name: z.string().min(1).max(256), value: z.string().min(1).max(1024), inline: z.boolean().optional() }).strict())
      .max(25)
      .optional(),
    footer: z
      .object({ text: z.string().max(2048) })
      .strict()
      .optional(),
  })
  .strict();
const discordSchema = z
  .object({
    content: z.string().max(2000).optional(),
    embeds: z.array(embedSchema).max(10).optional(),
    allowed_mentions: z
      .object({ parse: z.array(z.enum(['roles', 'users', 'everyone'])), users: z.array(z.string().regex(/^\d+$/)).max(100).optional() })
      .strict()
      .optional(),
  })
  .strict();

const twilioSchema = z
  .object({
    To: z.string().regex(/^\+[1-9]\d{6,14}$/),
    From: z.string().min(1).optional(),
    MessagingServiceSid: z
      .string()
      .regex(/^MG[0-9a-f]{32}$/)
      .optional(),
    Body: z.string().min(1).max(1600),
  })
  .strict()
  .refine((f) => (f.From === undefined) !== (f.MessagingServiceSid === undefined), 'give From or MessagingServiceSid');

const messageBirdSchema = z
  .object({
    originator: z.string().regex(/^(\d{7,15}|[A-Za-z0-9 ]{1,11})$/),
    recipients: z.array(z.union([z.string().regex(/^\d{7,15}$/), z.number().int()])).min(1),
    body: z.string().min(1).max(1377),
    reference: z.string().max(100).optional(),
  })
  .strict();

/** What the test wants answered instead of success, by provider and a field's value. */
export type Failure = (r: ProviderRequest) => { status: number; body: unknown; headers?: Record<string, string> } | undefined;

export async function startProviderApis(creds: { twilio: { sid: string; token: string }; messageBirdKey: string }) {
  const requests: ProviderRequest[] = [];
  let failure: Failure = () => undefined;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '';
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
      const r: ProviderRequest = { provider: 'unknown', method: req.method ?? '', path, headers: req.headers, body, fields: {}, problem: null, status: 0 };
      const json = () => {
        if (type !== 'application/json') return `content-type ${type}, not application/json`;
        try {
          r.fields = JSON.parse(body) as Record<string, unknown>;
          return null;
        } catch {
          return 'body is not JSON';
        }
      };
      const form = () => {
        if (type !== 'application/x-www-form-urlencoded') return `content-type ${type}, not application/x-www-form-urlencoded`;
        r.fields = Object.fromEntries(new URLSearchParams(body));
        return null;
      };
      const check = (schema: z.ZodType) => {
        const p = schema.safeParse(r.fields);
        return p.success ? null : p.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      };
      let ok: { status: number; body: unknown } = { status: 404, body: { message: 'Not Found' } };
      if (req.method === 'POST' && TELEGRAM_TOKEN.test(path)) {
        r.provider = 'telegram';
        r.problem = json() ?? check(telegramSchema);
        ok = r.problem
          ? { status: 400, body: { ok: false, error_code: 400, description: `Bad Request: ${r.problem}` } }
          : { status: 200, body: { ok: true, result: { message_id: requests.length + 1, chat: { id: r.fields.chat_id } } } };
      } else if (req.method === 'POST' && path === '/1/messages.json') {
        r.provider = 'pushover';
        r.problem = form() ?? check(pushoverSchema);
        ok = r.problem
          ? { status: 400, body: { status: 0, errors: [r.problem], request: 'req-1' } }
          : { status: 200, body: { status: 1, request: `req-${requests.length + 1}` } };
      } else if (req.method === 'POST' && DISCORD.test(path)) {
        r.provider = 'discord';
        r.problem = json() ?? check(discordSchema);
        ok = r.problem
          ? { status: 400, body: { code: 50035, message: `Invalid Form Body: ${r.problem}` } }
          : { status: 200, body: { id: String(1_000_000 + requests.length), type: 0, content: r.fields.content } };
      } else if (req.method === 'POST' && TWILIO.test(path)) {
        r.provider = 'twilio';
        const expected = `Basic ${Buffer.from(`${creds.twilio.sid}:${creds.twilio.token}`).toString('base64')}`;
        if (req.headers.authorization !== expected || TWILIO.exec(path)![1] !== creds.twilio.sid) {
          r.problem = 'authentication';
          ok = { status: 401, body: { code: 20003, message: 'Authenticate', status: 401 } };
        } else {
          r.problem = form() ?? check(twilioSchema);
          ok = r.problem
            ? { status: 400, body: { code: 21604, message: r.problem, status: 400 } }
            : { status: 201, body: { sid: `SM${'0'.repeat(32)}`, status: 'queued', to: r.fields.To, body: r.fields.Body } };
        }
      } else if (req.method === 'POST' && path === '/messages') {
        r.provider = 'messagebird';
        if (req.headers.authorization !== `AccessKey ${creds.messageBirdKey}`) {
          r.problem = 'authentication';
          ok = { status: 401, body: { errors: [{ code: 2, description: 'Request not allowed (incorrect access_key)', parameter: null }] } };
        } else {
          r.problem = json() ?? check(messageBirdSchema);
          ok = r.problem
            ? { status: 422, body: { errors: [{ code: 9, description: r.problem, parameter: null }] } }
            : { status: 201, body: { id: 'mb-1', recipients: { totalCount: 1 } } };
        }
      }
      const forced = r.problem ? undefined : failure(r);
      const answer = forced ?? ok;
      r.status = answer.status;
      requests.push(r);
      res.writeHead(answer.status, { 'content-type': 'application/json', ...(forced?.headers ?? {}) }).end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    requests,
    /** The requests to one provider. */
    of: (provider: ProviderRequest['provider']) => requests.filter((r) => r.provider === provider),
    setFailure(fn: Failure) {
      failure = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
