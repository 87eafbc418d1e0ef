/**
 * The HTTP POST the webhook, Slack, Teams and ntfy channels share: injected fetch, a timeout,
 * no redirects (a signed request must not wander), and one classification of failures:
 *
 *   2xx                               → sent
 *   408, 425, 429, 5xx, timeout, refused connection, reset → ChannelError, retryable
 *   3xx and any other 4xx             → ChannelError, not retryable (fix the config)
 */
import { z } from 'zod';
import { ChannelError, type SendContext, type SendOutcome } from './types.js';
import { truncate } from '../../../shared/format.js';

const MAX_DETAIL_CHARS = 300;

/** Retry-After as ms (seconds or an HTTP date), or null. */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : null;
}

/** True for statuses where the same request may succeed later. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

function trim(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return truncate(oneLine, MAX_DETAIL_CHARS + 1);
}

function describeNetworkError(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const cause = e.cause?.code ?? e.cause?.message;
  return `could not reach the receiver: ${cause ?? e.message ?? String(err)}`;
}

/** How a receiver's answer is read beyond its status. */
export interface AnswerReading {
  /** A wait the receiver asked for in its body (Telegram's and Discord's `retry_after`), ms. */
  retryAfterMs?: (body: string) => number | null;
  /** The receiver's own words for a failure (its error JSON), instead of the raw body. */
  describeError?: (body: string) => string | null;
}

/** `JSON.parse` that answers undefined instead of throwing. */
export function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** POSTs `body` to `url`; resolves on 2xx, throws a classified ChannelError otherwise. */
export async function postHttp(
  ctx: SendContext,
  url: string,
  body: string,
  headers: Record<string, string>,
  reading: AnswerReading = {},
): Promise<SendOutcome> {
  let res: Response;
  try {
    res = await ctx.fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(ctx.timeoutMs) });
  } catch (err) {
    throw new ChannelError(describeNetworkError(err, ctx.timeoutMs), true);
  }
  let text = '';
  try {
    text = await res.text();
  } catch {
    // The status decides; a body cut short adds nothing.
  }
  if (res.status >= 200 && res.status < 300) return { httpStatus: res.status, detail: text ? trim(text) : null };
  const said = text ? (reading.describeError?.(text) ?? null) : null;
  const detail = said ? `: ${trim(said)}` : text ? `: ${trim(text)}` : '';
  if (res.status >= 300 && res.status < 400) {
    throw new ChannelError(`HTTP ${res.status} redirect to ${res.headers.get('location') ?? '?'} (not followed; configure the final URL)`, false, res.status);
  }
  const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), ctx.nowMs) ?? (text ? (reading.retryAfterMs?.(text) ?? null) : null);
  throw new ChannelError(`HTTP ${res.status}${detail}`, isRetryableStatus(res.status), res.status, retryAfterMs);
}

/**
 * An http(s) URL in a channel config. No `user:password@`: fetch refuses such URLs, and the
 * password would show in the (unmasked) URL field and in error messages.
 */
export const httpUrlSchema = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).refine((u) => {
  // zod runs this even when the URL check above failed; that one already says what is wrong.
  if (!URL.canParse(u)) return true;
  const url = new URL(u);
  return url.username === '' && url.password === '';
}, "must not contain user:password@ (put credentials in the channel's secret fields, or in the URL path the receiver gives you)");
