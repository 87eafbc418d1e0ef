/**
 * Site probe REST: create probed devices (printers, UPSes, switches, websites …) under a client,
 * assign them to a probe (an agent device of the same client) and change their checks. Every
 * change pushes the probe its new settings at once (a config frame; welcome if it is away).
 *
 *   POST /api/clients/:id/probed-devices   create
 *   GET  /api/devices/:id/probe            probe, checks, latest outcome per check
 *   PUT  /api/devices/:id/probe            change probe, interval or checks
 */
import { Router } from 'express';
import { createProbedDeviceSchema, updateProbedDeviceSchema, type ProbedDeviceInfo } from '../../shared/probe.js';
import { parseInput } from '../lib/errors.js';
import { requireRole } from '../auth/sessions.js';
import type { ProbedDevice } from '../store/probes.js';
import { actorOf } from '../audit/audit-log.js';
import type { ApiContext } from './context.js';

export function probeRoutes(ctx: ApiContext): Router {
  const r = Router();
  const act = requireRole('admin', 'technician');
  const service = ctx.fleet.probed;

  function infoOf(p: ProbedDevice): ProbedDeviceInfo {
    return {
      deviceId: p.id,
      kind: p.kind,
      probeDeviceId: p.probeDeviceId,
      probeHostname: ctx.devices.findById(p.probeDeviceId)?.hostname ?? null,
      isProbeOnline: !ctx.isStatusUnknown({ ...ctx.devices.findById(p.id)!, probeDeviceId: p.probeDeviceId }),
      intervalMs: p.intervalMs,
      checks: p.checks,
      results: ctx.probes.results(p.id),
      credentialChecks: ctx.probes.credentialChecks(p.id),
    };
  }

  r.post('/clients/:id/probed-devices', act, (req, res) => {
    const clientId = String(req.params.id);
    ctx.fleet.clients.get(clientId);
    const input = parseInput(createProbedDeviceSchema, req.body);
    const id = service.create(actorOf(req), clientId, input);
    ctx.agents.refreshConfig(input.probeDeviceId);
    ctx.alerting.engine.refreshDevice(id);
    res.status(201).json(infoOf(service.get(id)));
  });

  r.get('/devices/:id/probe', (req, res) => {
    res.json(infoOf(service.get(String(req.params.id))));
  });

  r.put('/devices/:id/probe', act, (req, res) => {
    const id = String(req.params.id);
    service.get(id);
    const patch = parseInput(updateProbedDeviceSchema, req.body);
    for (const probeId of service.update(actorOf(req), id, patch)) ctx.agents.refreshConfig(probeId);
    ctx.alerting.engine.refreshDevice(id);
    res.json(infoOf(service.get(id)));
  });

  return r;
}
