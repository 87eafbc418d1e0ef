/**
 * The asynchronous half: claims due deliveries (the oldest per destination), sends them through
 * their channel, and records every attempt.
 *
 *   sent                                 → 'sent'
 *   retryable failure, budget left       → 'pending' again after exponential backoff with full
 *                                          jitter (at least Retry-After when the receiver says so)
 *   not retryable (4xx, bad credentials) → 'dead' at once
 *   attempts or age exhausted            → 'dead'
 *   dead                                 → onDead (the dispatcher tells the admins)
 *
 * Delivery is at least once: if the process dies between the receiver's answer and the record,
 * the row is still 'sending' at the next start and is sent again (with the same idempotency
 * key, which receivers can dedupe on).
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { ChannelStore } from '../store/channels.js';
import type { ClaimedDelivery, DeliveryStore } from '../store/deliveries.js';
import type { ChannelRegistry } from './channels/registry.js';
import { ChannelError } from './channels/types.js';
import { fullJitterDelayMs } from '../../shared/backoff.js';

/** How hard the worker tries. */
export interface RetryPolicy {
  /** First retry waits up to this long, ms; each further one doubles the ceiling. */
  baseDelayMs: number;
  /** Ceiling of one wait, ms. */
  maxDelayMs: number;
  /** Shortest wait, ms (full jitter may draw 0). */
  minDelayMs: number;
  /** Give up after this many attempts… */
  maxAttempts: number;
  /** …or when the message is this old, ms. */
  maxAgeMs: number;
  /** Wait for a receiver this long per attempt, ms. */
  timeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseDelayMs: 5_000,
  maxDelayMs: 5 * 60_000,
  minDelayMs: 1_000,
  maxAttempts: 20,
  maxAgeMs: 24 * 3_600_000,
  timeoutMs: 10_000,
};

/** Full jitter (shared/backoff.ts) over 1-based attempts: uniform in [0, min(max, base × 2^(attempt−1))], at least minDelayMs. */
export function backoffDelayMs(attempt: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs' | 'minDelayMs'>, random: () => number): number {
  return Math.max(policy.minDelayMs, fullJitterDelayMs(attempt - 1, policy.baseDelayMs, policy.maxDelayMs, random));
}

/** What the worker is built from. */
export interface WorkerDeps {
  deliveries: DeliveryStore;
  channels: ChannelStore;
  registry: ChannelRegistry;
  fetch: typeof fetch;
  now: () => number;
  random: () => number;
  logger: Logger;
  retry: RetryPolicy;
  /** Called after a delivery went dead (outside the worker's own transaction). */
  onDead: (d: ClaimedDelivery, error: string, nowMs: number) => void;
  /** Deliveries in flight at once (default 16); one per destination at most. */
  maxInFlight?: number;
}

/** Builds the worker. */
export function createWorker(deps: WorkerDeps) {
  const { deliveries, channels, registry, logger, retry } = deps;
  const stats = { sent: 0, retried: 0, dead: 0 };

  async function attempt(d: ClaimedDelivery): Promise<{ httpStatus: number | null; detail: string | null }> {
    const channel = d.channelId ? channels.findById(d.channelId) : undefined;
    if (!channel) throw new ChannelError('the channel was deleted', false);
    if (!channel.isEnabled) throw new ChannelError('the channel is disabled', false);
    const impl = registry.get(channel.type);
    if (!impl) throw new ChannelError(`unknown channel type "${channel.type}"`, false);
    const config = impl.configSchema.safeParse(channel.config);
    if (!config.success) throw new ChannelError(`the stored channel config is invalid: ${config.error.issues[0]?.message ?? 'unknown'}`, false);
    return impl.send(config.data, d.message, { fetch: deps.fetch, nowMs: deps.now(), timeoutMs: retry.timeoutMs });
  }

  async function sendOne(d: ClaimedDelivery): Promise<void> {
    const atMs = deps.now();
    const t0 = performance.now();
    try {
      const res = await attempt(d);
      deliveries.finish(
        d.id,
        { atMs, durationMs: Math.round(performance.now() - t0), httpStatus: res.httpStatus, error: null },
        { type: 'sent', nowMs: deps.now() },
      );
      stats.sent++;
      return;
    } catch (err) {
      const e = err instanceof ChannelError ? err : new ChannelError(`unexpected error: ${(err as Error).message}`, true);
      const nowMs = deps.now();
      const durationMs = Math.round(performance.now() - t0);
      const isOutOfBudget = d.attempts >= retry.maxAttempts || nowMs - d.budgetFromMs >= retry.maxAgeMs;
      if (e.isRetryable && !isOutOfBudget) {
        const waitMs = Math.min(retry.maxDelayMs, Math.max(backoffDelayMs(d.attempts, retry, deps.random), e.retryAfterMs ?? 0));
        deliveries.finish(d.id, { atMs, durationMs, httpStatus: e.httpStatus, error: e.message }, { type: 'retry', nextAtMs: nowMs + waitMs });
        stats.retried++;
        logger.warn({ deliveryId: d.id, channel: d.channelName, attempt: d.attempts, waitMs, err: e.message }, 'delivery failed; will retry');
        return;
      }
      const why = e.isRetryable ? `${e.message} (gave up after ${d.attempts} attempts)` : `${e.message} (not retryable)`;
      deliveries.finish(d.id, { atMs, durationMs, httpStatus: e.httpStatus, error: why }, { type: 'dead', nowMs });
      stats.dead++;
      logger.error({ deliveryId: d.id, channel: d.channelName, recipient: d.recipient, attempts: d.attempts, err: why }, 'delivery dead-lettered');
      try {
        deps.onDead(d, why, nowMs);
      } catch (raiseErr) {
        logger.error({ err: raiseErr, deliveryId: d.id }, 'could not raise the dead letter');
      }
    }
  }

  const inFlight = new Set<Promise<void>>();
  let isStopped = false;

  /** Claims as many due deliveries as there is room for and starts sending them. */
  function pump(): number {
    if (isStopped) return 0;
    const room = (deps.maxInFlight ?? 16) - inFlight.size;
    if (room <= 0) return 0;
    const claimed = deliveries.claimDue(deps.now(), room);
    for (const d of claimed) {
      const p: Promise<void> = sendOne(d)
        .catch((err: unknown) => {
          // Recording failed (database closing?); the row stays 'sending' and is recovered at the next start.
          logger.error({ err, deliveryId: d.id }, 'delivery outcome could not be recorded');
        })
        .finally(() => {
          inFlight.delete(p);
          // The next message for this destination may be due now.
          pump();
        });
      inFlight.add(p);
    }
    return claimed.length;
  }

  return {
    pump,
    /** Sends everything that is due, and what becomes due meanwhile, until nothing is in flight. */
    async drain(): Promise<void> {
      pump();
      while (inFlight.size > 0) await Promise.race(inFlight);
    },
    /** Stops claiming and waits for sends in flight. */
    async stop(): Promise<void> {
      isStopped = true;
      await Promise.all([...inFlight]);
    },
    inFlight: () => inFlight.size,
    stats: () => ({ ...stats }),
  };
}
export type Worker = ReturnType<typeof createWorker>;
