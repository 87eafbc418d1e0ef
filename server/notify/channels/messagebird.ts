/**
 * SMS through MessageBird (Bird) REST API: POST `<apiBaseUrl>/messages` with
 * `Authorization: AccessKey <key>` and JSON `{ originator, recipients, body, reference }` —
 * https://developers.messagebird.com/api/sms-messaging/#send-outbound-sms. Recipients are
 * MSISDNs without the + (31612345678). Success is 201; errors answer `{ errors: [{ code,
 * description, parameter }] }`. Each person's contact point is their phone number; the access
 * key is a secret.
 */
import { z } from 'zod';
import { httpUrlSchema, parseJsonOrUndefined, postHttp } from './http.js';
import { e164Schema, smsText } from './sms-text.js';
import { ChannelError, defineChannel, type NotificationMessage } from './types.js';

const configSchema = z
  .object({
    accessKey: z
      .string()
      .trim()
      .regex(/^(test_|live_)?[A-Za-z0-9]{20,40}$/, 'must be a MessageBird access key (live or test_…): 20–40 letters and digits'),
    /** Sender: a phone number (E.164) or an alphanumeric name of at most 11 characters. */
    originator: z
      .string()
      .trim()
      .regex(/^(\+?[1-9]\d{6,14}|[A-Za-z0-9 ]{1,11})$/, 'must be a phone number or an alphanumeric sender of at most 11 characters'),
    /** Number for recipients whose contact point names none. */
    to: e164Schema.optional(),
    /** For a compatible gateway; default MessageBird's. */
    apiBaseUrl: httpUrlSchema.default('https://rest.messagebird.com'),
  })
  .strict();
export type MessageBirdConfig = z.infer<typeof configSchema>;

/** The request body for `message`. Pure. */
export function buildMessageBirdBody(config: MessageBirdConfig, message: NotificationMessage) {
  const to = message.to ?? config.to;
  if (!to) throw new ChannelError('no phone number: set the channel number or the contact point handle', false);
  return {
    originator: config.originator.replace(/^\+/, ''),
    recipients: [to.replace(/^\+/, '')],
    body: smsText(message),
    // MessageBird's client reference: the delivery's idempotency key, to match reports.
    reference: message.idempotencyKey.slice(0, 100),
  };
}

export const messageBirdChannel = defineChannel<MessageBirdConfig>({
  type: 'messagebird',
  label: 'SMS (MessageBird)',
  audience: 'person',
  configSchema,
  secretFields: ['accessKey'],
  handleSchema: e164Schema,
  buildPayload: buildMessageBirdBody,
  send: (config, message, ctx) =>
    postHttp(
      ctx,
      `${config.apiBaseUrl.replace(/\/+$/, '')}/messages`,
      JSON.stringify(buildMessageBirdBody(config, message)),
      { authorization: `AccessKey ${config.accessKey}`, 'content-type': 'application/json', accept: 'application/json' },
      {
        describeError: (text) => {
          const errors = (parseJsonOrUndefined(text) as { errors?: { description?: string; parameter?: string }[] } | undefined)?.errors;
          return Array.isArray(errors) ? errors.map((e) => `${e.description ?? '?'}${e.parameter ? ` (${e.parameter})` : ''}`).join('; ') : null;
        },
      },
    ),
});
