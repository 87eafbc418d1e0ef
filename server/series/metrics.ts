/**
 * Metric series and their values. A series is (device, metric name, labels). Ingest stores each
 * report as one compact "head" row (codec/report.ts); the compactor later moves closed hours into
 * per-device column blocks with rollups (compactor.ts). Queries read head rows and blocks and pick
 * the coarsest resolution that still gives the requested number of points.
 *
 *   insertReport ─▶ head_reports ──compactor──▶ raw_blocks + rollup_1m_blocks + rollup_1h_blocks
 *   query(points) ─▶ 1 h rollups | 1 min rollups | raw, plus head rows not yet compacted
 */
import type { MetricPoint } from '../../shared/api-types.js';
import { oneLabelJsonOf, seriesKeyOf } from '../../shared/metrics.js';
import type { Sample } from '../../shared/protocol.js';
import type { Db } from '../store/database.js';
import { createBlockTable, type BlockTableStore } from './blocks.js';
import { decodeBlock } from './codec/block.js';
import { countReportValues, decodeReport, encodeReport } from './codec/report.js';
import { quantize, storedDecimals } from './quantize.js';
import { DEFAULT_RETENTION, HOUR_MS, MINUTE_MS, RAW_WINDOW_MS, ROLLUP_1H_WINDOW_MS, validateRetention, type RetentionPolicy } from './retention-policy.js';

/** Canonical JSON of a label set (sorted keys), the form stored in series.labels. */
export function canonicalLabels(labels: Readonly<Record<string, string>> | undefined): string {
  if (!labels) return '{}';
  const keys = Object.keys(labels).sort();
  const out: Record<string, string> = {};
  for (const k of keys) out[k] = labels[k]!;
  return JSON.stringify(out);
}

/** Resolution a query was answered from: 0 = raw samples, else the rollup bucket width in ms. */
export type Resolution = 0 | typeof MINUTE_MS | typeof HOUR_MS;

/** Options of the metric store. */
export interface MetricStoreOptions {
  now?: () => number;
  retention?: RetentionPolicy;
}

interface SeriesInfo {
  id: number;
  decimals: number;
}

/** Bucket accumulators of one series in one query. */
class Buckets {
  readonly ts: Float64Array;
  readonly min: Float64Array;
  readonly max: Float64Array;
  readonly sum: Float64Array;
  readonly count: Float64Array;
  constructor(
    readonly fromMs: number,
    readonly toMs: number,
    readonly stepMs: number,
  ) {
    const n = Math.ceil((toMs - fromMs) / stepMs);
    this.ts = new Float64Array(n).fill(Infinity);
    this.min = new Float64Array(n).fill(Infinity);
    this.max = new Float64Array(n).fill(-Infinity);
    this.sum = new Float64Array(n);
    this.count = new Float64Array(n);
  }
  add(tsMs: number, min: number, max: number, sum: number, count: number): void {
    if (tsMs < this.fromMs || tsMs >= this.toMs || count <= 0) return;
    const i = Math.floor((tsMs - this.fromMs) / this.stepMs);
    if (tsMs < this.ts[i]!) this.ts[i] = tsMs;
    if (min < this.min[i]!) this.min[i] = min;
    if (max > this.max[i]!) this.max[i] = max;
    this.sum[i]! += sum;
    this.count[i]! += count;
  }
  points(): MetricPoint[] {
    const out: MetricPoint[] = [];
    for (let i = 0; i < this.ts.length; i++) {
      const c = this.count[i]!;
      if (c > 0) out.push({ tsMs: this.ts[i]!, avg: this.sum[i]! / c, min: this.min[i]!, max: this.max[i]! });
    }
    return out;
  }
}

/** Builds the series/value statements once. */
export function createMetricStore(db: Db, opts: MetricStoreOptions = {}) {
  const now = opts.now ?? (() => Date.now());
  const retention = validateRetention(opts.retention ?? DEFAULT_RETENTION);
  const seriesId = db.prepare<[string, string, string], { id: number }>('SELECT id FROM series WHERE device_id = ? AND name = ? AND labels = ?');
  const insertSeries = db.prepare<[string, string, string]>('INSERT INTO series (device_id, name, labels) VALUES (?, ?, ?)');
  const seriesOfDevice = db.prepare<[string], { id: number; name: string; labels: string }>(
    'SELECT id, name, labels FROM series WHERE device_id = ? ORDER BY name, labels',
  );
  const seriesOfDeviceByName = db.prepare<[string, string], { id: number; labels: string }>(
    'SELECT id, labels FROM series WHERE device_id = ? AND name = ? ORDER BY labels',
  );
  const seriesName = db.prepare<[number], { name: string }>('SELECT name FROM series WHERE id = ?');
  const insertHead = db.prepare<[string, number, number, Uint8Array]>(
    'INSERT OR REPLACE INTO head_reports (device_id, ts_ms, seq, payload) VALUES (?, ?, ?, ?)',
  );
  const headRange = db.prepare<[string, number, number], { ts_ms: number; seq: number; payload: Buffer }>(
    'SELECT ts_ms, seq, payload FROM head_reports WHERE device_id = ? AND ts_ms >= ? AND ts_ms < ? ORDER BY ts_ms, seq',
  );
  const allHeadPayloads = db.prepare<[], { payload: Buffer }>('SELECT payload FROM head_reports');
  const raw = createBlockTable(db, 'raw_blocks');
  const rollup1m = createBlockTable(db, 'rollup_1m_blocks');
  const rollup1h = createBlockTable(db, 'rollup_1h_blocks');

  /** Per device: series key → id and stored decimals. */
  const cache = new Map<string, Map<string, SeriesInfo>>();
  const decimalsById = new Map<number, number>();

  function seriesOf(deviceId: string): Map<string, SeriesInfo> {
    let byKey = cache.get(deviceId);
    if (!byKey) cache.set(deviceId, (byKey = new Map()));
    return byKey;
  }

  function resolveSeries(deviceId: string, byKey: Map<string, SeriesInfo>, sample: Sample): SeriesInfo {
    const key = seriesKeyOf(sample.name, sample.labels);
    let info = byKey.get(key);
    if (info) return info;
    const labels = oneLabelJsonOf(sample.name, sample.labels) ?? canonicalLabels(sample.labels);
    const id = seriesId.get(deviceId, sample.name, labels)?.id ?? Number(insertSeries.run(deviceId, sample.name, labels).lastInsertRowid);
    info = { id, decimals: storedDecimals(sample.name) };
    byKey.set(key, info);
    decimalsById.set(id, info.decimals);
    return info;
  }

  function decimalsOf(id: number): number {
    let d = decimalsById.get(id);
    if (d === undefined) {
      const name = seriesName.get(id)?.name;
      d = name ? storedDecimals(name) : 6;
      decimalsById.set(id, d);
    }
    return d;
  }

  function pickResolution(fromMs: number, toMs: number, points: number): Resolution {
    const rangeMs = toMs - fromMs;
    const nowMs = now();
    let res: Resolution = rangeMs / HOUR_MS >= points ? HOUR_MS : rangeMs / MINUTE_MS >= points ? MINUTE_MS : 0;
    // Fall back to a coarser resolution where the finer one has already been pruned.
    if (res === 0 && fromMs < nowMs - retention.rawMs) res = MINUTE_MS;
    if (res === MINUTE_MS && fromMs < nowMs - retention.rollup1mMs) res = HOUR_MS;
    return res;
  }

  function blocksFor(table: BlockTableStore, windowMs: number, deviceId: string, fromMs: number, toMs: number) {
    return table.range(deviceId, fromMs - windowMs + 1, toMs);
  }

  return {
    retention,
    /**
     * Stores one report's samples as a head row; call inside the ingest transaction. Values are
     * rounded to their stored precision. Returns the number of values stored (0 when the report
     * is older than raw retention: it would be pruned at once).
     */
    insertReport(deviceId: string, seq: number, tsMs: number, samples: readonly Sample[]): number {
      if (tsMs < now() - retention.rawMs) return 0;
      const byId = new Map<number, number>();
      const byKey = seriesOf(deviceId);
      for (const s of samples) {
        const info = resolveSeries(deviceId, byKey, s);
        byId.set(info.id, quantize(s.value, info.decimals));
      }
      const ids = [...byId.keys()].sort((a, b) => a - b);
      const values = ids.map((id) => byId.get(id)!);
      insertHead.run(deviceId, tsMs, seq, encodeReport(ids, values));
      return ids.length;
    },
    /** Forgets cached series ids (after a rolled-back transaction may have created some). */
    clearCache(): void {
      cache.clear();
      decimalsById.clear();
    },
    /** Stored decimals of a series (for rollup sums). */
    decimalsOf,
    /** The series a device has reported. */
    listSeries(deviceId: string): { name: string; labels: Record<string, string> }[] {
      return seriesOfDevice.all(deviceId).map((r) => ({ name: r.name, labels: JSON.parse(r.labels) as Record<string, string> }));
    },
    /**
     * Values of one metric (every label set) in [fromMs, toMs), downsampled to at most `points`
     * buckets per series, each with min/avg/max so spikes survive downsampling. Answered from the
     * coarsest resolution that still has at least `points` buckets in the range.
     */
    query(deviceId: string, name: string, fromMs: number, toMs: number, points: number) {
      const stepMs = Math.max(1, Math.ceil((toMs - fromMs) / points));
      const resolution = pickResolution(fromMs, toMs, points);
      const list = seriesOfDeviceByName.all(deviceId, name);
      const acc = new Map<number, Buckets>(list.map((s) => [s.id, new Buckets(fromMs, toMs, stepMs)]));
      const wants = (id: number) => acc.has(id);
      if (acc.size > 0) {
        // Head rows are never in a block or a rollup yet: always add them as raw values. At a
        // rollup resolution they count at their bucket's start, as the rollups will.
        for (const row of headRange.iterate(deviceId, fromMs, toMs)) {
          const r = decodeReport(row.payload);
          const ts = resolution === 0 ? row.ts_ms : Math.floor(row.ts_ms / resolution) * resolution;
          for (let i = 0; i < r.seriesIds.length; i++) {
            const b = acc.get(r.seriesIds[i]!);
            const v = r.values[i]!;
            if (b) b.add(ts, v, v, v, 1);
          }
        }
        if (resolution === 0) {
          for (const row of blocksFor(raw, RAW_WINDOW_MS, deviceId, fromMs, toMs)) {
            const block = decodeBlock(row.payload, wants);
            for (const s of block.series) {
              const b = acc.get(s.seriesId)!;
              const vals = s.columns[0]!;
              let j = 0;
              for (let i = 0; i < block.timestamps.length; i++) {
                if (s.present && !s.present[i]) continue;
                const v = vals[j++]!;
                b.add(block.timestamps[i]!, v, v, v, 1);
              }
            }
          }
        } else {
          const table = resolution === HOUR_MS ? rollup1h : rollup1m;
          const windowMs = resolution === HOUR_MS ? ROLLUP_1H_WINDOW_MS : RAW_WINDOW_MS;
          for (const row of blocksFor(table, windowMs, deviceId, fromMs, toMs)) {
            const block = decodeBlock(row.payload, wants);
            for (const s of block.series) {
              const b = acc.get(s.seriesId)!;
              const [mins, maxs, sums, counts] = s.columns as [number[], number[], number[], number[]];
              let j = 0;
              for (let i = 0; i < block.timestamps.length; i++) {
                if (s.present && !s.present[i]) continue;
                b.add(block.timestamps[i]!, mins[j]!, maxs[j]!, sums[j]!, counts[j]!);
                j++;
              }
            }
          }
        }
      }
      return {
        stepMs,
        resolutionMs: resolution,
        series: list.map((s) => ({ labels: JSON.parse(s.labels) as Record<string, string>, points: acc.get(s.id)!.points() })),
      };
    },
    /** Head rows of a device in [fromMs, toMs), decoded (for the compactor and tests). */
    readHead(deviceId: string, fromMs: number, toMs: number) {
      return headRange.all(deviceId, fromMs, toMs).map((r) => ({ tsMs: r.ts_ms, seq: r.seq, ...decodeReport(r.payload) }));
    },
    /** Values stored at raw resolution: head rows plus raw blocks. */
    countRawValues(): number {
      let n = raw.totals().values;
      for (const r of allHeadPayloads.iterate()) n += countReportValues(r.payload);
      return n;
    },
    tables: { raw, rollup1m, rollup1h },
  };
}
export type MetricStore = ReturnType<typeof createMetricStore>;
