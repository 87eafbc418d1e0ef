/**
 * Slack incoming webhook: `{ text, blocks }` — a header, the body, the key facts and buttons to
 * acknowledge and to open the alert. The webhook URL carries Slack's token, so it is a secret.
 * People are mentioned by member id (`<@U012AB3CD>`), or `@here` / `@channel`.
 */
import { z } from 'zod';
import { httpUrlSchema, postHttp } from './http.js';
import { defineChannel, type NotificationMessage } from './types.js';

const configSchema = z.object({ webhookUrl: httpUrlSchema }).strict();
export type SlackConfig = z.infer<typeof configSchema>;

/** Slack mrkdwn needs only these three escaped. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function mention(handle: string): string {
  return handle === '@here' ? '<!here>' : handle === '@channel' ? '<!channel>' : `<@${handle}>`;
}

function buildBody(message: NotificationMessage) {
  const body = message.lines.map(escapeSlack).join('\n');
  const mentions = message.mentions.length > 0 ? `\n${message.mentions.map(mention).join(' ')}` : '';
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: message.title.slice(0, 150), emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: (body + mentions).slice(0, 3000) || ' ' } },
  ];
  if (message.facts.length > 0) {
    blocks.push({
      type: 'section',
      fields: message.facts.slice(0, 10).map((f) => ({ type: 'mrkdwn', text: `*${escapeSlack(f.name)}*\n${escapeSlack(f.value)}` })),
    });
  }
  if (message.details.length > 0) {
    blocks.push({
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: `Details: ${message.details.map((f) => `${escapeSlack(f.name)} \`${escapeSlack(f.value)}\``).join(' · ')}`.slice(0, 3000) },
      ],
    });
  }
  const buttons: unknown[] = [];
  if (message.ackUrl) buttons.push({ type: 'button', text: { type: 'plain_text', text: 'Acknowledge' }, style: 'primary', url: message.ackUrl });
  if (message.viewUrl) buttons.push({ type: 'button', text: { type: 'plain_text', text: 'Open in Quarkpulse' }, url: message.viewUrl });
  if (buttons.length > 0) blocks.push({ type: 'actions', elements: buttons });
  return { text: `${message.title}${mentions}`, blocks };
}

export const slackChannel = defineChannel<SlackConfig>({
  type: 'slack',
  label: 'Slack (incoming webhook)',
  audience: 'shared',
  configSchema,
  secretFields: ['webhookUrl'],
  handleSchema: z
    .string()
    .trim()
    .regex(/^([UW][A-Z0-9]{2,20}|@here|@channel)$/, 'must be a Slack member id such as U012AB3CD, or @here / @channel'),
  buildPayload: (_config, message) => buildBody(message),
  send: (config, message, ctx) =>
    postHttp(ctx, config.webhookUrl, JSON.stringify(buildBody(message)), { 'content-type': 'application/json', 'idempotency-key': message.idempotencyKey }),
});
