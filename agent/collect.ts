import type { Logger } from 'pino';
import { sampleSchema, type Sample } from '../shared/protocol.js';
import type { Collector } from './collectors/types.js';

/** What createCollectionRunner needs. */
export interface CollectionRunnerOptions {
  readonly collectors: readonly Collector[];
  readonly logger: Logger;
  /** Longest a single init() or collect() may take before it is abandoned for this cycle. */
  readonly timeoutMs: number;
}

/** Runs the collectors that initialised; one bad collector never costs the others their samples. */
export interface CollectionRunner {
  /** Names of the collectors that passed init(). */
  readonly activeCollectors: readonly string[];
  /** Runs every active collector in parallel and returns all valid samples. */
  collectOnce(): Promise<Sample[]>;
}

class TimeoutError extends Error {}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function errorFields(err: unknown): { err: string } {
  return { err: err instanceof Error ? err.message : String(err) };
}

/**
 * Calls init() once per collector (in parallel, each under the timeout); a collector whose init
 * throws, hangs or answers false is logged once and left out for the life of the runner.
 */
export async function createCollectionRunner(opts: CollectionRunnerOptions): Promise<CollectionRunner> {
  const { logger, timeoutMs } = opts;
  const results = await Promise.all(
    opts.collectors.map(async (c) => {
      try {
        const hasIt = await withTimeout(Promise.resolve().then(() => c.init()), timeoutMs);
        if (!hasIt) logger.info({ collector: c.name }, 'collector not available on this machine; skipped');
        return hasIt ? c : undefined;
      } catch (err) {
        logger.warn({ collector: c.name, ...errorFields(err) }, 'collector init failed; skipped');
        return undefined;
      }
    }),
  );
  const active = results.filter((c): c is Collector => c !== undefined);
  // A collect() still running from an earlier cycle is not started again, so a hung syscall
  // cannot pile up one pending call per interval.
  const busy = new Set<string>();
  // Failures are logged at warn when a collector starts failing and at info when it recovers,
  // not every cycle, so a broken sensor does not flood the log.
  const failing = new Set<string>();
  const reportedInvalid = new Set<string>();

  async function runOne(c: Collector): Promise<Sample[]> {
    if (busy.has(c.name)) {
      logger.debug({ collector: c.name }, 'collector still busy from the previous cycle; skipped');
      return [];
    }
    busy.add(c.name);
    const startedAt = performance.now();
    const call = Promise.resolve().then(() => c.collect());
    call.finally(() => busy.delete(c.name)).catch(() => undefined);
    try {
      const samples = await withTimeout(call, timeoutMs);
      if (failing.delete(c.name)) logger.info({ collector: c.name }, 'collector recovered');
      return samples.filter((s) => isValid(c.name, s));
    } catch (err) {
      const fields = { collector: c.name, elapsedMs: Math.round(performance.now() - startedAt), ...errorFields(err) };
      const what = err instanceof TimeoutError ? 'collector timed out; skipped this cycle' : 'collector failed; skipped this cycle';
      if (failing.has(c.name)) logger.debug(fields, what);
      else logger.warn(fields, what);
      failing.add(c.name);
      return [];
    }
  }

  // The server refuses a whole report for one bad sample; dropping it here keeps the rest.
  function isValid(collector: string, s: Sample): boolean {
    const parsed = sampleSchema.safeParse(s);
    if (parsed.success) return true;
    const key = `${collector}:${s.name}`;
    if (!reportedInvalid.has(key)) {
      reportedInvalid.add(key);
      logger.warn({ collector, metric: s.name, err: parsed.error.issues[0]?.message }, 'collector produced an invalid sample; dropped');
    }
    return false;
  }

  return {
    activeCollectors: active.map((c) => c.name),
    async collectOnce() {
      return (await Promise.all(active.map(runOne))).flat();
    },
  };
}
