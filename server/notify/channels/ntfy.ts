/**
 * ntfy: POST the text to `<serverUrl>/<topic>` with Title, Priority, Tags and Actions headers.
 * A page's actions are "Acknowledge" (an http action: one tap POSTs the signed link) and "Open".
 * Each person subscribes to their own topic (the contact point's handle) or the channel's.
 * Header values must be ASCII, so a non-ASCII title is sent RFC 2047 encoded, which ntfy reads.
 */
import { z } from 'zod';
import { httpUrlSchema, postHttp } from './http.js';
import { ChannelError, defineChannel, type NotificationMessage } from './types.js';

const topicSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be an ntfy topic: 1–64 letters, digits, - or _');

const configSchema = z
  .object({
    serverUrl: httpUrlSchema.default('https://ntfy.sh'),
    /** Topic for recipients whose contact point names none. */
    topic: topicSchema.optional(),
    /** Access token for protected topics (sent as Bearer). */
    accessToken: z.string().min(1).max(500).optional(),
  })
  .strict();
export type NtfyConfig = z.infer<typeof configSchema>;

const TAGS: Record<NotificationMessage['kind'], string> = {
  'alert.firing': 'rotating_light',
  'alert.acknowledged': 'eyes',
  'alert.resolved': 'white_check_mark',
  'delivery.dead': 'x',
  digest: 'clipboard',
  report: 'page_facing_up',
  test: 'test_tube',
  'server.failing': 'warning',
  'server.ok': 'white_check_mark',
};

function priority(message: NotificationMessage): string {
  // A test page (critical "test") rings like a real page: that is what it tests.
  const isPageLike =
    message.kind === 'alert.firing' ||
    message.kind === 'delivery.dead' ||
    message.kind === 'server.failing' ||
    (message.kind === 'test' && message.severity === 'critical');
  if (!isPageLike) return '3';
  return message.severity === 'critical' ? '5' : message.severity === 'warning' ? '4' : '3';
}

/** ASCII as is; anything else as an RFC 2047 encoded word. */
export function encodeHeaderValue(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

/** The request for `message`. Pure. */
export function buildNtfyRequest(config: NtfyConfig, message: NotificationMessage) {
  const topic = message.to ?? config.topic;
  if (!topic) throw new ChannelError('no ntfy topic: set the channel topic or the contact point handle', false);
  const actions: string[] = [];
  // Commas and semicolons separate ntfy action fields; our URLs are base64url and contain neither.
  if (message.ackUrl) actions.push(`http, Acknowledge, ${message.ackUrl}, method=POST, clear=true`);
  if (message.viewUrl) actions.push(`view, Open, ${message.viewUrl}`);
  const headers: Record<string, string> = {
    'content-type': 'text/plain; charset=utf-8',
    title: encodeHeaderValue(message.title),
    priority: priority(message),
    tags: TAGS[message.kind],
    'idempotency-key': message.idempotencyKey,
  };
  if (actions.length > 0) headers.actions = actions.join('; ');
  if (message.viewUrl) headers.click = message.viewUrl;
  if (config.accessToken) headers.authorization = `Bearer ${config.accessToken}`;
  return { url: `${config.serverUrl.replace(/\/+$/, '')}/${topic}`, headers, body: message.lines.join('\n') };
}

export const ntfyChannel = defineChannel<NtfyConfig>({
  type: 'ntfy',
  label: 'ntfy (push to phone)',
  audience: 'person',
  configSchema,
  secretFields: ['accessToken'],
  handleSchema: topicSchema,
  buildPayload: (config, message) => buildNtfyRequest(config, message),
  async send(config, message, ctx) {
    const req = buildNtfyRequest(config, message);
    return postHttp(ctx, req.url, req.body, req.headers);
  },
});
