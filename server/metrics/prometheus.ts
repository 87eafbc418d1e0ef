/**
 * The server's own Prometheus metrics (GET /metrics), on a registry of its own (never the
 * prom-client global one, so several servers in one process — tests — do not collide).
 * Gauges are read from their sources when scraped; ingest batches are observed as they commit.
 *
 * Access: with a token configured (QP_METRICS_TOKEN) a scrape needs `Authorization: Bearer
 * <token>`; without one, only loopback clients may scrape (a local Prometheus or an SSH tunnel).
 */
import type { RequestHandler } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BatchInfo, IngestStats } from '../ingest/ingest.js';

/** Where the figures come from. The optional ones belong to other modules (alerting, notify). */
export interface MetricSources {
  connectedAgents: () => number;
  pausedAgentConnections: () => number;
  ingestStats: () => IngestStats;
  isIngestUnderPressure: () => boolean;
  /** Age of the oldest report waiting for the writer, ms. */
  writerLagMs: () => number;
  storageStats?: () => { windowsCompacted: number; blocksPruned: number; headRows?: number };
  /** Notifications waiting in the outbox. */
  outboxDepth?: () => number;
  openAlerts?: () => number;
  openIncidents?: () => number;
}

/** Builds the registry and its metrics. */
export function createServerMetrics(sources: MetricSources) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
  // prom-client names these gauges *_total, which promtool rejects; the per-type gauges without
  // the suffix (nodejs_active_handles{type=…}, …) carry the same figures.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
    registry.removeSingleMetric(name);
  }

  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  /** A counter that mirrors a monotonic figure kept elsewhere. */
  const mirroredCounter = (name: string, help: string, read: () => number) => {
    let last = 0;
    return new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        const now = read();
        if (now > last) this.inc(now - last);
        last = now;
      },
    });
  };

  gauge('qp_agents_connected', 'Agent WebSocket connections open now.', sources.connectedAgents);
  gauge('qp_agent_connections_paused', 'Agent connections not being read now (flow control).', sources.pausedAgentConnections);
  gauge('qp_ingest_backpressure', '1 while the ingest writer is over its high-water mark and agent reads are paused.', () =>
    sources.isIngestUnderPressure() ? 1 : 0,
  );
  gauge('qp_ingest_queue_reports', 'Reports received and waiting for their commit.', () => sources.ingestStats().queued);
  gauge('qp_ingest_writer_lag_seconds', 'Age of the oldest report waiting for the writer.', () => sources.writerLagMs() / 1000);
  mirroredCounter('qp_ingest_reports_total', 'Reports stored.', () => sources.ingestStats().reportsStored);
  mirroredCounter('qp_ingest_values_total', 'Metric values stored.', () => sources.ingestStats().valuesStored);
  mirroredCounter('qp_ingest_duplicate_reports_total', 'Replayed reports acknowledged without storing them again.', () => sources.ingestStats().duplicates);
  mirroredCounter(
    'qp_ingest_failed_batches_total',
    'Ingest transactions that failed (their reports were not acknowledged).',
    () => sources.ingestStats().failedBatches,
  );
  mirroredCounter('qp_ingest_backpressure_events_total', 'Times the ingest writer went over its high-water mark.', () => sources.ingestStats().pressureEvents);
  const batchSize = new Histogram({
    name: 'qp_ingest_batch_reports',
    help: 'Reports per ingest transaction.',
    buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2000],
    registers: [registry],
  });
  const commitSeconds = new Histogram({
    name: 'qp_ingest_commit_seconds',
    help: 'Duration of one ingest transaction including its commit.',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  const queueSeconds = new Histogram({
    name: 'qp_ingest_latency_seconds',
    help: 'Time from receiving a report to its commit.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  if (sources.storageStats) {
    const read = sources.storageStats;
    mirroredCounter('qp_storage_windows_compacted_total', 'Device-hours moved from head rows into blocks.', () => read().windowsCompacted);
    mirroredCounter('qp_storage_blocks_pruned_total', 'Blocks deleted by retention.', () => read().blocksPruned);
  }
  if (sources.outboxDepth) gauge('qp_outbox_depth', 'Notifications waiting in the outbox.', sources.outboxDepth);
  if (sources.openAlerts) gauge('qp_alerts_open', 'Alerts firing or acknowledged.', sources.openAlerts);
  if (sources.openIncidents) gauge('qp_incidents_open', 'Incidents open.', sources.openIncidents);

  return {
    registry,
    /** Records one committed ingest batch. */
    observeBatch(info: BatchInfo): void {
      // A transaction that only wrote hellos carries no reports; counting it would skew the histogram.
      if (info.reports > 0) batchSize.observe(info.reports);
      commitSeconds.observe(info.commitMs / 1000);
      for (const ms of info.queueLatenciesMs) queueSeconds.observe(ms / 1000);
    },
  };
}
export type ServerMetrics = ReturnType<typeof createServerMetrics>;

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/** GET /metrics handler with the access rule above. */
export function metricsHandler(metrics: ServerMetrics, token: string | undefined): RequestHandler {
  const expected = token ? Buffer.from(`Bearer ${token}`) : undefined;
  return (req, res, next) => {
    if (expected) {
      const got = Buffer.from(req.headers.authorization ?? '');
      if (got.length !== expected.length || !timingSafeEqual(got, expected)) {
        res.status(401).json({ error: { code: 'UNAUTHENTICATED', message: 'send Authorization: Bearer <QP_METRICS_TOKEN>' } });
        return;
      }
    } else if (!isLoopback(req.socket.remoteAddress)) {
      res.status(403).json({ error: { code: 'FORBIDDEN', message: 'metrics are served to loopback only unless QP_METRICS_TOKEN is set' } });
      return;
    }
    metrics.registry.metrics().then((text) => {
      res.setHeader('Content-Type', metrics.registry.contentType);
      res.send(text);
    }, next);
  };
}
