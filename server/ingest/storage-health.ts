/**
 * Whether the database takes writes, as ingest sees it. The first failed write of a fault logs
 * one error line saying what is wrong and that nothing unstored is acknowledged; the first write
 * that succeeds again logs one line saying so. In between, writes are attempted at most once per
 * `probeIntervalMs`, so a locked database (each attempt waits out the busy timeout) cannot stall
 * the server once per report.
 */
import type { Logger } from 'pino';
import { storageFaultOf } from '../store/faults.js';

/** Builds the tracker. */
export function createStorageHealth(opts: { logger: Logger; now: () => number; probeIntervalMs?: number }) {
  const { logger, now } = opts;
  const probeIntervalMs = opts.probeIntervalMs ?? 1_000;
  let fault: { code: string; description: string; sinceMs: number; failures: number; lastAttemptMs: number; error: Error } | undefined;

  return {
    /** True while the last write failed with a storage fault. */
    isFaulted: (): boolean => fault !== undefined,
    /** The error to answer with while faulted and not yet time to try again; undefined: try. */
    skipReason(): Error | undefined {
      if (!fault || now() - fault.lastAttemptMs >= probeIntervalMs) return undefined;
      return fault.error;
    },
    /** A write failed. Storage faults are logged once per fault; anything else every time. */
    failed(err: unknown, fields: Record<string, unknown>): void {
      const f = storageFaultOf(err);
      if (!f) {
        logger.error({ err, ...fields }, 'ingest batch failed; reports not acknowledged');
        return;
      }
      if (fault) {
        fault.failures++;
        fault.lastAttemptMs = now();
        logger.debug({ code: f.code, failures: fault.failures }, 'storage still unavailable');
        return;
      }
      fault = { ...f, sinceMs: now(), failures: 1, lastAttemptMs: now(), error: err as Error };
      logger.error(
        { code: f.code, err: (err as Error).message, ...fields },
        `storage unavailable: ${f.description} (${f.code}); ingest paused — reports are not acknowledged, agents keep them and resend, nothing is lost`,
      );
    },
    /** A write succeeded. */
    succeeded(): void {
      if (!fault) return;
      logger.warn({ code: fault.code, downMs: now() - fault.sinceMs, failedWrites: fault.failures }, 'storage available again; ingest resumed');
      fault = undefined;
    },
  };
}
export type StorageHealth = ReturnType<typeof createStorageHealth>;
