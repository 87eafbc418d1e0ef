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
import { createProbedDeviceSchema, updateProbedDeviceSchema, type ProbeCheck, type ProbedDeviceInfo } from '../../shared/probe.js';
import { HttpError, parseInput } from '../lib/errors.js';
import { requireRole } from '../auth/sessions.js';
import type { ProbedDevice } from '../store/probes.js';
import { actorOf } from '../audit/audit-log.js';
import type { ApiContext } from './context.js';

/** Default check interval of a probed device, ms. */
export const DEFAULT_PROBE_INTERVAL_MS = 60_000;

export function probeRoutes(ctx: ApiContext): Router {
  const r = Router();
  const act = requireRole('admin', 'technician');

  /** The probe must be an enabled agent device of the same client. */
  function checkProbe(probeDeviceId: string, clientId: string): void {
    const probe = ctx.devices.findById(probeDeviceId);
    if (!probe) throw new HttpError(400, 'PROBE_NOT_FOUND', `body.probeDeviceId: no device with id ${probeDeviceId}`);
    if (probe.probeDeviceId !== null)
      throw new HttpError(400, 'PROBE_NOT_AN_AGENT', `body.probeDeviceId: ${probe.hostname} is a probed device; a probe must run the agent`);
    if (probe.clientId !== clientId)
      throw new HttpError(
        400,
        'PROBE_OTHER_CLIENT',
        `body.probeDeviceId: ${probe.hostname} belongs to another client; a probe checks only its own client's devices`,
      );
    if (probe.isDisabled) throw new HttpError(400, 'PROBE_DISABLED', `body.probeDeviceId: ${probe.hostname} is disabled`);
  }

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

  /** Every SNMP check needs its credential, given now or stored before. */
  function checkCredentials(checks: readonly ProbeCheck[], stored: readonly string[]): void {
    checks.forEach((c, i) => {
      if (c.type !== 'snmp' || stored.includes(c.id)) return;
      if (c.version === 'v2c' && c.community === undefined)
        throw new HttpError(400, 'SNMP_CREDENTIAL_MISSING', `body.checks.${i}.community: a v2c check needs its community`);
      if (c.version === 'v3' && c.v3 === undefined)
        throw new HttpError(400, 'SNMP_CREDENTIAL_MISSING', `body.checks.${i}.v3: a v3 check needs its user, authKey and privKey`);
    });
  }

  function findProbed(id: string): ProbedDevice {
    const p = ctx.probes.find(id);
    if (!p) {
      if (ctx.devices.findById(id)) throw new HttpError(404, 'DEVICE_NOT_PROBED', `device ${id} runs the agent; it has no probe settings`);
      throw new HttpError(404, 'DEVICE_NOT_FOUND', `no device with id ${id}`);
    }
    return p;
  }

  r.post('/clients/:id/probed-devices', act, (req, res) => {
    const clientId = String(req.params.id);
    const client = ctx.clients.findById(clientId);
    if (!client) throw new HttpError(404, 'CLIENT_NOT_FOUND', `no client with id ${clientId}`);
    const input = parseInput(createProbedDeviceSchema, req.body);
    checkProbe(input.probeDeviceId, clientId);
    checkCredentials(input.checks, []);
    const id = ctx.audit.audited(actorOf(req), (record) => {
      const newId = ctx.probes.create(
        {
          clientId,
          name: input.name,
          kind: input.kind,
          probeDeviceId: input.probeDeviceId,
          intervalMs: input.intervalMs ?? DEFAULT_PROBE_INTERVAL_MS,
          checks: input.checks,
        },
        ctx.now(),
      );
      record({
        action: 'device.probed-create',
        entityType: 'device',
        entityId: newId,
        summary: `added ${input.kind} "${input.name}" to client "${client.name}", checked by probe ${input.probeDeviceId}`,
        detail: { checks: input.checks.map((c) => c.id) },
      });
      return newId;
    });
    ctx.agents.refreshConfig(input.probeDeviceId);
    ctx.alerting.engine.refreshDevice(id);
    res.status(201).json(infoOf(ctx.probes.find(id)!));
  });

  r.get('/devices/:id/probe', (req, res) => {
    res.json(infoOf(findProbed(String(req.params.id))));
  });

  r.put('/devices/:id/probe', act, (req, res) => {
    const current = findProbed(String(req.params.id));
    const patch = parseInput(updateProbedDeviceSchema, req.body);
    const next = {
      probeDeviceId: patch.probeDeviceId ?? current.probeDeviceId,
      intervalMs: patch.intervalMs ?? current.intervalMs,
      checks: patch.checks ?? current.checks,
    };
    if (patch.probeDeviceId !== undefined) checkProbe(patch.probeDeviceId, current.clientId);
    checkCredentials(next.checks, ctx.probes.credentialChecks(current.id));
    ctx.audit.audited(actorOf(req), (record) => {
      ctx.probes.update(current.id, next);
      record({
        action: 'device.probed-update',
        entityType: 'device',
        entityId: current.id,
        summary: `changed the probe settings of ${current.hostname}`,
        detail: { probeDeviceId: { from: current.probeDeviceId, to: next.probeDeviceId }, checks: next.checks.map((c) => c.id) },
      });
    });
    ctx.agents.refreshConfig(next.probeDeviceId);
    if (next.probeDeviceId !== current.probeDeviceId) ctx.agents.refreshConfig(current.probeDeviceId);
    ctx.alerting.engine.refreshDevice(current.id);
    res.json(infoOf(ctx.probes.find(current.id)!));
  });

  return r;
}
