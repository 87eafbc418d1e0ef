/**
 * Statements over the three block tables (raw_blocks, rollup_1m_blocks, rollup_1h_blocks), which
 * share one shape: (device_id, start_ms) → end_ms, point_count, value_count, payload.
 */
import type { Db } from '../store/database.js';

export type BlockTable = 'raw_blocks' | 'rollup_1m_blocks' | 'rollup_1h_blocks';
export const BLOCK_TABLES: readonly BlockTable[] = ['raw_blocks', 'rollup_1m_blocks', 'rollup_1h_blocks'];

/** One stored block row. */
export interface BlockRow {
  start_ms: number;
  end_ms: number;
  point_count: number;
  value_count: number;
  payload: Buffer;
}

/** Builds the statements of one block table once. */
export function createBlockTable(db: Db, table: BlockTable) {
  const get = db.prepare<[string, number], BlockRow>(
    `SELECT start_ms, end_ms, point_count, value_count, payload FROM ${table} WHERE device_id = ? AND start_ms = ?`,
  );
  const range = db.prepare<[string, number, number], BlockRow>(
    `SELECT start_ms, end_ms, point_count, value_count, payload FROM ${table}
      WHERE device_id = ? AND start_ms >= ? AND start_ms < ? ORDER BY start_ms`,
  );
  const upsert = db.prepare<[string, number, number, number, number, Uint8Array]>(
    `INSERT OR REPLACE INTO ${table} (device_id, start_ms, end_ms, point_count, value_count, payload) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const nextDevice = db.prepare<[string], { device_id: string; start_ms: number }>(
    `SELECT device_id, start_ms FROM ${table} WHERE device_id > ? ORDER BY device_id, start_ms LIMIT 1`,
  );
  const deleteBefore = db.prepare<[string, number]>(`DELETE FROM ${table} WHERE device_id = ? AND start_ms < ?`);
  const totals = db.prepare<[], { blocks: number; values: number; bytes: number }>(
    `SELECT count(*) AS blocks, coalesce(sum(value_count), 0) AS "values", coalesce(sum(length(payload)), 0) AS bytes FROM ${table}`,
  );
  return {
    table,
    get: (deviceId: string, startMs: number) => get.get(deviceId, startMs),
    /** Blocks whose start is in [fromStartMs, toStartMs). */
    range: (deviceId: string, fromStartMs: number, toStartMs: number) => range.all(deviceId, fromStartMs, toStartMs),
    upsert: (deviceId: string, startMs: number, endMs: number, pointCount: number, valueCount: number, payload: Uint8Array) =>
      upsert.run(deviceId, startMs, endMs, pointCount, valueCount, payload),
    /** The first device after `afterId` that has blocks here, with its oldest block's start. */
    nextDevice: (afterId: string) => nextDevice.get(afterId),
    /** Deletes a device's blocks that start before `startMs`; returns how many. */
    deleteBefore: (deviceId: string, startMs: number) => deleteBefore.run(deviceId, startMs).changes,
    totals: () => totals.get()!,
  };
}
export type BlockTableStore = ReturnType<typeof createBlockTable>;
