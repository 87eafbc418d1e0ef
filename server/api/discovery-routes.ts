/**
 * Discovery REST (site probe): scan ranges of a client's network for SNMP devices, list what
 * answered, adopt a found device as a probed device in one call. Starting, cancelling and
 * adopting push the probe its new settings at once.
 *
 *   POST   /api/clients/:id/discovery-scans                       start a scan (technician, admin)
 *   GET    /api/clients/:id/discovery-scans                       latest scans with found devices
 *   GET    /api/discovery-scans/:id                               one scan
 *   DELETE /api/discovery-scans/:id                               cancel a running scan
 *   POST   /api/discovery-scans/:id/found/:address/adopt          make a found device a probed device
 */
import { Router } from 'express';
import { adoptDiscoveredSchema, createDiscoveryScanSchema } from '../../shared/discovery.js';
import { parseInput } from '../lib/errors.js';
import { requireRole } from '../auth/sessions.js';
import { actorOf } from '../audit/audit-log.js';
import type { ApiContext } from './context.js';

export function discoveryRoutes(ctx: ApiContext): Router {
  const r = Router();
  const act = requireRole('admin', 'technician');
  const service = ctx.fleet.discovery;

  r.post('/clients/:id/discovery-scans', act, (req, res) => {
    const input = parseInput(createDiscoveryScanSchema, req.body);
    const scan = service.start(actorOf(req), String(req.params.id), input);
    ctx.agents.refreshConfig(scan.probeDeviceId);
    res.status(201).json(scan);
  });

  r.get('/clients/:id/discovery-scans', (req, res) => {
    res.json({ scans: service.list(String(req.params.id)) });
  });

  r.get('/discovery-scans/:id', (req, res) => {
    res.json(service.get(String(req.params.id)));
  });

  r.delete('/discovery-scans/:id', act, (req, res) => {
    ctx.agents.refreshConfig(service.cancel(actorOf(req), String(req.params.id)));
    res.json(service.get(String(req.params.id)));
  });

  r.post('/discovery-scans/:id/found/:address/adopt', act, (req, res) => {
    const input = parseInput(adoptDiscoveredSchema, req.body ?? {});
    const { deviceId, probeDeviceId } = service.adopt(actorOf(req), String(req.params.id), String(req.params.address), input);
    ctx.agents.refreshConfig(probeDeviceId);
    ctx.alerting.engine.refreshDevice(deviceId);
    res.status(201).json({ deviceId, probe: ctx.fleet.probed.get(deviceId) });
  });

  return r;
}
