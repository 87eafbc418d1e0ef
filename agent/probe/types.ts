/**
 * What every agentless check returns: its outcome in words (state + message) and the samples it
 * measured, labelled with the check id. A check never throws: a fault becomes state 'error'.
 */
import type { Sample } from '../../shared/protocol.js';
import type { CheckResult } from '../../shared/probe.js';

/** Outcome of one check run. */
export interface CheckOutcome {
  result: CheckResult;
  samples: Sample[];
}

/**
 * What checks of one probed device keep from one run to the next (the network template's
 * counters for its rates, the last sysUpTime), keyed by the check. The runner holds one per target.
 */
export type CheckMemory = Map<string, unknown>;

/** Default time a check may take, ms. */
export const DEFAULT_CHECK_TIMEOUT_MS = 5_000;

/** A sample of `name` for check `checkId`. */
export function checkSample(name: string, checkId: string, value: number): Sample {
  return { name, labels: { check: checkId }, value };
}

/** Round to 0.1 ms. */
export function roundMs(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** The message of an unknown thrown value, with its code when it has one (ECONNREFUSED …). */
export function describeError(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(err);
  return typeof e?.code === 'string' && !message.includes(e.code) ? `${e.code}: ${message}` : message;
}
