/**
 * Metric series and samples. A series is (device, metric name, labels); samples are stored per
 * series keyed by time. Series ids are cached in memory so ingest does one insert per value.
 */
import type { MetricPoint } from '../../shared/api-types.js';
import type { Sample } from '../../shared/protocol.js';
import type { Db } from './database.js';

/** Canonical JSON of a label set (sorted keys), the form stored in series.labels. */
export function canonicalLabels(labels: Readonly<Record<string, string>> | undefined): string {
  if (!labels) return '{}';
  const keys = Object.keys(labels).sort();
  const out: Record<string, string> = {};
  for (const k of keys) out[k] = labels[k]!;
  return JSON.stringify(out);
}

/** Builds the series/sample statements once. */
export function createMetricStore(db: Db) {
  const seriesId = db.prepare<[string, string, string], { id: number }>(
    'SELECT id FROM series WHERE device_id = ? AND name = ? AND labels = ?',
  );
  const insertSeries = db.prepare<[string, string, string]>('INSERT INTO series (device_id, name, labels) VALUES (?, ?, ?)');
  const insertSample = db.prepare<[number, number, number]>('INSERT OR REPLACE INTO samples (series_id, ts_ms, value) VALUES (?, ?, ?)');
  const seriesOfDevice = db.prepare<[string], { id: number; name: string; labels: string }>(
    'SELECT id, name, labels FROM series WHERE device_id = ? ORDER BY name, labels',
  );
  const seriesOfDeviceByName = db.prepare<[string, string], { id: number; labels: string }>(
    'SELECT id, labels FROM series WHERE device_id = ? AND name = ? ORDER BY labels',
  );
  const bucketed = db.prepare<{ id: number; from: number; to: number; step: number }, { ts: number; avg: number; min: number; max: number }>(
    `SELECT min(ts_ms) AS ts, avg(value) AS avg, min(value) AS min, max(value) AS max
       FROM samples WHERE series_id = @id AND ts_ms >= @from AND ts_ms < @to
      GROUP BY CAST((ts_ms - @from) / @step AS INTEGER) ORDER BY 1`,
  );
  const cache = new Map<string, number>();

  function resolveSeries(deviceId: string, name: string, labels: string): number {
    const key = `${deviceId}\u0000${name}\u0000${labels}`;
    let id = cache.get(key);
    if (id !== undefined) return id;
    id = seriesId.get(deviceId, name, labels)?.id;
    if (id === undefined) id = Number(insertSeries.run(deviceId, name, labels).lastInsertRowid);
    cache.set(key, id);
    return id;
  }

  return {
    /** Inserts one report's samples; call inside the ingest transaction. Returns values stored. */
    insertSamples(deviceId: string, tsMs: number, samples: readonly Sample[]): number {
      for (const s of samples) insertSample.run(resolveSeries(deviceId, s.name, canonicalLabels(s.labels)), tsMs, s.value);
      return samples.length;
    },
    /** Forgets cached series ids (after a rolled-back transaction may have created some). */
    clearCache(): void {
      cache.clear();
    },
    /** The series a device has reported. */
    listSeries(deviceId: string): { name: string; labels: Record<string, string> }[] {
      return seriesOfDevice.all(deviceId).map((r) => ({ name: r.name, labels: JSON.parse(r.labels) as Record<string, string> }));
    },
    /**
     * Samples of one metric (every label set) in [fromMs, toMs), downsampled to at most `points`
     * buckets per series, each with min/avg/max so spikes survive downsampling.
     */
    query(deviceId: string, name: string, fromMs: number, toMs: number, points: number) {
      const stepMs = Math.max(1, Math.ceil((toMs - fromMs) / points));
      return {
        stepMs,
        series: seriesOfDeviceByName.all(deviceId, name).map((s) => ({
          labels: JSON.parse(s.labels) as Record<string, string>,
          points: bucketed.all({ id: s.id, from: fromMs, to: toMs, step: stepMs }).map(
            (p): MetricPoint => ({ tsMs: p.ts, avg: p.avg, min: p.min, max: p.max }),
          ),
        })),
      };
    },
  };
}
export type MetricStore = ReturnType<typeof createMetricStore>;
