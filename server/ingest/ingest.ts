/**
 * Group-commit ingest. Reports from all agents are queued and written in one SQLite transaction
 * per batch (at most `maxDelayMs` after the first queued report, sooner when `maxBatch` is
 * reached). Only after the commit are the reports' callbacks told, so the gateway acks a report
 * exactly when it is durable. Replays (seq ≤ the stream's stored seq) are acknowledged without
 * being stored again.
 *
 *   submit(report) → queue → flush: BEGIN; dedupe by (device, stream, seq); insert head rows;
 *   update latest + stream seq; COMMIT → done(ok) per report → onCommitted(stored reports)
 *
 * Back-pressure: the queue is bounded by the agents themselves (each caps its unacked reports)
 * and by the gateway, which stops reading agent sockets while `isUnderPressure()`: from the
 * moment more than `highWaterReports` are queued until the queue is back under half of that.
 * Nothing is dropped and nothing is acked early; agents keep the rest in their spool.
 */
import type { Logger } from 'pino';
import type { Hello, Report } from '../../shared/protocol.js';
import { seriesKeyOf } from '../../shared/metrics.js';
import type { Db } from '../store/database.js';
import type { DeviceStore } from '../store/devices.js';
import type { MetricStore } from '../series/index.js';
import { createListeners } from '../lib/listeners.js';
import { createStorageHealth } from './storage-health.js';

/** One report waiting to be stored. */
export interface IngestItem {
  deviceId: string;
  streamId: string;
  report: Report;
  /** When the server received it, for latency figures. */
  receivedAtMs: number;
  /**
   * The agent connection it came on (increasing per connection). A refused report blocks the
   * later reports of its own connection; a newer connection starts afresh from welcome.lastSeq.
   */
  connectionId?: number;
  /**
   * Site probe: the probed device whose metrics these are (checked by the gateway to be assigned
   * to `deviceId`, the probe). The seq stream stays the probe's; values and latest go to the target.
   */
  targetDeviceId?: string;
}

/** Refusal of a report that follows an unstored one of the same stream and connection. */
export class StreamGapError extends Error {
  constructor(
    readonly seq: number,
    readonly gapSeq: number,
  ) {
    super(`report ${seq} not stored: report ${gapSeq} of this stream was not stored and must be resent first`);
    this.name = 'StreamGapError';
  }
}

/** What happened to one submitted report. */
export type IngestResult = { ok: true; isDuplicate: boolean } | { ok: false; error: Error };

/** A stream's first unstored seq and the connection it was refused on. */
interface StreamGap {
  seq: number;
  connectionId: number;
}

/**
 * A report that was stored, handed to live push and rule evaluation. `deviceId` is the device the
 * values belong to: for a probe's report about a probed device, the probed device.
 */
export interface StoredReport extends IngestItem {
  /** Latest value per series key after this report. */
  latest: Record<string, number>;
}

/** Figures for /metrics and benchmarks. */
export interface IngestStats {
  reportsStored: number;
  duplicates: number;
  /** Reports older than raw retention: acknowledged, not stored. */
  expired: number;
  valuesStored: number;
  batches: number;
  failedBatches: number;
  queued: number;
  /** Highest queue length seen. */
  maxQueued: number;
  lastBatchSize: number;
  lastCommitMs: number;
  /** When ingest last committed reports (clock ms), 0 before the first commit. */
  lastCommitAtMs: number;
  /** Times the writer went over the high-water mark. */
  pressureEvents: number;
}

/** Figures of one committed batch, for histograms. */
export interface BatchInfo {
  reports: number;
  values: number;
  commitMs: number;
  /** Per stored report: commit time − server receive time, ms. */
  queueLatenciesMs: number[];
}

export interface IngestOptions {
  db: Db;
  devices: DeviceStore;
  metrics: MetricStore;
  logger: Logger;
  now: () => number;
  /** Longest a queued report waits for its batch, ms (≤ 100). */
  maxDelayMs?: number;
  /** Most reports in one transaction. */
  maxBatch?: number;
  /** Queue length at which the writer asks the gateway to stop reading. */
  highWaterReports?: number;
  /**
   * Awaited before each batch is written. Tests inject a delay here to play a slow disk; the
   * server leaves it unset (batches are then written synchronously).
   */
  beforeBatch?: () => Promise<void>;
}

/** Creates the batching writer. */
export function createIngest(opts: IngestOptions) {
  const { db, devices, metrics, logger } = opts;
  const committedListeners = createListeners<[StoredReport[]]>((err) => logger.error({ err }, 'post-commit listener failed'));
  const pressureListeners = createListeners<[boolean]>((err) => logger.error({ err }, 'ingest pressure listener failed'));
  const batchListeners = createListeners<[BatchInfo]>((err) => logger.error({ err }, 'ingest batch listener failed'));
  const maxDelayMs = Math.min(opts.maxDelayMs ?? 50, 100);
  // 500: after a stall the backlog is written in several short transactions, with socket I/O
  // (acks, reads) in between, instead of one that holds the event loop for most of a second.
  const maxBatch = opts.maxBatch ?? 500;
  const highWater = opts.highWaterReports ?? 10_000;
  const lowWater = Math.floor(highWater / 2);
  const queue: { item: IngestItem; done: (r: IngestResult) => void }[] = [];
  let timer: NodeJS.Timeout | undefined;
  let isWriting = false;
  let isUnderPressure = false;
  const stats: IngestStats = {
    reportsStored: 0,
    duplicates: 0,
    expired: 0,
    valuesStored: 0,
    batches: 0,
    failedBatches: 0,
    queued: 0,
    maxQueued: 0,
    lastBatchSize: 0,
    lastCommitMs: 0,
    lastCommitAtMs: 0,
    pressureEvents: 0,
  };
  /** Per device: stream seq and latest values, loaded lazily and only updated after a commit. */
  const seqCache = new Map<string, number>();
  const latestCache = new Map<string, Record<string, number>>();
  /** Hellos to record with the next batch (a reconnect storm is 15,000 of them). */
  let pendingHellos = new Map<string, Hello>();
  /** Streams with a refused report; see the header. Keyed like seqCache. */
  const gaps = new Map<string, StreamGap>();
  const streamKeyOf = (item: IngestItem) => `${item.deviceId}\u0000${item.streamId}`;

  /** The refusal for an item behind its stream's gap, or undefined; closes gaps a newer connection or the refused seq passes. */
  function gapRefusal(item: IngestItem): StreamGapError | undefined {
    const key = streamKeyOf(item);
    const gap = gaps.get(key);
    if (!gap) return undefined;
    const connectionId = item.connectionId ?? 0;
    if (connectionId > gap.connectionId || item.report.seq <= gap.seq) return undefined;
    return new StreamGapError(item.report.seq, gap.seq);
  }

  /** Records the gaps of a batch that could not be written. */
  function openGaps(items: IngestItem[]): void {
    for (const item of items) {
      const key = streamKeyOf(item);
      const gap = gaps.get(key);
      const connectionId = item.connectionId ?? 0;
      if (gap && gap.connectionId >= connectionId && gap.seq <= item.report.seq) continue;
      if (gap && gap.connectionId > connectionId) continue;
      gaps.set(key, { seq: item.report.seq, connectionId });
    }
  }
  // Locked database, full disk: logged once per fault, retried at most once a second (storage-health.ts).
  const health = createStorageHealth({ logger, now: opts.now });

  const writeBatch = db.transaction((batch: IngestItem[], hellos: Map<string, Hello>) => {
    for (const [deviceId, hello] of hellos) devices.recordHello(deviceId, hello);
    const seqs = new Map<string, number>();
    const latests = new Map<string, { tsMs: number; latest: Record<string, number> }>();
    const results: ({ isDuplicate: boolean; values: number; latest?: Record<string, number> } | { refused: StreamGapError })[] = [];
    for (const item of batch) {
      const refused = gapRefusal(item);
      if (refused) {
        results.push({ refused });
        continue;
      }
      const streamKey = `${item.deviceId}\u0000${item.streamId}`;
      const last = seqs.get(streamKey) ?? seqCache.get(streamKey) ?? devices.lastSeq(item.deviceId, item.streamId);
      if (item.report.seq <= last) {
        results.push({ isDuplicate: true, values: 0 });
        continue;
      }
      const owner = item.targetDeviceId ?? item.deviceId;
      const values = metrics.insertReport(owner, item.report.seq, item.report.tsMs, item.report.metrics);
      seqs.set(streamKey, item.report.seq);
      const prev = latests.get(owner)?.latest ?? latestCache.get(owner) ?? devices.findById(owner)?.latest ?? {};
      const latest = { ...prev };
      for (const s of item.report.metrics) latest[seriesKeyOf(s.name, s.labels)] = s.value;
      const seen = latests.get(owner);
      // A replayed old report updates the series it carries but not last-seen time.
      latests.set(owner, { tsMs: Math.max(seen?.tsMs ?? 0, item.report.tsMs), latest });
      results.push({ isDuplicate: false, values, latest });
    }
    for (const [key, seq] of seqs) {
      const [deviceId, streamId] = key.split('\u0000') as [string, string];
      devices.setLastSeq(deviceId, streamId, seq);
    }
    for (const [deviceId, l] of latests) devices.recordLatest(deviceId, l.tsMs, l.latest);
    return { seqs, latests, results };
  });

  function updatePressure(): void {
    stats.queued = queue.length;
    if (queue.length > stats.maxQueued) stats.maxQueued = queue.length;
    if (!isUnderPressure && queue.length > highWater) {
      isUnderPressure = true;
      stats.pressureEvents++;
      logger.warn({ queued: queue.length, highWater }, 'ingest writer behind; pausing agent reads');
      pressureListeners.emit(true);
    } else if (isUnderPressure && queue.length <= lowWater) {
      isUnderPressure = false;
      logger.info({ queued: queue.length }, 'ingest writer caught up; resuming agent reads');
      pressureListeners.emit(false);
    }
  }

  function writeNext(): void {
    if (queue.length === 0 && pendingHellos.size === 0) return;
    const batch = queue.splice(0, maxBatch);
    const items = batch.map((b) => b.item);
    const hellos = pendingHellos;
    pendingHellos = new Map();
    const started = performance.now();
    let outcome: ReturnType<typeof writeBatch>;
    const skipped = health.skipReason();
    try {
      if (skipped) throw skipped;
      outcome = writeBatch(items, hellos);
    } catch (err) {
      stats.failedBatches++;
      openGaps(items);
      metrics.clearCache();
      if (!skipped) health.failed(err, { batchSize: batch.length });
      // Hellos not written go back in line, unless a newer hello of the same device came meanwhile.
      for (const [id, hello] of hellos) if (!pendingHellos.has(id)) pendingHellos.set(id, hello);
      for (const b of batch) b.done({ ok: false, error: err as Error });
      updatePressure();
      return;
    }
    health.succeeded();
    const commitMs = performance.now() - started;
    if (commitMs > 500) logger.warn({ commitMs: Math.round(commitMs), reports: batch.length }, 'ingest commit was slow');
    const committedAt = opts.now();
    for (const [k, v] of outcome.seqs) seqCache.set(k, v);
    // A stored report of a gapped stream closes the gap: it was the refused seq itself, or it
    // came on a newer connection, whose agent replays from the stored seq.
    for (const k of outcome.seqs.keys()) gaps.delete(k);
    for (const [k, v] of outcome.latests) latestCache.set(k, v.latest);
    stats.batches++;
    stats.lastBatchSize = batch.length;
    stats.lastCommitMs = commitMs;
    stats.lastCommitAtMs = committedAt;
    const stored: StoredReport[] = [];
    const queueLatenciesMs: number[] = [];
    let values = 0;
    batch.forEach((b, i) => {
      const r = outcome.results[i]!;
      if ('refused' in r) {
        b.done({ ok: false, error: r.refused });
        return;
      }
      if (r.isDuplicate) stats.duplicates++;
      else if (r.values === 0 && b.item.report.metrics.length > 0) stats.expired++;
      else {
        stats.reportsStored++;
        stats.valuesStored += r.values;
        values += r.values;
        queueLatenciesMs.push(committedAt - b.item.receivedAtMs);
      }
      if (!r.isDuplicate) stored.push({ ...b.item, deviceId: b.item.targetDeviceId ?? b.item.deviceId, latest: r.latest! });
      b.done({ ok: true, isDuplicate: r.isDuplicate });
    });
    updatePressure();
    batchListeners.emit({ reports: batch.length, values, commitMs, queueLatenciesMs });
    if (stored.length > 0) committedListeners.emit(stored);
  }

  function flush(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (isWriting || (queue.length === 0 && pendingHellos.size === 0)) return;
    if (opts.beforeBatch) {
      isWriting = true;
      opts.beforeBatch().then(
        () => {
          isWriting = false;
          writeNext();
          if (queue.length > 0) schedule();
        },
        (err: unknown) => {
          isWriting = false;
          logger.error({ err }, 'beforeBatch hook failed');
          if (queue.length > 0) schedule();
        },
      );
      return;
    }
    writeNext();
    if (queue.length > 0) schedule();
  }

  function schedule(): void {
    if (queue.length >= maxBatch) {
      if (timer) clearTimeout(timer);
      timer = undefined;
      setImmediate(flush);
      return;
    }
    timer ??= setTimeout(flush, maxDelayMs);
  }

  return {
    /** Subscribes to the reports of each commit (duplicates left out); returns the unsubscribe function. */
    onCommitted: (listener: (reports: StoredReport[]) => void) => committedListeners.add(listener),
    /** Subscribes to the writer going over the high-water mark (true) or back under half (false). */
    onPressure: (listener: (isUnderPressure: boolean) => void) => pressureListeners.add(listener),
    /** Subscribes to each batch's figures (for /metrics). */
    onBatch: (listener: (info: BatchInfo) => void) => batchListeners.add(listener),
    /** Queues a report; `done` is called once it is committed (or failed). */
    submit(item: IngestItem, done: (r: IngestResult) => void): void {
      queue.push({ item, done });
      updatePressure();
      schedule();
    },
    /** Records what an agent said in hello, with the next batch (no transaction of its own). */
    recordHello(deviceId: string, hello: Hello): void {
      pendingHellos.set(deviceId, hello);
      schedule();
    },
    /** Highest stored seq of a device's stream. */
    lastSeq(deviceId: string, streamId: string): number {
      return seqCache.get(`${deviceId}\u0000${streamId}`) ?? devices.lastSeq(deviceId, streamId);
    },
    /** True from going over the high-water mark until back under half of it. */
    isUnderPressure: () => isUnderPressure,
    /** Age of the oldest queued report, ms (0 when the queue is empty). */
    lagMs(): number {
      const first = queue[0];
      return first ? Math.max(0, opts.now() - first.item.receivedAtMs) : 0;
    },
    /** True while the database refuses writes (locked, disk full); see storage-health.ts. */
    isStorageFaulted: (): boolean => health.isFaulted(),
    /** Another write of the agent path (hello, inventory) failed: logged with ingest's, once per fault. */
    noteWriteFailed: (err: unknown, fields: Record<string, unknown>): void => health.failed(err, fields),
    /** Writes everything queued now, ignoring beforeBatch (used at shutdown). */
    flushAll(): void {
      if (timer) clearTimeout(timer);
      timer = undefined;
      while (queue.length > 0 || pendingHellos.size > 0) {
        const before = queue.length;
        writeNext();
        if (queue.length > 0 && queue.length >= before) break;
      }
    },
    stats(): IngestStats {
      return { ...stats, queued: queue.length };
    },
  };
}
export type Ingest = ReturnType<typeof createIngest>;
