/**
 * Exponential backoff with "full jitter" (AWS architecture blog, 2015): the delay before retry
 * `attempt` is uniform in [0, min(capMs, baseMs × 2^attempt)). Spreading every delay over its whole
 * range keeps thousands of agents (or queued notifications) from retrying in lockstep, which plain
 * exponential backoff would do. The agent's reconnects and the notify worker's retries both use it.
 */

/** Delay in whole ms before 0-based attempt `attempt`; `random` returns a uniform number in [0, 1). */
export function fullJitterDelayMs(attempt: number, baseMs: number, capMs: number, random: () => number): number {
  const safeAttempt = Number.isFinite(attempt) && attempt > 0 ? Math.floor(attempt) : 0;
  // 2 ** 1100 is Infinity, which Math.min handles; no overflow guard needed beyond that.
  const ceilingMs = Math.min(capMs, baseMs * 2 ** safeAttempt);
  return Math.floor(random() * ceilingMs);
}
