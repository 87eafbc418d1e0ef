/**
 * Background storage upkeep on the server's event loop: every `intervalMs` one short transaction
 * that compacts a few closed device-hours (compactor.ts) and, less often, one that prunes a few
 * devices' expired blocks (retention.ts). Each tick stops after `budgetMs`, so ingest's group
 * commits are never held up for long; the backlog after an hour boundary is worked off over
 * the following minute or two.
 *
 * After passes that deleted something (compacted head rows, pruned blocks), the tick also gives
 * free pages back to the file system (docs/STORAGE.md "The file on disk"): once the free list
 * holds more than `vacuumAbovePages`, one `PRAGMA incremental_vacuum(vacuumPages)` per tick (a
 * short write transaction of its own, only while the tick has budget left) until the free list
 * is empty. The file shrinks on disk at the checkpointer's next checkpoint. Databases made
 * without auto_vacuum (older versions) are left alone here: `quarkpulse db vacuum` converts them.
 */
import type { Logger } from 'pino';
import type { Db } from '../store/database.js';
import type { Compactor } from './compactor.js';
import type { Retention } from './retention.js';
import { storageFaultOf } from '../store/faults.js';
import { autoVacuumMode, incrementalVacuum } from '../store/vacuum.js';
import { createListeners } from '../lib/listeners.js';

/**
 * Free pages released per step: 512 (2 MiB at 4 KiB pages). Measured on the storage bench's
 * history (5 devices × 7 days just compacted, 10,000 of 15,800 pages free and scattered between
 * raw blocks and rollups; WAL, synchronous = FULL, the commit's fsync included), 20 steps on 2
 * shared cores at load 3.5: median 2.0 ms, p90 3.9 ms, slowest 21 ms (256 pages: median 4.9,
 * slowest 32; 1024: median 5.9, slowest 28 — the fsync dominates). So a step never holds the
 * write lock or the event loop for long, and ticks of 200 ms can give back ~10 MB/s.
 */
export const DEFAULT_VACUUM_PAGES = 512;
/** Reclaiming starts once the free list holds more than this many pages (4 MiB at 4 KiB pages), then runs until it is empty. */
export const DEFAULT_VACUUM_ABOVE_PAGES = 1024;

export interface StorageUpkeepOptions {
  db: Db;
  compactor: Compactor;
  retention: Retention;
  logger: Logger;
  now: () => number;
  /** Pause between ticks, ms. */
  intervalMs?: number;
  /** Longest a compaction tick may run, ms. */
  budgetMs?: number;
  /** Windows compacted per inner batch (the budget is checked between batches). */
  batchWindows?: number;
  /** Devices visited per retention tick (per tier). */
  pruneDevices?: number;
  /** Prune every this many ticks. */
  pruneEveryTicks?: number;
  /** Skips a tick while this says the writer is under pressure (ingest first). */
  isBusy?: () => boolean;
  /** Free pages released per incremental-vacuum step (one per tick at most). */
  vacuumPages?: number;
  /** Start releasing free pages once the free list holds more than this many. */
  vacuumAbovePages?: number;
}

export function createStorageUpkeep(opts: StorageUpkeepOptions) {
  const intervalMs = opts.intervalMs ?? 200;
  const budgetMs = opts.budgetMs ?? 25;
  const batchWindows = opts.batchWindows ?? 3;
  const pruneDevices = opts.pruneDevices ?? 100;
  const pruneEveryTicks = opts.pruneEveryTicks ?? 20;
  const vacuumPages = opts.vacuumPages ?? DEFAULT_VACUUM_PAGES;
  const vacuumAbovePages = opts.vacuumAbovePages ?? DEFAULT_VACUUM_ABOVE_PAGES;
  // Fixed when the file was created; an old NONE database changes only by `quarkpulse db vacuum`, with the server stopped.
  const canVacuum = autoVacuumMode(opts.db) === 'incremental';
  const freePages = opts.db.prepare('PRAGMA freelist_count').pluck();
  /** Something was deleted since the free list was last found small (true at start: a restart may find free pages). */
  let mayHaveFreePages = canVacuum;
  /** Between crossing vacuumAbovePages and an empty free list. */
  let isReclaiming = false;
  let pagesReleased = 0;
  let vacuumSteps = 0;
  let timer: NodeJS.Timeout | undefined;
  let ticks = 0;
  let isRunning = false;
  let lastTickMs = 0;
  const compactBatch = opts.db.transaction((n: number) => opts.compactor.step(n));
  const pruneBatch = opts.db.transaction((n: number) => opts.retention.step(n));
  const faultListeners = createListeners<[err: unknown]>((err) => opts.logger.error({ err }, 'storage fault listener failed'));

  /** Set while upkeep keeps failing, so a long fault (locked database) is one log line, not one a tick. */
  let failingSinceMs: number | null = null;

  function tick(): void {
    timer = undefined;
    const started = performance.now();
    try {
      if (!opts.isBusy?.()) {
        while (performance.now() - started < budgetMs) {
          if (compactBatch(batchWindows) === 0) break;
          mayHaveFreePages = canVacuum;
        }
        if (++ticks % pruneEveryTicks === 0 && pruneBatch(pruneDevices) > 0) mayHaveFreePages = canVacuum;
        if (mayHaveFreePages && performance.now() - started < budgetMs) reclaimStep();
        if (failingSinceMs !== null) {
          opts.logger.info({ failedForMs: Math.round(opts.now() - failingSinceMs) }, 'storage maintenance works again');
          failingSinceMs = null;
        }
      }
    } catch (err) {
      // A locked or full database is ingest's fault to report (once per fault, one mechanism).
      if (faultListeners.size > 0 && storageFaultOf(err)) faultListeners.emit(err);
      else if (failingSinceMs === null) {
        failingSinceMs = opts.now();
        opts.logger.warn({ err }, 'storage maintenance failed; will retry');
      } else opts.logger.debug({ err }, 'storage maintenance still failing');
    }
    lastTickMs = performance.now() - started;
    if (lastTickMs > 250 && failingSinceMs === null) opts.logger.warn({ tickMs: Math.round(lastTickMs) }, 'storage maintenance tick ran long');
    schedule();
  }

  /** One bounded step of giving free pages back, or none when the free list is small. */
  function reclaimStep(): void {
    const free = freePages.get() as number;
    if (!isReclaiming && free <= vacuumAbovePages) {
      mayHaveFreePages = false;
      return;
    }
    isReclaiming = true;
    const released = incrementalVacuum(opts.db, vacuumPages);
    pagesReleased += released;
    vacuumSteps++;
    if (released === 0 || released >= free) {
      isReclaiming = false;
      mayHaveFreePages = false;
    }
  }

  function schedule(): void {
    if (!isRunning) return;
    timer = setTimeout(tick, intervalMs);
    timer.unref();
  }

  return {
    /** Subscribes to storage faults (locked database, disk full), which are then told there instead of logged here; returns the unsubscribe function. */
    onStorageFault: (listener: (err: unknown) => void) => faultListeners.add(listener),
    start(): void {
      if (isRunning) return;
      isRunning = true;
      schedule();
    },
    stop(): void {
      isRunning = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
    /** Duration of the last tick, ms. */
    lastTickMs: () => lastTickMs,
    /** Runs one tick now, outside the timer (tests, benchmarks: the same path the timer takes). */
    tickNow(): void {
      if (timer) clearTimeout(timer);
      tick();
    },
    /** Free pages given back to the file system since start, and the steps that did it. */
    stats: () => ({ pagesReleased, vacuumSteps, isReclaiming }),
  };
}
export type StorageUpkeep = ReturnType<typeof createStorageUpkeep>;
