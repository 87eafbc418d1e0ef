/**
 * The compactor moves closed hours out of head_reports into column blocks and computes the
 * rollups from them, one device-hour at a time, in small batches:
 *
 *   head rows of (device, hour) + existing raw block (late data) ─merge─▶ raw block
 *        └─▶ 60 one-minute buckets (min, max, sum, count) ─▶ rollup_1m block of that hour
 *        └─▶ 1 one-hour bucket ─merged into─▶ rollup_1h block of that day
 *   delete the head rows
 *
 * All of it in the caller's transaction, so a crash leaves either the head rows or the blocks,
 * never both and never neither: rollups cannot be lost or counted twice across a restart. A
 * window is closed once `graceMs` has passed after its end; reports arriving later (replayed
 * from an agent's spool) land in head_reports again and are merged into the block next time.
 */
import type { Db } from '../store/database.js';
import { decodeBlock, encodeBlock, type Block, type BlockSeries } from './codec/block.js';
import { decodeReport } from './codec/report.js';
import type { MetricStore } from './metrics.js';
import { quantize } from './quantize.js';
import { HOUR_MS, MINUTE_MS, RAW_WINDOW_MS, ROLLUP_1H_WINDOW_MS, windowStart } from './retention-policy.js';

/** Options of the compactor. */
export interface CompactorOptions {
  db: Db;
  metrics: MetricStore;
  now: () => number;
  /** How long after an hour ends before it is compacted, ms. */
  graceMs?: number;
}

/** One report's values as the compactor reads them. */
interface PointRow {
  ts: number;
  seriesIds: number[];
  values: number[];
}

function blockToRows(block: Block): PointRow[] {
  const rows: PointRow[] = block.timestamps.map((ts) => ({ ts, seriesIds: [], values: [] }));
  for (const s of block.series) {
    const vals = s.columns[0]!;
    let j = 0;
    for (let i = 0; i < rows.length; i++) {
      if (s.present && !s.present[i]) continue;
      rows[i]!.seriesIds.push(s.seriesId);
      rows[i]!.values.push(vals[j++]!);
    }
  }
  return rows;
}

/**
 * Builds a raw block from rows. Rows with the same timestamp are merged, later rows winning
 * per series (a report replayed under a new stream, or late data over a compacted block).
 */
function rowsToBlock(input: PointRow[]): { block: Block; valueCount: number } {
  let rows = input;
  let isSorted = true;
  for (let i = 1; i < rows.length; i++) if (rows[i]!.ts <= rows[i - 1]!.ts) isSorted = false;
  if (!isSorted) {
    const merged = new Map<number, Map<number, number>>();
    for (const r of rows) {
      let m = merged.get(r.ts);
      if (!m) merged.set(r.ts, (m = new Map()));
      for (let k = 0; k < r.seriesIds.length; k++) m.set(r.seriesIds[k]!, r.values[k]!);
    }
    rows = [...merged.keys()]
      .sort((a, b) => a - b)
      .map((ts) => {
        const m = merged.get(ts)!;
        return { ts, seriesIds: [...m.keys()], values: [...m.values()] };
      });
  }
  const n = rows.length;
  const bySeries = new Map<number, { present: Uint8Array; vals: number[] }>();
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    for (let k = 0; k < r.seriesIds.length; k++) {
      const id = r.seriesIds[k]!;
      let e = bySeries.get(id);
      if (!e) bySeries.set(id, (e = { present: new Uint8Array(n), vals: [] }));
      e.present[i] = 1;
      e.vals.push(r.values[k]!);
    }
  }
  let valueCount = 0;
  const series: BlockSeries[] = [...bySeries.keys()]
    .sort((a, b) => a - b)
    .map((id) => {
      const e = bySeries.get(id)!;
      valueCount += e.vals.length;
      return { seriesId: id, present: e.vals.length === n ? null : e.present, columns: [e.vals] };
    });
  return { block: { columnCount: 1, timestamps: rows.map((r) => r.ts), series }, valueCount };
}

/**
 * Rolls a raw block up into buckets of `bucketMs`: per series min, max, sum (rounded to the
 * series' stored decimals, so it stays exact) and count.
 */
export function rollUp(block: Block, bucketMs: number, decimalsOf: (seriesId: number) => number): Block {
  // Timestamps ascend, so bucket starts do too: number them in one pass.
  const bucketIndex = new Int32Array(block.timestamps.length);
  const buckets: number[] = [];
  for (let i = 0; i < block.timestamps.length; i++) {
    const b = windowStart(block.timestamps[i]!, bucketMs);
    if (buckets.length === 0 || buckets[buckets.length - 1] !== b) buckets.push(b);
    bucketIndex[i] = buckets.length - 1;
  }
  const series: BlockSeries[] = [];
  for (const s of block.series) {
    const n = buckets.length;
    const min = new Array<number>(n).fill(Infinity);
    const max = new Array<number>(n).fill(-Infinity);
    const sum = new Array<number>(n).fill(0);
    const count = new Array<number>(n).fill(0);
    const vals = s.columns[0]!;
    let j = 0;
    for (let i = 0; i < block.timestamps.length; i++) {
      if (s.present && !s.present[i]) continue;
      const v = vals[j++]!;
      const k = bucketIndex[i]!;
      if (v < min[k]!) min[k] = v;
      if (v > max[k]!) max[k] = v;
      sum[k]! += v;
      count[k]!++;
    }
    const d = decimalsOf(s.seriesId);
    const present = new Uint8Array(n);
    const cols: number[][] = [[], [], [], []];
    let isFull = true;
    for (let k = 0; k < n; k++) {
      if (count[k] === 0) {
        isFull = false;
        continue;
      }
      present[k] = 1;
      cols[0]!.push(min[k]!);
      cols[1]!.push(max[k]!);
      cols[2]!.push(quantize(sum[k]!, d));
      cols[3]!.push(count[k]!);
    }
    series.push({ seriesId: s.seriesId, present: isFull ? null : present, columns: cols });
  }
  return { columnCount: 4, timestamps: buckets, series };
}

/** Replaces (or adds) the buckets of `update` in `base`; both are rollup blocks. */
export function mergeRollups(base: Block | undefined, update: Block): Block {
  if (!base) return update;
  // bucket ts → series id → [min, max, sum, count]
  const table = new Map<number, Map<number, number[]>>();
  const put = (b: Block) => {
    for (const s of b.series) {
      let j = 0;
      for (let i = 0; i < b.timestamps.length; i++) {
        if (s.present && !s.present[i]) continue;
        const ts = b.timestamps[i]!;
        let m = table.get(ts);
        if (!m) table.set(ts, (m = new Map()));
        m.set(s.seriesId, [s.columns[0]![j]!, s.columns[1]![j]!, s.columns[2]![j]!, s.columns[3]![j]!]);
        j++;
      }
    }
  };
  const updated = new Set(update.timestamps);
  // Drop the base's buckets that the update recomputes, then add the update.
  put(base);
  for (const ts of updated) table.delete(ts);
  put(update);
  const timestamps = [...table.keys()].sort((a, b) => a - b);
  const ids = new Set<number>();
  for (const m of table.values()) for (const id of m.keys()) ids.add(id);
  const series: BlockSeries[] = [...ids]
    .sort((a, b) => a - b)
    .map((id) => {
      const present = new Uint8Array(timestamps.length);
      const cols: number[][] = [[], [], [], []];
      let isFull = true;
      timestamps.forEach((ts, i) => {
        const row = table.get(ts)!.get(id);
        if (!row) {
          isFull = false;
          return;
        }
        present[i] = 1;
        for (let c = 0; c < 4; c++) cols[c]!.push(row[c]!);
      });
      return { seriesId: id, present: isFull ? null : present, columns: cols };
    });
  return { columnCount: 4, timestamps, series };
}

function countValues(b: Block): number {
  let n = 0;
  for (const s of b.series) n += s.columns[0]!.length;
  return n;
}

/** Creates the compactor. */
export function createCompactor(opts: CompactorOptions) {
  const { db, metrics } = opts;
  const graceMs = opts.graceMs ?? 2 * MINUTE_MS;
  const { raw, rollup1m, rollup1h } = metrics.tables;
  const headRows = db.prepare<[string, number, number], { ts_ms: number; seq: number; payload: Buffer }>(
    'SELECT ts_ms, seq, payload FROM head_reports WHERE device_id = ? AND ts_ms >= ? AND ts_ms < ? ORDER BY ts_ms, seq',
  );
  const deleteHead = db.prepare<[string, number, number]>('DELETE FROM head_reports WHERE device_id = ? AND ts_ms >= ? AND ts_ms < ?');
  const nextHeadDevice = db.prepare<[string], { device_id: string; ts_ms: number }>(
    'SELECT device_id, ts_ms FROM head_reports WHERE device_id > ? ORDER BY device_id, ts_ms LIMIT 1',
  );
  let cursor = '';
  let windowsCompacted = 0;
  let valuesCompacted = 0;

  /** Compacts one device-hour; call inside a transaction. Returns the values moved. */
  function compactWindow(deviceId: string, startMs: number): number {
    const endMs = startMs + RAW_WINDOW_MS;
    const existing = raw.get(deviceId, startMs);
    const rows: PointRow[] = existing ? blockToRows(decodeBlock(existing.payload)) : [];
    let moved = 0;
    for (const row of headRows.iterate(deviceId, startMs, endMs)) {
      const r = decodeReport(row.payload);
      rows.push({ ts: row.ts_ms, seriesIds: r.seriesIds, values: r.values });
      moved += r.seriesIds.length;
    }
    const { block, valueCount } = rowsToBlock(rows);
    raw.upsert(deviceId, startMs, endMs, block.timestamps.length, valueCount, encodeBlock(block));
    const minutes = rollUp(block, MINUTE_MS, metrics.decimalsOf);
    rollup1m.upsert(deviceId, startMs, endMs, minutes.timestamps.length, countValues(minutes), encodeBlock(minutes));
    const hour = rollUp(block, HOUR_MS, metrics.decimalsOf);
    const dayStart = windowStart(startMs, ROLLUP_1H_WINDOW_MS);
    const dayRow = rollup1h.get(deviceId, dayStart);
    const day = mergeRollups(dayRow ? decodeBlock(dayRow.payload) : undefined, hour);
    rollup1h.upsert(deviceId, dayStart, dayStart + ROLLUP_1H_WINDOW_MS, day.timestamps.length, countValues(day), encodeBlock(day));
    deleteHead.run(deviceId, startMs, endMs);
    windowsCompacted++;
    valuesCompacted += moved;
    return moved;
  }

  /**
   * Compacts up to `maxWindows` closed device-hours, visiting devices round-robin, looking at no
   * more than `maxScans` devices. Call inside a transaction. Returns the windows compacted.
   */
  function step(maxWindows: number, maxScans = maxWindows * 4): number {
    const closedBefore = opts.now() - graceMs;
    let done = 0;
    for (let scans = 0; scans < maxScans && done < maxWindows; scans++) {
      const next = nextHeadDevice.get(cursor);
      if (!next) {
        cursor = '';
        break;
      }
      cursor = next.device_id;
      const start = windowStart(next.ts_ms, RAW_WINDOW_MS);
      if (start + RAW_WINDOW_MS <= closedBefore) {
        compactWindow(next.device_id, start);
        done++;
      }
    }
    return done;
  }

  return {
    compactWindow,
    step,
    /** Compacts every closed window now, in transactions of `batch` windows (tests, benchmarks). */
    compactAll(batch = 200): number {
      let total = 0;
      const run = db.transaction(() => step(batch, Number.MAX_SAFE_INTEGER));
      cursor = '';
      for (;;) {
        const n = run();
        total += n;
        if (n === 0) return total;
      }
    },
    stats: () => ({ windowsCompacted, valuesCompacted }),
  };
}
export type Compactor = ReturnType<typeof createCompactor>;
