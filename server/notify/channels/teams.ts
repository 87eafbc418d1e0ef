/**
 * Microsoft Teams through a Workflows ("When a Teams webhook request is received") webhook: a
 * message with one Adaptive Card (1.4) — title coloured by severity, body, facts, and buttons to
 * acknowledge and to open the alert. The workflow URL carries its signature, so it is a secret.
 * Teams answers 202 Accepted. Handles are names shown as "Paged: …" (Teams @-mentions need
 * Entra ids; plain names keep the setup simple).
 */
import { z } from 'zod';
import { httpUrlSchema, postHttp } from './http.js';
import { defineChannel, type NotificationMessage } from './types.js';

const configSchema = z.object({ webhookUrl: httpUrlSchema }).strict();
export type TeamsConfig = z.infer<typeof configSchema>;

const COLOR: Record<string, string> = { critical: 'attention', warning: 'warning', info: 'default' };

function buildBody(message: NotificationMessage) {
  const isGood = message.kind === 'alert.resolved' || message.kind === 'server.ok';
  const body: unknown[] = [
    { type: 'TextBlock', text: message.title, weight: 'Bolder', size: 'Medium', wrap: true, color: isGood ? 'good' : (COLOR[message.severity] ?? 'default') },
    { type: 'TextBlock', text: message.lines.join('\n\n'), wrap: true },
  ];
  if (message.facts.length > 0) body.push({ type: 'FactSet', facts: message.facts.map((f) => ({ title: f.name, value: f.value })) });
  if (message.details.length > 0) {
    body.push({
      type: 'TextBlock',
      text: `Details: ${message.details.map((f) => `${f.name} ${f.value}`).join(' · ')}`,
      wrap: true,
      isSubtle: true,
      size: 'Small',
    });
  }
  if (message.mentions.length > 0) body.push({ type: 'TextBlock', text: `Paged: ${message.mentions.join(', ')}`, wrap: true, isSubtle: true });
  const actions: unknown[] = [];
  if (message.ackUrl) actions.push({ type: 'Action.OpenUrl', title: 'Acknowledge', url: message.ackUrl });
  if (message.viewUrl) actions.push({ type: 'Action.OpenUrl', title: 'Open in Quarkpulse', url: message.viewUrl });
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body,
          ...(actions.length > 0 ? { actions } : {}),
        },
      },
    ],
  };
}

export const teamsChannel = defineChannel<TeamsConfig>({
  type: 'teams',
  label: 'Microsoft Teams (workflow webhook)',
  audience: 'shared',
  configSchema,
  secretFields: ['webhookUrl'],
  handleSchema: z.string().trim().min(1).max(100),
  buildPayload: (_config, message) => buildBody(message),
  send: (config, message, ctx) =>
    postHttp(ctx, config.webhookUrl, JSON.stringify(buildBody(message)), { 'content-type': 'application/json', 'idempotency-key': message.idempotencyKey }),
});
