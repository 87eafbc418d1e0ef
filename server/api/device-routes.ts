/** /api/devices: the fleet list, one device, and its downsampled metric series. */
import { Router } from 'express';
import { z } from 'zod';
import type { DeviceDetail, MetricSeriesResponse } from '../../shared/api-types.js';
import { isMetricName } from '../../shared/metrics.js';
import { HttpError, parseInput } from '../http/errors.js';
import type { ApiContext } from './context.js';

const DAY_MS = 86_400_000;
/** Longest range one metrics query may span. */
const MAX_RANGE_MS = 400 * DAY_MS;

const metricsQuerySchema = z
  .object({
    name: z.string().refine(isMetricName, 'unknown metric name; see docs/PROTOCOL.md for the list'),
    from: z.coerce.number().int().min(0).optional(),
    to: z.coerce.number().int().min(0).optional(),
    points: z.coerce.number().int().min(1).max(5_000).default(500),
  })
  .strict();

export function deviceRoutes(ctx: ApiContext): Router {
  const r = Router();

  r.get('/', (_req, res) => {
    const started = performance.now();
    const list = ctx.devices.listSummaries(ctx.isOnline);
    res.setHeader('Server-Timing', `list;dur=${(performance.now() - started).toFixed(1)}`);
    res.json(list);
  });

  r.get('/:id', (req, res) => {
    const summary = ctx.devices.summary(req.params.id, ctx.isOnline);
    const device = ctx.devices.findById(req.params.id);
    if (!summary || !device) throw new HttpError(404, 'DEVICE_NOT_FOUND', `no device with id ${req.params.id}`);
    const detail: DeviceDetail = {
      ...summary,
      agentVersion: device.agentVersion,
      facts: device.facts,
      series: ctx.metrics.listSeries(device.id),
      latest: device.latest,
    };
    res.json(detail);
  });

  r.get('/:id/metrics', (req, res) => {
    const device = ctx.devices.findById(req.params.id);
    if (!device) throw new HttpError(404, 'DEVICE_NOT_FOUND', `no device with id ${req.params.id}`);
    const q = parseInput(metricsQuerySchema, req.query, 'query');
    const toMs = q.to ?? ctx.now();
    const fromMs = q.from ?? toMs - 3_600_000;
    if (fromMs >= toMs) throw new HttpError(400, 'INVALID_RANGE', 'from must be before to');
    if (toMs - fromMs > MAX_RANGE_MS) throw new HttpError(400, 'INVALID_RANGE', 'a query may span at most 400 days');
    const started = performance.now();
    const { stepMs, resolutionMs, series } = ctx.metrics.query(device.id, q.name, fromMs, toMs, q.points);
    res.setHeader('Server-Timing', `query;dur=${(performance.now() - started).toFixed(1)}`);
    res.json({ deviceId: device.id, name: q.name, fromMs, toMs, stepMs, resolutionMs, series } satisfies MetricSeriesResponse);
  });
  return r;
}
