/**
 * SMS through Twilio's Messages API: POST
 * `<apiBaseUrl>/2010-04-01/Accounts/<AccountSid>/Messages.json`, HTTP Basic auth with the
 * Account SID and auth token, form-encoded `To`, `From` (or `MessagingServiceSid`) and `Body` —
 * https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource.
 * Success is 201; errors answer `{ code, message, more_info, status }`. Each person's contact
 * point is their phone number; the auth token is a secret.
 */
import { z } from 'zod';
import { httpUrlSchema, parseJsonOrUndefined, postHttp } from './http.js';
import { e164Schema, smsText } from './sms-text.js';
import { ChannelError, defineChannel, type NotificationMessage } from './types.js';

const configSchema = z
  .object({
    accountSid: z
      .string()
      .trim()
      .regex(/^AC[0-9a-f]{32}$/, 'must be a Twilio Account SID: AC and 32 hexadecimal digits'),
    authToken: z
      .string()
      .trim()
      .regex(/^[0-9a-f]{32}$/, 'must be a Twilio auth token: 32 hexadecimal digits'),
    /** Sender: a Twilio number (E.164), an alphanumeric sender id, or a Messaging Service SID (MG…). */
    from: z
      .string()
      .trim()
      .regex(
        /^(\+[1-9]\d{6,14}|MG[0-9a-f]{32}|[A-Za-z0-9 ]{1,11})$/,
        'must be a Twilio number (+31…), an alphanumeric sender (≤ 11) or a Messaging Service SID (MG…)',
      ),
    /** Number for recipients whose contact point names none. */
    to: e164Schema.optional(),
    /** For a compatible gateway; default Twilio's. */
    apiBaseUrl: httpUrlSchema.default('https://api.twilio.com'),
  })
  .strict();
export type TwilioConfig = z.infer<typeof configSchema>;

/** The request for `message`. Pure. */
export function buildTwilioRequest(config: TwilioConfig, message: NotificationMessage) {
  const to = message.to ?? config.to;
  if (!to) throw new ChannelError('no phone number: set the channel number or the contact point handle', false);
  const form: Record<string, string> = { To: to, Body: smsText(message) };
  if (config.from.startsWith('MG')) form.MessagingServiceSid = config.from;
  else form.From = config.from;
  return {
    url: `${config.apiBaseUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${config.accountSid}/Messages.json`,
    headers: {
      authorization: `Basic ${Buffer.from(`${config.accountSid}:${config.authToken}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
      // Twilio de-duplicates requests with the same key for 24 h.
      'i-twilio-idempotency-token': message.idempotencyKey,
    },
    form,
  };
}

export const twilioChannel = defineChannel<TwilioConfig>({
  type: 'twilio',
  label: 'SMS (Twilio)',
  audience: 'person',
  configSchema,
  secretFields: ['authToken'],
  handleSchema: e164Schema,
  buildPayload: (config, message) => {
    const req = buildTwilioRequest(config, message);
    return { url: req.url, form: req.form };
  },
  async send(config, message, ctx) {
    const req = buildTwilioRequest(config, message);
    return postHttp(ctx, req.url, new URLSearchParams(req.form).toString(), req.headers, {
      describeError: (text) => {
        const e = parseJsonOrUndefined(text) as { code?: number; message?: string } | undefined;
        return e?.message ? `${e.message}${e.code ? ` (Twilio error ${e.code})` : ''}` : null;
      },
    });
  },
});
