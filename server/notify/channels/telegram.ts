/**
 * Telegram (Bot API): POST `<apiBaseUrl>/bot<token>/sendMessage` with JSON
 * `{ chat_id, text, parse_mode: "HTML", link_preview_options, reply_markup }` —
 * https://core.telegram.org/bots/api#sendmessage. The text is Telegram's HTML subset (only
 * `<`, `>` and `&` escaped), at most 4,096 characters. Acknowledge and Open are inline URL
 * buttons when the links are https (Telegram refuses buttons to other URLs; the links are then in
 * the text). Each person's contact point is their chat id (a number, negative for groups) or a
 * channel's @username; the bot token is a secret. Errors answer `{ ok: false, error_code,
 * description, parameters: { retry_after } }`.
 */
import { z } from 'zod';
import { httpUrlSchema, parseJsonOrUndefined, postHttp } from './http.js';
import { ChannelError, defineChannel, type NotificationMessage } from './types.js';
import { truncate } from '../../../shared/format.js';

const chatIdSchema = z
  .string()
  .trim()
  .regex(/^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31})$/, 'must be a Telegram chat id (a number, negative for groups) or a channel @username');

const configSchema = z
  .object({
    /** From @BotFather, "123456789:AA…". */
    botToken: z
      .string()
      .trim()
      .regex(/^\d{3,20}:[A-Za-z0-9_-]{30,100}$/, 'must be a bot token from @BotFather, such as 123456789:AAH…'),
    /** Chat for recipients whose contact point names none (a group of the on-call team). */
    chatId: chatIdSchema.optional(),
    /** For a self-hosted Bot API server; default Telegram's. */
    apiBaseUrl: httpUrlSchema.default('https://api.telegram.org'),
  })
  .strict();
export type TelegramConfig = z.infer<typeof configSchema>;

const MAX_TEXT = 4096;

/** Telegram HTML needs only these three escaped. */
export function escapeTelegramHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const isHttps = (url: string | null): url is string => url !== null && url.startsWith('https://');

/** The request for `message`. Pure. */
export function buildTelegramRequest(config: TelegramConfig, message: NotificationMessage) {
  const chatId = message.to ?? config.chatId;
  if (!chatId) throw new ChannelError('no Telegram chat: set the channel chat id or the contact point handle', false);
  const parts = [`<b>${escapeTelegramHtml(message.title)}</b>`, ...message.lines.map(escapeTelegramHtml)];
  if (message.facts.length > 0) parts.push('', ...message.facts.map((f) => `<b>${escapeTelegramHtml(f.name)}:</b> ${escapeTelegramHtml(f.value)}`));
  const buttons: { text: string; url: string }[] = [];
  for (const [text, url] of [
    ['Acknowledge', message.ackUrl],
    ['Open in Quarkpulse', message.viewUrl],
  ] as const) {
    if (isHttps(url)) buttons.push({ text, url });
    else if (url) parts.push(`${text}: ${escapeTelegramHtml(url)}`);
  }
  const text = truncate(parts.join('\n'), MAX_TEXT);
  const body: Record<string, unknown> = {
    chat_id: /^-?\d+$/.test(chatId) ? Number(chatId) : chatId,
    text,
    parse_mode: 'HTML',
    link_preview_options: { is_disabled: true },
  };
  if (buttons.length > 0) body.reply_markup = { inline_keyboard: [buttons] };
  return { url: `${config.apiBaseUrl.replace(/\/+$/, '')}/bot${config.botToken}/sendMessage`, body };
}

interface TelegramError {
  description?: string;
  parameters?: { retry_after?: number };
}

export const telegramChannel = defineChannel<TelegramConfig>({
  type: 'telegram',
  label: 'Telegram (bot)',
  audience: 'person',
  configSchema,
  secretFields: ['botToken'],
  handleSchema: chatIdSchema,
  buildPayload: (config, message) => buildTelegramRequest(config, message),
  async send(config, message, ctx) {
    const req = buildTelegramRequest(config, message);
    return postHttp(
      ctx,
      req.url,
      JSON.stringify(req.body),
      { 'content-type': 'application/json' },
      {
        retryAfterMs: (text) => {
          const s = (parseJsonOrUndefined(text) as TelegramError | undefined)?.parameters?.retry_after;
          return typeof s === 'number' ? s * 1000 : null;
        },
        describeError: (text) => (parseJsonOrUndefined(text) as TelegramError | undefined)?.description ?? null,
      },
    );
  },
});
