/**
 * Email through an SMTP relay (nodemailer). The channel is the relay; each recipient is an
 * address (the contact point's handle, or the user's email).
 *
 * TLS: `secure: true` is TLS from the first byte (port 465). Otherwise `tls` decides STARTTLS:
 * 'required' (default: refuse to send in clear), 'opportunistic' (use it when offered), or
 * 'none' (never; for a relay on localhost or a trusted LAN only). Certificates are always
 * verified — there is no switch to turn that off.
 *
 * Every message carries a Message-ID derived from its idempotency key (a resend has the same
 * one, so mail systems can drop the duplicate) and a References header per alert, so firing,
 * acknowledged and resolved mails thread together.
 */
import { createHash } from 'node:crypto';
import { createTransport } from 'nodemailer';
import { z } from 'zod';
import { ChannelError, defineChannel, type NotificationMessage } from './types.js';

const addressSchema = z.email({ error: 'must be an email address' });

const configSchema = z
  .object({
    host: z.string({ error: 'SMTP host is required' }).trim().min(1, 'SMTP host is required').max(255),
    port: z.number({ error: 'port must be a number 1–65535' }).int().min(1, 'port must be 1–65535').max(65535, 'port must be 1–65535').optional(),
    secure: z.boolean().default(false),
    tls: z.enum(['required', 'opportunistic', 'none'], { error: 'tls must be "required", "opportunistic" or "none"' }).default('required'),
    auth: z
      .object({ user: z.string().min(1).max(500), pass: z.string().min(1).max(500) })
      .strict()
      .optional(),
    /** Sender, "Quarkpulse <alerts@example.com>" or a bare address. */
    from: z
      .string({ error: 'from is required, e.g. "Quarkpulse <alerts@example.com>"' })
      .trim()
      .regex(
        /^(?:[^<>@]*<[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+)$/,
        'from must be an address such as "Quarkpulse <alerts@example.com>"',
      ),
  })
  .strict()
  .refine((c) => !(c.secure && c.tls === 'none'), { path: ['tls'], message: 'tls "none" contradicts secure: true' });
export type EmailConfig = z.infer<typeof configSchema>;

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function messageId(key: string): string {
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 32)}@quarkpulse.invalid>`;
}

function buildHtml(message: NotificationMessage): string {
  const facts = message.facts.map((f) => `<tr><th align="left">${escapeHtml(f.name)}</th><td>${escapeHtml(f.value)}</td></tr>`).join('');
  const details = message.details.map((f) => `${escapeHtml(f.name)} ${escapeHtml(f.value)}`).join(' · ');
  const buttons = [
    message.ackUrl
      ? `<a href="${escapeHtml(message.ackUrl)}" style="padding:8px 14px;background:#b42318;color:#fff;text-decoration:none;border-radius:4px">Acknowledge</a>`
      : '',
    message.viewUrl ? `<a href="${escapeHtml(message.viewUrl)}">Open in Quarkpulse</a>` : '',
  ].filter(Boolean);
  return [
    `<h2>${escapeHtml(message.title)}</h2>`,
    ...message.lines.map((l) => `<p>${escapeHtml(l)}</p>`),
    facts ? `<table cellpadding="4">${facts}</table>` : '',
    details ? `<p style="color:#667085;font-size:12px">Details: ${details}</p>` : '',
    buttons.length > 0 ? `<p>${buttons.join(' &nbsp; ')}</p>` : '',
  ].join('\n');
}

/** The nodemailer message for `message`. Pure. */
export function buildEmail(config: EmailConfig, message: NotificationMessage) {
  if (!message.to) throw new ChannelError('no email address for this recipient', false);
  const text = [...message.lines, '', ...message.facts.map((f) => `${f.name}: ${f.value}`)];
  if (message.ackUrl) text.push('', `Acknowledge: ${message.ackUrl}`);
  if (message.viewUrl) text.push(`Open: ${message.viewUrl}`);
  if (message.details.length > 0) text.push('', 'Details', ...message.details.map((f) => `${f.name}: ${f.value}`));
  return {
    from: config.from,
    to: message.to,
    subject: message.title,
    text: text.join('\n'),
    html: buildHtml(message),
    messageId: messageId(message.idempotencyKey),
    ...(message.alert ? { references: `<alert-${message.alert.alertId}@quarkpulse.invalid>` } : {}),
    priority:
      (message.kind === 'alert.firing' || message.kind === 'server.failing') && message.severity === 'critical' ? ('high' as const) : ('normal' as const),
    headers: { 'X-Quarkpulse-Idempotency-Key': message.idempotencyKey, 'X-Quarkpulse-Event': message.kind },
    ...(message.attachments?.length
      ? { attachments: message.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: Buffer.from(a.contentBase64, 'base64') })) }
      : {}),
  };
}

const RETRYABLE_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'EPROTOCOL', 'ECONNREFUSED', 'ECONNRESET']);

/** SMTP 4xx and network trouble can pass; 5xx, bad credentials and TLS refusals will not. */
export function classifySmtpError(err: unknown): ChannelError {
  const e = err as { code?: string; responseCode?: number; response?: string; message?: string };
  const what = e.response ?? e.message ?? String(err);
  if (typeof e.responseCode === 'number') {
    return new ChannelError(`SMTP ${e.responseCode}: ${what}`, e.responseCode < 500);
  }
  const isRetryable = e.code === undefined || RETRYABLE_CODES.has(e.code);
  return new ChannelError(`${e.code ? `${e.code}: ` : ''}${what}`, isRetryable);
}

export const emailChannel = defineChannel<EmailConfig>({
  type: 'email',
  label: 'Email (SMTP)',
  audience: 'person',
  configSchema,
  secretFields: ['auth.pass'],
  handleSchema: addressSchema,
  buildPayload: buildEmail,
  async send(config, message, ctx) {
    const mail = buildEmail(config, message);
    const transport = createTransport({
      host: config.host,
      port: config.port ?? (config.secure ? 465 : 587),
      secure: config.secure,
      requireTLS: !config.secure && config.tls === 'required',
      ignoreTLS: !config.secure && config.tls === 'none',
      ...(config.auth ? { auth: { user: config.auth.user, pass: config.auth.pass } } : {}),
      connectionTimeout: ctx.timeoutMs,
      greetingTimeout: ctx.timeoutMs,
      socketTimeout: ctx.timeoutMs,
      disableFileAccess: true,
      disableUrlAccess: true,
    });
    try {
      const info = await transport.sendMail(mail);
      return { httpStatus: null, detail: typeof info.response === 'string' ? info.response : null };
    } catch (err) {
      throw classifySmtpError(err);
    } finally {
      transport.close();
    }
  },
});
