/**
 * Group-commit ingest. Reports from all agents are queued and written in one SQLite transaction
 * per batch (at most `maxDelayMs` after the first queued report, sooner when `maxBatch` is
 * reached). Only after the commit are the reports' callbacks told, so the gateway acks a report
 * exactly when it is durable. Replays (seq ≤ the stream's stored seq) are acknowledged without
 * being stored again.
 *
 *   submit(report) → queue → flush: BEGIN; dedupe by (device, stream, seq); insert samples;
 *   update latest + stream seq; COMMIT → done(ok) per report → onCommitted(stored reports)
 */
import type { Logger } from 'pino';
import type { Report } from '../../shared/protocol.js';
import { formatSeriesKey } from '../../shared/metrics.js';
import type { Db } from '../store/database.js';
import type { DeviceStore } from '../store/devices.js';
import type { MetricStore } from '../store/metrics.js';
import { createStorageHealth } from './storage-health.js';

/** One report waiting to be stored. */
export interface IngestItem {
  deviceId: string;
  streamId: string;
  report: Report;
  /** When the server received it, for latency figures. */
  receivedAtMs: number;
}

/** What happened to one submitted report. */
export type IngestResult = { ok: true; isDuplicate: boolean } | { ok: false; error: Error };

/** A report that was stored, handed to live push and rule evaluation. */
export interface StoredReport extends IngestItem {
  /** Latest value per series key after this report. */
  latest: Record<string, number>;
}

/** Figures for /metrics and benchmarks. */
export interface IngestStats {
  reportsStored: number;
  duplicates: number;
  valuesStored: number;
  batches: number;
  failedBatches: number;
  queued: number;
  lastBatchSize: number;
  lastCommitMs: number;
}

export interface IngestOptions {
  db: Db;
  devices: DeviceStore;
  metrics: MetricStore;
  logger: Logger;
  now: () => number;
  /** Longest a queued report waits for its batch, ms. */
  maxDelayMs?: number;
  /** Most reports in one transaction. */
  maxBatch?: number;
  onCommitted?: (reports: StoredReport[]) => void;
}

/** Creates the batching writer. */
export function createIngest(opts: IngestOptions) {
  const { db, devices, metrics, logger } = opts;
  const maxDelayMs = opts.maxDelayMs ?? 50;
  const maxBatch = opts.maxBatch ?? 2_000;
  let queue: { item: IngestItem; done: (r: IngestResult) => void }[] = [];
  let timer: NodeJS.Timeout | undefined;
  const stats: IngestStats = { reportsStored: 0, duplicates: 0, valuesStored: 0, batches: 0, failedBatches: 0, queued: 0, lastBatchSize: 0, lastCommitMs: 0 };
  /** Per device: stream seq and latest values, loaded lazily and only updated after a commit. */
  const seqCache = new Map<string, number>();
  const latestCache = new Map<string, Record<string, number>>();
  // Locked database, full disk: logged once per fault, retried at most once a second (storage-health.ts).
  const health = createStorageHealth({ logger, now: opts.now });

  const writeBatch = db.transaction((batch: IngestItem[]) => {
    const seqs = new Map<string, number>();
    const latests = new Map<string, Record<string, number>>();
    const results: { isDuplicate: boolean; latest?: Record<string, number> }[] = [];
    for (const item of batch) {
      const streamKey = `${item.deviceId}\u0000${item.streamId}`;
      const last = seqs.get(streamKey) ?? seqCache.get(streamKey) ?? devices.lastSeq(item.deviceId, item.streamId);
      if (item.report.seq <= last) {
        results.push({ isDuplicate: true });
        continue;
      }
      metrics.insertSamples(item.deviceId, item.report.tsMs, item.report.metrics);
      devices.setLastSeq(item.deviceId, item.streamId, item.report.seq);
      seqs.set(streamKey, item.report.seq);
      const prev = latests.get(item.deviceId) ?? latestCache.get(item.deviceId) ?? devices.findById(item.deviceId)?.latest ?? {};
      const latest = { ...prev };
      for (const s of item.report.metrics) latest[formatSeriesKey(s.name, s.labels)] = s.value;
      latests.set(item.deviceId, latest);
      devices.recordLatest(item.deviceId, item.report.tsMs, latest);
      results.push({ isDuplicate: false, latest });
    }
    return { seqs, latests, results };
  });

  function flush(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (queue.length === 0) return;
    const batch = queue.slice(0, maxBatch);
    queue = queue.slice(batch.length);
    stats.queued = queue.length;
    const items = batch.map((b) => b.item);
    const started = opts.now();
    let outcome: ReturnType<typeof writeBatch>;
    const skipped = health.skipReason();
    try {
      if (skipped) throw skipped;
      outcome = writeBatch(items);
    } catch (err) {
      stats.failedBatches++;
      metrics.clearCache();
      if (!skipped) health.failed(err, { batchSize: batch.length });
      for (const b of batch) b.done({ ok: false, error: err as Error });
      if (queue.length > 0) schedule();
      return;
    }
    health.succeeded();
    for (const [k, v] of outcome.seqs) seqCache.set(k, v);
    for (const [k, v] of outcome.latests) latestCache.set(k, v);
    stats.batches++;
    stats.lastBatchSize = batch.length;
    stats.lastCommitMs = opts.now() - started;
    const stored: StoredReport[] = [];
    batch.forEach((b, i) => {
      const r = outcome.results[i]!;
      if (r.isDuplicate) stats.duplicates++;
      else {
        stats.reportsStored++;
        stats.valuesStored += b.item.report.metrics.length;
        stored.push({ ...b.item, latest: r.latest! });
      }
      b.done({ ok: true, isDuplicate: r.isDuplicate });
    });
    if (stored.length > 0 && opts.onCommitted) {
      try {
        opts.onCommitted(stored);
      } catch (err) {
        logger.error({ err }, 'post-commit handler failed');
      }
    }
    if (queue.length > 0) schedule();
  }

  function schedule(): void {
    if (queue.length >= maxBatch) {
      setImmediate(flush);
      return;
    }
    timer ??= setTimeout(flush, maxDelayMs);
  }

  return {
    /** Queues a report; `done` is called once it is committed (or failed). */
    submit(item: IngestItem, done: (r: IngestResult) => void): void {
      queue.push({ item, done });
      stats.queued = queue.length;
      schedule();
    },
    /** Highest stored seq of a device's stream. */
    lastSeq(deviceId: string, streamId: string): number {
      return seqCache.get(`${deviceId}\u0000${streamId}`) ?? devices.lastSeq(deviceId, streamId);
    },
    /** True while the database refuses writes (locked, disk full); see storage-health.ts. */
    isStorageFaulted: (): boolean => health.isFaulted(),
    /** Another write of the agent path (hello, inventory) failed: logged with ingest's, once per fault. */
    noteWriteFailed: (err: unknown, fields: Record<string, unknown>): void => health.failed(err, fields),
    /** Writes everything queued now (used at shutdown). */
    flushAll(): void {
      while (queue.length > 0) {
        const before = queue.length;
        flush();
        if (queue.length >= before) break;
      }
    },
    stats(): IngestStats {
      return { ...stats };
    },
  };
}
export type Ingest = ReturnType<typeof createIngest>;
