/**
 * Reconnect delays: full-jitter exponential backoff (shared/backoff.ts) with the agent's two
 * additions — a jittered near-cap delay for refusals, and the attempt to resume from after losing an
 * established connection.
 */
import { fullJitterDelayMs } from '../shared/backoff.js';

/** Backoff parameters; times in ms. */
export interface BackoffOptions {
  /** Ceiling of the first delay (attempt 0). */
  readonly baseMs: number;
  /** No delay ever exceeds this. */
  readonly capMs: number;
  /** Uniform random number in [0, 1); injectable so tests are exact. */
  readonly random?: () => number;
}

/** Delay before reconnect attempt `attempt` (0-based): random(0, min(capMs, baseMs * 2^attempt)), whole ms. */
export function backoffDelayMs(attempt: number, opts: BackoffOptions): number {
  return fullJitterDelayMs(attempt, opts.baseMs, opts.capMs, opts.random ?? Math.random);
}

/**
 * Delay used when retrying soon cannot help (credential rejected, protocol version refused): near
 * the cap, still jittered over its upper half so a fleet of refused agents does not retry in step.
 */
export function capDelayMs(opts: BackoffOptions): number {
  const random = opts.random ?? Math.random;
  return Math.floor(opts.capMs / 2 + (random() * opts.capMs) / 2);
}

/**
 * The first attempt number whose ceiling (baseMs × 2^n, capped) reaches `spreadMs`. After losing an
 * established connection (a server restart drops every agent at once) the agent continues from this
 * attempt instead of 0, so the fleet's reconnects are spread over about `spreadMs` rather than all
 * landing in the first second; an agent whose connect simply failed at start still retries fast.
 */
export function attemptForSpread(spreadMs: number, opts: BackoffOptions): number {
  const target = Math.min(spreadMs, opts.capMs);
  if (!(target > opts.baseMs) || !(opts.baseMs > 0)) return 0;
  return Math.ceil(Math.log2(target / opts.baseMs));
}
