/**
 * Pushover: POST `<apiBaseUrl>/1/messages.json`, form-encoded `token`, `user`, `title`,
 * `message`, `priority`, `url`, `url_title`, `timestamp` — https://pushover.net/api. Limits: title
 * 250 characters, message 1,024, URL 512. A critical page goes out at priority 1 (high: sound
 * through quiet hours), or 2 (emergency: repeated every `retry` seconds until acknowledged in
 * the app, for `expire` seconds) when the channel says so; other pages 0, follow-ups -1 (quiet).
 * Each person's contact point is their user (or group) key; the application token is a secret.
 * Errors answer 4xx `{ status: 0, errors: [...] }`.
 */
import { z } from 'zod';
import { httpUrlSchema, parseJsonOrUndefined, postHttp } from './http.js';
import { ChannelError, defineChannel, type NotificationMessage } from './types.js';
import { truncate } from '../../../shared/format.js';

const keySchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9]{30}$/, 'must be a Pushover key: 30 letters and digits');

const configSchema = z
  .object({
    /** The application's API token. */
    appToken: keySchema,
    /** User or group key for recipients whose contact point names none. */
    userKey: keySchema.optional(),
    /** Priority of critical pages: 1 (high) or 2 (emergency, repeats until acknowledged in the app). */
    criticalPriority: z.union([z.literal(1), z.literal(2)]).default(1),
    /** For a compatible gateway; default Pushover's. */
    apiBaseUrl: httpUrlSchema.default('https://api.pushover.net'),
  })
  .strict();
export type PushoverConfig = z.infer<typeof configSchema>;

function priorityOf(config: PushoverConfig, message: NotificationMessage): number {
  const isPage =
    message.kind === 'alert.firing' ||
    message.kind === 'delivery.dead' ||
    message.kind === 'server.failing' ||
    (message.kind === 'test' && message.severity === 'critical');
  if (!isPage) return -1;
  return message.severity === 'critical' ? config.criticalPriority : message.severity === 'warning' ? 0 : -1;
}

/** The form fields for `message`, in the order the API documents them. Pure. */
export function buildPushoverForm(config: PushoverConfig, message: NotificationMessage): Record<string, string> {
  const user = message.to ?? config.userKey;
  if (!user) throw new ChannelError('no Pushover user key: set the channel user key or the contact point handle', false);
  const priority = priorityOf(config, message);
  const lines = [...message.lines];
  if (message.ackUrl) lines.push(`Acknowledge: ${message.ackUrl}`);
  const form: Record<string, string> = {
    token: config.appToken,
    user,
    title: truncate(message.title, 250),
    message: truncate(lines.join('\n'), 1024),
    priority: String(priority),
    timestamp: String(Math.floor(message.atMs / 1000)),
  };
  // Emergency: Pushover repeats it every minute for an hour until it is acknowledged in the app.
  if (priority === 2) Object.assign(form, { retry: '60', expire: '3600' });
  const url = message.ackUrl ?? message.viewUrl;
  if (url && url.length <= 512) Object.assign(form, { url, url_title: message.ackUrl ? 'Acknowledge' : 'Open in Quarkpulse' });
  return form;
}

export const pushoverChannel = defineChannel<PushoverConfig>({
  type: 'pushover',
  label: 'Pushover (push to phone)',
  audience: 'person',
  configSchema,
  secretFields: ['appToken'],
  handleSchema: keySchema,
  buildPayload: (config, message) => buildPushoverForm(config, message),
  send: (config, message, ctx) =>
    postHttp(
      ctx,
      `${config.apiBaseUrl.replace(/\/+$/, '')}/1/messages.json`,
      new URLSearchParams(buildPushoverForm(config, message)).toString(),
      { 'content-type': 'application/x-www-form-urlencoded' },
      {
        describeError: (text) => {
          const errors = (parseJsonOrUndefined(text) as { errors?: unknown } | undefined)?.errors;
          return Array.isArray(errors) ? errors.map(String).join('; ') : null;
        },
      },
    ),
});
