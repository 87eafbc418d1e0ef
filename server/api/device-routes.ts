/** /api/devices: the fleet list, one device, and its downsampled metric series. */
import { Router } from 'express';
import { z } from 'zod';
import type { DeviceDetail, MetricSeriesResponse } from '../../shared/api-types.js';
import { isMetricName } from '../../shared/metrics.js';
import { CloseCode } from '../../shared/protocol.js';
import { HttpError, parseInput } from '../lib/errors.js';
import { requireRole } from '../auth/sessions.js';
import { withHealth } from '../store/device-health.js';
import { agentSettingsSchema, effectiveAgentConfig } from '../store/agent-settings.js';
import { actorOf } from '../audit/audit-log.js';
import type { ApiContext } from './context.js';

/** How long rotate-credential waits for a connected agent to confirm, ms. */
const ROTATION_WAIT_MS = 10_000;

const DAY_MS = 86_400_000;
/** Longest range one metrics query may span. */
const MAX_RANGE_MS = 400 * DAY_MS;

const deviceChangeSchema = z.object({ clientId: z.string().min(1).max(64) }).strict();

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
  const act = requireRole('admin', 'technician');
  const service = ctx.fleet.devices;
  const findDevice = (id: string) => service.get(id);

  r.get('/', (_req, res) => {
    const started = performance.now();
    const health = ctx.deviceHealth.openByDevice();
    const list = ctx.devices.listSummaries(ctx.isOnline, ctx.isStatusUnknown).map((s) => withHealth(s, health));
    res.setHeader('Server-Timing', `list;dur=${(performance.now() - started).toFixed(1)}`);
    res.json(list);
  });

  r.get('/:id', (req, res) => {
    const found = ctx.devices.summary(req.params.id, ctx.isOnline, ctx.isStatusUnknown);
    const summary = found && withHealth(found, ctx.deviceHealth.openByDevice());
    const device = ctx.devices.findById(req.params.id);
    if (!summary || !device) throw new HttpError(404, 'DEVICE_NOT_FOUND', `no device with id ${req.params.id}`);
    const detail: DeviceDetail = {
      ...summary,
      agentVersion: device.agentVersion,
      facts: device.facts,
      series: ctx.metrics.listSeries(device.id),
      latest: device.latest,
      inventory: ctx.inventory.get(device.id),
      isCredentialRotationPending: device.rotationRequestedAtMs !== null,
      credentialRotatedAtMs: device.credentialRotatedAtMs,
      parentDeviceId: device.parentDeviceId,
    };
    res.json(detail);
  });

  // Device dependencies: while the parent is down, this device's alerts are recorded, not paged.
  r.put('/:id/parent', requireRole('admin', 'technician'), (req, res) => {
    const { parentDeviceId } = parseInput(z.object({ parentDeviceId: z.string().min(1).max(64).nullable() }).strict(), req.body);
    const d = service.setParent(actorOf(req), String(req.params.id), parentDeviceId);
    res.json({ id: d.id, parentDeviceId: d.parentDeviceId });
  });

  // Moving a device (server/fleet/device-service.ts): open conditions stay with the old client.
  r.patch('/:id', requireRole('admin', 'technician'), (req, res) => {
    const id = String(req.params.id);
    const device = service.get(id);
    const { clientId } = parseInput(deviceChangeSchema, req.body);
    service.moveToClient(actorOf(req), id, clientId);
    ctx.alerting.engine.refreshDevice(id);
    ctx.logger.info({ deviceId: id, from: device.clientId, to: clientId, by: req.user!.username }, 'device moved');
    res.json(withHealth(ctx.devices.summary(id, ctx.isOnline, ctx.isStatusUnknown)!, ctx.deviceHealth.openByDevice()));
  });

  r.post('/:id/disable', act, (req, res) => {
    const device = service.setDisabled(actorOf(req), String(req.params.id), true);
    const wasConnected = ctx.agents.disconnect(device.id, CloseCode.UNAUTHORIZED, 'device disabled');
    ctx.logger.warn({ deviceId: device.id, userId: req.user?.id, wasConnected }, 'device disabled');
    res.json(withHealth(ctx.devices.summary(device.id, ctx.isOnline, ctx.isStatusUnknown)!, ctx.deviceHealth.openByDevice()));
  });

  r.post('/:id/enable', act, (req, res) => {
    const device = service.setDisabled(actorOf(req), String(req.params.id), false);
    ctx.logger.info({ deviceId: device.id, userId: req.user?.id }, 'device enabled');
    res.json(withHealth(ctx.devices.summary(device.id, ctx.isOnline, ctx.isStatusUnknown)!, ctx.deviceHealth.openByDevice()));
  });

  r.post('/:id/rotate-credential', act, async (req, res) => {
    // Recorded when asked for: the outcome (now or at the next connection) is in the device's state.
    const device = service.recordRotationRequest(actorOf(req), String(req.params.id));
    const status = await ctx.agents.rotateCredential(device.id, ROTATION_WAIT_MS);
    ctx.logger.info({ deviceId: device.id, userId: req.user?.id, status }, 'device credential rotation');
    const after = findDevice(device.id);
    res.status(status === 'rotated' ? 200 : 202).json({
      deviceId: device.id,
      status,
      requestedAtMs: after.rotationRequestedAtMs,
      rotatedAtMs: status === 'rotated' ? after.credentialRotatedAtMs : null,
    });
  });

  r.get('/:id/agent-config', (req, res) => {
    const device = findDevice(String(req.params.id));
    const { device: own, client } = ctx.settings.forDevice(device.id);
    res.json({ deviceId: device.id, config: own, clientConfig: client, effective: effectiveAgentConfig(device.intervalMs, client, own) });
  });

  r.put('/:id/agent-config', act, (req, res) => {
    const device = findDevice(String(req.params.id));
    const config = parseInput(agentSettingsSchema, req.body);
    service.setAgentConfig(actorOf(req), device.id, config);
    const isPushed = ctx.agents.refreshConfig(device.id);
    ctx.logger.info({ deviceId: device.id, userId: req.user?.id, isPushed }, 'device agent config changed');
    const { client } = ctx.settings.forDevice(device.id);
    res.json({ deviceId: device.id, config, clientConfig: client, effective: effectiveAgentConfig(device.intervalMs, client, config), isPushed });
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
