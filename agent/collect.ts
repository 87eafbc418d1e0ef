/**
 * The collection runner: which collectors run this cycle, under which timeout, and what their
 * results become.
 *
 *   collector state   event                                 next
 *   waiting-init      first cycle while switched on         init() → active | unavailable
 *   active            due (own intervalMs) and not busy     collect(); results → this report,
 *                                                            or the next one if it is slower than
 *                                                            the cycle but within its own timeout
 *   active            collect() throws / times out          logged once (warn), skipped this cycle
 *   any               switched off by the server            not run (init waits until switched on)
 *   unavailable       —                                     never run again (logged once)
 */
import type { Logger } from 'pino';
import type { InventorySections, Sample } from '../shared/protocol.js';
import type { Collector, CollectorOutput } from './collectors/types.js';
import { sampleProblem } from './wire.js';

/** What createCollectionRunner needs. */
export interface CollectionRunnerOptions {
  readonly collectors: readonly Collector[];
  readonly logger: Logger;
  /** Longest a cycle waits for its collectors (and the default per-collector timeout), ms. */
  readonly timeoutMs: number;
  /** Collector switches by name; a missing name is on. */
  readonly switches?: Readonly<Record<string, boolean>>;
  /** Monotonic clock, ms; injectable for tests of per-collector intervals. */
  readonly nowMs?: () => number;
}

/** One cycle's output. */
export interface CollectionResult {
  samples: Sample[];
  /** Inventory sections collected this cycle (only the collectors that ran). */
  inventory: InventorySections;
}

/** Runs the collectors that initialised; one bad collector never costs the others their samples. */
export interface CollectionRunner {
  /** Names of the collectors that passed init() so far. */
  readonly activeCollectors: readonly string[];
  /** Replaces the collector switches (a missing name is on); applies from the next cycle. */
  setSwitches(switches: Readonly<Record<string, boolean>>): void;
  /** Runs every due, switched-on collector in parallel and returns all valid samples and inventory. */
  collectOnce(): Promise<CollectionResult>;
  /** Metric names the active, switched-on collectors can watch (Collector.watchable). */
  watchableMetrics(): ReadonlySet<string>;
  /**
   * Reads the watched `metrics` now through the collectors' cheap watch(): only collectors that
   * have one of them run, each at most once at a time and under `timeoutMs`; only valid samples
   * of those metrics come back. A failure is logged once and costs only that collector's samples.
   */
  watchOnce(metrics: ReadonlySet<string>, timeoutMs: number): Promise<Sample[]>;
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

function normalize(out: Sample[] | CollectorOutput): CollectorOutput {
  return Array.isArray(out) ? { samples: out } : out;
}

type CollectorState = 'waiting-init' | 'initialising' | 'active' | 'unavailable';

/**
 * Calls init() once per switched-on collector (in parallel, each under its timeout); a collector
 * whose init throws, hangs or answers false is logged once and left out for the life of the runner.
 */
export async function createCollectionRunner(opts: CollectionRunnerOptions): Promise<CollectionRunner> {
  const { logger, timeoutMs } = opts;
  const nowMs = opts.nowMs ?? (() => performance.now());
  let switches: Readonly<Record<string, boolean>> = opts.switches ?? {};
  const states = new Map<Collector, CollectorState>(opts.collectors.map((c) => [c, 'waiting-init']));
  const nextDueMs = new Map<Collector, number>();
  // A collect() still running from an earlier cycle is not started again, so a hung syscall
  // cannot pile up one pending call per interval.
  const busy = new Set<string>();
  // Failures are logged at warn when a collector starts failing and at info when it recovers,
  // not every cycle, so a broken sensor does not flood the log.
  const failing = new Set<string>();
  const reportedInvalid = new Set<string>();
  // Results of slow collectors that finished after their cycle's report was built.
  let carried: CollectorOutput[] = [];

  const isOn = (c: Collector) => switches[c.name] !== false;
  const ownTimeoutMs = (c: Collector) => Math.max(timeoutMs, c.timeoutMs ?? timeoutMs);

  async function initCollector(c: Collector): Promise<void> {
    states.set(c, 'initialising');
    try {
      const hasIt = await withTimeout(
        Promise.resolve().then(() => c.init()),
        ownTimeoutMs(c),
      );
      states.set(c, hasIt ? 'active' : 'unavailable');
      if (!hasIt) logger.info({ collector: c.name }, 'collector not available on this machine; skipped');
    } catch (err) {
      states.set(c, 'unavailable');
      logger.warn({ collector: c.name, ...errorFields(err) }, 'collector init failed; skipped');
    }
  }

  async function initSwitchedOn(): Promise<void> {
    const todo = opts.collectors.filter((c) => states.get(c) === 'waiting-init' && isOn(c));
    if (todo.length > 0) await Promise.all(todo.map(initCollector));
  }

  function onFailure(c: Collector, err: unknown, startedAt: number): void {
    const fields = { collector: c.name, elapsedMs: Math.round(nowMs() - startedAt), ...errorFields(err) };
    const what = err instanceof TimeoutError ? 'collector timed out; skipped this cycle' : 'collector failed; skipped this cycle';
    if (failing.has(c.name)) logger.debug(fields, what);
    else logger.warn(fields, what);
    failing.add(c.name);
  }

  function onSuccess(c: Collector, out: Sample[] | CollectorOutput): CollectorOutput {
    if (failing.delete(c.name)) logger.info({ collector: c.name }, 'collector recovered');
    const { samples, inventory } = normalize(out);
    return { samples: samples.filter((s) => isValid(c.name, s)), ...(inventory ? { inventory } : {}) };
  }

  async function runOne(c: Collector): Promise<CollectorOutput | undefined> {
    if (busy.has(c.name)) {
      logger.debug({ collector: c.name }, 'collector still busy from the previous cycle; skipped');
      return undefined;
    }
    busy.add(c.name);
    const startedAt = nowMs();
    const raw = Promise.resolve().then(() => c.collect());
    // Busy until the call really settles, not merely times out.
    raw.finally(() => busy.delete(c.name)).catch(() => undefined);
    const call = withTimeout(raw, ownTimeoutMs(c));
    try {
      return onSuccess(c, await withTimeout(call, timeoutMs));
    } catch (err) {
      if (!(err instanceof TimeoutError) || ownTimeoutMs(c) <= timeoutMs) {
        onFailure(c, err, startedAt);
        return undefined;
      }
      // Slower than the cycle but allowed to be: its results go into the next report.
      logger.debug({ collector: c.name }, 'collector slower than the cycle; its results go into the next report');
      call.then(
        (out) => carried.push(onSuccess(c, out)),
        (lateErr: unknown) => onFailure(c, lateErr, startedAt),
      );
      return undefined;
    }
  }

  // The server refuses a whole report for one bad sample; dropping it here keeps the rest.
  function isValid(collector: string, s: Sample): boolean {
    const problem = sampleProblem(s);
    if (problem === undefined) return true;
    const key = `${collector}:${s.name}`;
    if (!reportedInvalid.has(key)) {
      reportedInvalid.add(key);
      logger.warn({ collector, metric: s.name, err: problem }, 'collector produced an invalid sample; dropped');
    }
    return false;
  }

  const watchBusy = new Set<string>();
  const watchFailing = new Set<string>();
  const watchers = (metrics: ReadonlySet<string>) =>
    opts.collectors.filter((c) => c.watch && states.get(c) === 'active' && isOn(c) && c.watchable?.some((m) => metrics.has(m)));

  async function watchOne(c: Collector, metrics: ReadonlySet<string>, watchTimeoutMs: number): Promise<Sample[]> {
    if (watchBusy.has(c.name)) return [];
    watchBusy.add(c.name);
    const raw = Promise.resolve().then(() => c.watch!());
    raw.finally(() => watchBusy.delete(c.name)).catch(() => undefined);
    try {
      const out = await withTimeout(raw, watchTimeoutMs);
      if (watchFailing.delete(c.name)) logger.info({ collector: c.name }, 'watch recovered');
      return out.filter((s) => metrics.has(s.name) && isValid(c.name, s));
    } catch (err) {
      if (!watchFailing.has(c.name))
        logger.warn({ collector: c.name, ...errorFields(err) }, 'watch read failed; watched values of this collector wait for the report');
      watchFailing.add(c.name);
      return [];
    }
  }

  await initSwitchedOn();

  return {
    watchableMetrics() {
      const out = new Set<string>();
      for (const c of opts.collectors) if (c.watch && states.get(c) === 'active' && isOn(c)) for (const m of c.watchable ?? []) out.add(m);
      return out;
    },
    async watchOnce(metrics, watchTimeoutMs) {
      const out: Sample[] = [];
      for (const samples of await Promise.all(watchers(metrics).map((c) => watchOne(c, metrics, watchTimeoutMs)))) out.push(...samples);
      return out;
    },
    get activeCollectors() {
      return opts.collectors.filter((c) => states.get(c) === 'active').map((c) => c.name);
    },
    setSwitches(next) {
      switches = { ...next };
    },
    async collectOnce() {
      await initSwitchedOn();
      const now = nowMs();
      const due = opts.collectors.filter((c) => states.get(c) === 'active' && isOn(c) && now >= (nextDueMs.get(c) ?? 0));
      for (const c of due) if (c.intervalMs !== undefined) nextDueMs.set(c, now + c.intervalMs);
      const outputs = [...carried];
      carried = [];
      for (const out of await Promise.all(due.map(runOne))) if (out) outputs.push(out);
      const result: CollectionResult = { samples: [], inventory: {} };
      for (const out of outputs) {
        result.samples.push(...out.samples);
        if (out.inventory) Object.assign(result.inventory, out.inventory);
      }
      return result;
    },
  };
}
