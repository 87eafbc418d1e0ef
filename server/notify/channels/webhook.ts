/**
 * Generic webhook: the message as JSON, POSTed and signed so the receiver can check it came from
 * us and is fresh.
 *
 *   X-Quarkpulse-Timestamp: <unix seconds>
 *   X-Quarkpulse-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>
 *   Idempotency-Key:        <unique per message; the same on every retry>
 *
 * A receiver recomputes the HMAC over the raw body, compares in constant time, and refuses
 * timestamps older than a few minutes (replays). Delivery is at least once: dedupe on
 * Idempotency-Key.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { httpUrlSchema, postHttp } from './http.js';
import { defineChannel, type NotificationMessage } from './types.js';

export const SIGNATURE_HEADER = 'x-quarkpulse-signature';
export const TIMESTAMP_HEADER = 'x-quarkpulse-timestamp';
export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** How old a signed timestamp a receiver should still accept, ms. */
export const SIGNATURE_TOLERANCE_MS = 5 * 60_000;

const configSchema = z
  .object({
    url: httpUrlSchema,
    /** Shared HMAC key; give the receiver the same one. */
    secret: z.string({ error: 'secret is required: the HMAC key the receiver verifies with' }).min(16, 'secret must be at least 16 characters'),
  })
  .strict();
export type WebhookConfig = z.infer<typeof configSchema>;

/** The JSON body of a webhook message (version 1). */
export interface WebhookBody {
  version: 1;
  event: NotificationMessage['kind'];
  idempotencyKey: string;
  atMs: number;
  severity: NotificationMessage['severity'];
  title: string;
  text: string;
  level: number | null;
  mentions: string[];
  ackUrl: string | null;
  viewUrl: string | null;
  facts: NotificationMessage['facts'];
  details: NotificationMessage['details'];
  alert: NotificationMessage['alert'];
  /** Set on pages and follow-ups about a group of alerts (one outage), else null. */
  group: NonNullable<NotificationMessage['group']> | null;
}

/** `sha256=<hex>` over "<timestamp>.<body>". */
export function signWebhook(secret: string, timestampS: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestampS}.${body}`).digest('hex')}`;
}

/** What a receiver checks; returns null when valid, else why not. */
export function verifyWebhookSignature(input: {
  secret: string;
  body: string;
  timestamp: string | undefined;
  signature: string | undefined;
  nowMs: number;
  toleranceMs?: number;
}): string | null {
  if (!input.timestamp || !/^\d+$/.test(input.timestamp)) return 'missing or malformed timestamp';
  if (!input.signature) return 'missing signature';
  const ts = Number(input.timestamp);
  if (Math.abs(input.nowMs - ts * 1000) > (input.toleranceMs ?? SIGNATURE_TOLERANCE_MS)) return 'timestamp outside the tolerance (replay?)';
  const expected = Buffer.from(signWebhook(input.secret, ts, input.body));
  const given = Buffer.from(input.signature);
  return expected.length === given.length && timingSafeEqual(expected, given) ? null : 'signature mismatch';
}

function buildBody(message: NotificationMessage): WebhookBody {
  return {
    version: 1,
    event: message.kind,
    idempotencyKey: message.idempotencyKey,
    atMs: message.atMs,
    severity: message.severity,
    title: message.title,
    text: message.lines.join('\n'),
    level: message.level,
    mentions: message.mentions,
    ackUrl: message.ackUrl,
    viewUrl: message.viewUrl,
    facts: message.facts,
    details: message.details,
    alert: message.alert,
    group: message.group ?? null,
  };
}

/** The full request, signed at `nowMs`. Pure. */
export function buildWebhookRequest(config: WebhookConfig, message: NotificationMessage, nowMs: number) {
  const body = JSON.stringify(buildBody(message));
  const timestampS = Math.floor(nowMs / 1000);
  return {
    url: config.url,
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Quarkpulse-Monitor',
      [TIMESTAMP_HEADER]: String(timestampS),
      [SIGNATURE_HEADER]: signWebhook(config.secret, timestampS, body),
      [IDEMPOTENCY_HEADER]: message.idempotencyKey,
      'x-quarkpulse-event': message.kind,
    },
  };
}

export const webhookChannel = defineChannel<WebhookConfig>({
  type: 'webhook',
  label: 'Webhook (signed JSON)',
  audience: 'shared',
  configSchema,
  secretFields: ['secret'],
  handleSchema: z.string().trim().min(1).max(200),
  buildPayload: (_config, message) => buildBody(message),
  async send(config, message, ctx) {
    const req = buildWebhookRequest(config, message, ctx.nowMs);
    return postHttp(ctx, req.url, req.body, req.headers);
  },
});
