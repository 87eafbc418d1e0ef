/**
 * Retention pruning: deletes whole blocks that have aged out, device by device, a few devices per
 * call, so it never holds the write lock long enough to stall ingest. Each call walks on from
 * where the last one stopped (round-robin over the devices that have blocks).
 */
import type { MetricStore } from './metrics.js';
import type { BlockTableStore } from './blocks.js';
import { RAW_WINDOW_MS, ROLLUP_1H_WINDOW_MS } from './retention-policy.js';

/** Options of the pruner. */
export interface RetentionOptions {
  metrics: MetricStore;
  now: () => number;
}

/** Creates the pruner; its policy is the metric store's. */
export function createRetention(opts: RetentionOptions) {
  const { raw, rollup1m, rollup1h } = opts.metrics.tables;
  const policy = opts.metrics.retention;
  const tiers: { table: BlockTableStore; keepMs: number; windowMs: number; cursor: string }[] = [
    { table: raw, keepMs: policy.rawMs, windowMs: RAW_WINDOW_MS, cursor: '' },
    { table: rollup1m, keepMs: policy.rollup1mMs, windowMs: RAW_WINDOW_MS, cursor: '' },
    { table: rollup1h, keepMs: policy.rollup1hMs, windowMs: ROLLUP_1H_WINDOW_MS, cursor: '' },
  ];
  let blocksDeleted = 0;

  return {
    /**
     * Visits up to `maxDevices` devices per tier and deletes their blocks that end before the
     * tier's cutoff. Call inside a transaction. Returns the blocks deleted.
     */
    step(maxDevices: number): number {
      const nowMs = opts.now();
      let deleted = 0;
      for (const tier of tiers) {
        // A block [start, start + window) is expired once its end is older than keepMs.
        const startBefore = nowMs - tier.keepMs - tier.windowMs + 1;
        for (let i = 0; i < maxDevices; i++) {
          const next = tier.table.nextDevice(tier.cursor);
          if (!next) {
            tier.cursor = '';
            break;
          }
          tier.cursor = next.device_id;
          if (next.start_ms < startBefore) deleted += tier.table.deleteBefore(next.device_id, startBefore);
        }
      }
      blocksDeleted += deleted;
      return deleted;
    },
    stats: () => ({ blocksDeleted }),
  };
}
export type Retention = ReturnType<typeof createRetention>;
