/**
 * Discord (channel webhook): POST the webhook URL with `?wait=true` and JSON `{ content, embeds,
 * allowed_mentions }` — https://discord.com/developers/docs/resources/webhook#execute-webhook.
 * One embed: title (256), description (4,096), colour by severity, up to 25 fields (name 256,
 * value 1,024), `url` to the dashboard, timestamp. Channel webhooks cannot carry buttons, so
 * Acknowledge and Open are links in the description. People are mentioned by user id
 * (`<@123…>`), and `allowed_mentions` lets exactly those ping. The webhook URL carries Discord's
 * token: it is a secret. Rate limits answer 429 with `retry_after` (seconds) in the body.
 */
import { z } from 'zod';
import { httpUrlSchema, parseJsonOrUndefined, postHttp } from './http.js';
import { defineChannel, type NotificationMessage } from './types.js';
import { truncate } from '../../../shared/format.js';

const configSchema = z.object({ webhookUrl: httpUrlSchema }).strict();
export type DiscordConfig = z.infer<typeof configSchema>;

const COLOURS = { critical: 0xd92d20, warning: 0xf79009, info: 0x2e90fa } as const;
const GREEN = 0x12b76a;

/** Discord markdown: escape what would format. */
export function escapeDiscord(text: string): string {
  return text.replace(/([\\*_~`|>[\]()#-])/g, '\\$1').replace(/@(everyone|here)/g, '@\u200b$1');
}

/** The body for `message`. Pure. */
export function buildDiscordBody(message: NotificationMessage) {
  const links: string[] = [];
  if (message.ackUrl) links.push(`[Acknowledge](${message.ackUrl})`);
  if (message.viewUrl) links.push(`[Open in Quarkpulse](${message.viewUrl})`);
  const description = [...message.lines.map(escapeDiscord), ...(links.length > 0 ? ['', links.join(' · ')] : [])].join('\n');
  const users = message.mentions.filter((m) => /^\d{5,25}$/.test(m));
  const embed: Record<string, unknown> = {
    title: truncate(message.title, 256),
    description: truncate(description, 4096),
    color: message.kind === 'alert.resolved' || message.kind === 'server.ok' ? GREEN : COLOURS[message.severity],
    fields: message.facts.slice(0, 25).map((f) => ({ name: truncate(f.name, 256), value: truncate(f.value, 1024) || '-', inline: true })),
    timestamp: new Date(message.atMs).toISOString(),
  };
  if (message.viewUrl) embed.url = message.viewUrl;
  if (message.details.length > 0) embed.footer = { text: truncate(message.details.map((d) => `${d.name} ${d.value}`).join(' · '), 2048) };
  return {
    content: truncate(users.length > 0 ? `${users.map((u) => `<@${u}>`).join(' ')} ${message.title}` : message.title, 2000),
    embeds: [embed],
    allowed_mentions: { parse: [] as string[], users },
  };
}

/** The URL with `wait=true` (Discord then answers the message, 200, instead of 204). */
function withWait(url: string): string {
  const u = new URL(url);
  u.searchParams.set('wait', 'true');
  return u.href;
}

export const discordChannel = defineChannel<DiscordConfig>({
  type: 'discord',
  label: 'Discord (channel webhook)',
  audience: 'shared',
  configSchema,
  secretFields: ['webhookUrl'],
  handleSchema: z
    .string()
    .trim()
    .regex(/^\d{5,25}$/, 'must be a Discord user id (a number: Developer Mode → Copy User ID)'),
  buildPayload: (_config, message) => buildDiscordBody(message),
  send: (config, message, ctx) =>
    postHttp(
      ctx,
      withWait(config.webhookUrl),
      JSON.stringify(buildDiscordBody(message)),
      { 'content-type': 'application/json' },
      {
        retryAfterMs: (text) => {
          const s = (parseJsonOrUndefined(text) as { retry_after?: number } | undefined)?.retry_after;
          return typeof s === 'number' ? Math.ceil(s * 1000) : null;
        },
        describeError: (text) => (parseJsonOrUndefined(text) as { message?: string } | undefined)?.message ?? null,
      },
    ),
});
