/**
 * The one small interface every notification channel implements (one file per channel), the
 * message they all render, and the error they throw. Channels are pure apart from `send`: they
 * never touch the database, and HTTP goes through the injected `fetch`, so tests and the worker
 * decide how the network is reached.
 */
import type { z } from 'zod';
import type { NotificationMessage } from '../../../shared/notification-message.js';

export type { MessageKind, NotificationMessage } from '../../../shared/notification-message.js';

/** What `send` may use besides its config and the message. */
export interface SendContext {
  fetch: typeof fetch;
  /** Now, ms (the injected clock): webhook signatures carry it. */
  nowMs: number;
  /** Give up on the receiver after this long, ms. */
  timeoutMs: number;
}

/** A successful send. */
export interface SendOutcome {
  /** The receiver's HTTP status, or null for non-HTTP channels. */
  httpStatus: number | null;
  /** What the receiver said (SMTP response, trimmed body), for the attempt record. */
  detail: string | null;
}

/**
 * A failed send. `isRetryable` says whether trying again can help: timeouts, refused
 * connections, 429 and 5xx can; a 4xx (bad URL, revoked webhook, rejected address) cannot.
 */
export class ChannelError extends Error {
  constructor(
    message: string,
    readonly isRetryable: boolean,
    readonly httpStatus: number | null = null,
    /** The receiver asked to wait this long (Retry-After), ms. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = 'ChannelError';
  }
}

/**
 * A notification channel type. `person` channels address one person each (email, ntfy: a
 * message per recipient); `shared` channels post into one room (Slack, Teams, webhook: one
 * message mentioning everyone paged).
 */
export interface Channel<C> {
  readonly type: string;
  /** Human name, e.g. "Microsoft Teams". */
  readonly label: string;
  readonly audience: 'person' | 'shared';
  readonly configSchema: z.ZodType<C>;
  /** Dotted paths of config fields that are secrets: stored, never answered in full. */
  readonly secretFields: readonly string[];
  /** A contact point's handle on this channel (email address, topic, member id). */
  readonly handleSchema: z.ZodType<string>;
  /** The request this channel would send for `message`. Pure, for tests to snapshot. */
  buildPayload(config: C, message: NotificationMessage): unknown;
  /** Sends `message`; throws ChannelError when it did not arrive. */
  send(config: C, message: NotificationMessage, ctx: SendContext): Promise<SendOutcome>;
}

/** A channel of any config type, as the registry holds it (its methods are bivariant in C, so any Channel<C> fits). */
export type AnyChannel = Channel<unknown>;

/** Declares a channel with its config type inferred from the schema. */
export function defineChannel<C>(channel: Channel<C>): Channel<C> {
  return channel;
}
