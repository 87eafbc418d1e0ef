/**
 * Background storage upkeep on the server's event loop: every `intervalMs` one short transaction
 * that compacts a few closed device-hours (compactor.ts) and, less often, one that prunes a few
 * devices' expired blocks (retention.ts). Each tick stops after `budgetMs`, so ingest's group
 * commits are never held up for long; the backlog after an hour boundary is worked off over
 * the following minute or two.
 */
import type { Logger } from 'pino';
import type { Db } from '../store/database.js';
import type { Compactor } from './compactor.js';
import type { Retention } from './retention.js';
import { storageFaultOf } from '../store/faults.js';
import { createListeners } from '../lib/listeners.js';

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
}

export function createStorageUpkeep(opts: StorageUpkeepOptions) {
  const intervalMs = opts.intervalMs ?? 200;
  const budgetMs = opts.budgetMs ?? 25;
  const batchWindows = opts.batchWindows ?? 3;
  const pruneDevices = opts.pruneDevices ?? 100;
  const pruneEveryTicks = opts.pruneEveryTicks ?? 20;
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
        }
        if (++ticks % pruneEveryTicks === 0) pruneBatch(pruneDevices);
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
  };
}
export type StorageUpkeep = ReturnType<typeof createStorageUpkeep>;
