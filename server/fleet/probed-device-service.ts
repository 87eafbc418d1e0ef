/**
 * Probed (agentless) devices: printers, switches and other boxes that an agent of the same client
 * checks over the network. The service validates the probe and the SNMP credentials, writes the
 * change with its audit entry in one transaction, and tells the caller which probes need their
 * settings pushed again (a live-connection effect the caller owns).
 *
 *   route ─▶ create / update(actor, …) ─▶ BEGIN; probes row; audit entry; COMMIT ─▶ { probes to refresh }
 */
import { MAX_TARGETS_PER_PROBE, PROBE_REPORTS_PER_SEC, type CreateProbedDevice, type ProbeCheck, type UpdateProbedDevice } from '../../shared/probe.js';
import { HttpError } from '../lib/errors.js';
import type { ClientStore } from '../store/clients.js';
import type { DeviceStore } from '../store/devices.js';
import type { ProbeStore, ProbedDevice } from '../store/probes.js';
import type { AuditActor, AuditLog } from '../audit/audit-log.js';

/** Default check interval of a probed device, ms. */
export const DEFAULT_PROBE_INTERVAL_MS = 60_000;

export interface ProbedDeviceServiceDeps {
  probes: ProbeStore;
  devices: DeviceStore;
  clients: ClientStore;
  audit: AuditLog;
  now: () => number;
}

/** Why a device cannot be a probe of the client (it must be an enabled agent device of the same client), or undefined. */
export function probeProblem(devices: Pick<DeviceStore, 'findById'>, probeDeviceId: string, clientId: string): HttpError | undefined {
  const probe = devices.findById(probeDeviceId);
  if (!probe) return new HttpError(400, 'PROBE_NOT_FOUND', `body.probeDeviceId: no device with id ${probeDeviceId}`);
  if (probe.probeDeviceId !== null)
    return new HttpError(400, 'PROBE_NOT_AN_AGENT', `body.probeDeviceId: ${probe.hostname} is a probed device; a probe must run the agent`);
  if (probe.clientId !== clientId)
    return new HttpError(
      400,
      'PROBE_OTHER_CLIENT',
      `body.probeDeviceId: ${probe.hostname} belongs to another client; a probe checks only its own client's devices`,
    );
  if (probe.isDisabled) return new HttpError(400, 'PROBE_DISABLED', `body.probeDeviceId: ${probe.hostname} is disabled`);
  return undefined;
}

/** Builds the probed-device service over its stores and the audit log. */
export function createProbedDeviceService(deps: ProbedDeviceServiceDeps) {
  const { probes, devices, audit } = deps;

  function checkProbe(probeDeviceId: string, clientId: string): void {
    const problem = probeProblem(devices, probeDeviceId, clientId);
    if (problem) throw problem;
  }

  /**
   * A probe's targets fit what the gateway lets it send (one report per target round, at most
   * PROBE_REPORTS_PER_SEC sustained) and the config an agent accepts (MAX_TARGETS_PER_PROBE).
   */
  function checkCapacity(probeDeviceId: string, intervalMs: number, exceptId?: string): void {
    const others = probes.listOfProbe(probeDeviceId).filter((p) => p.id !== exceptId);
    if (others.length + 1 > MAX_TARGETS_PER_PROBE)
      throw new HttpError(409, 'PROBE_FULL', `body.probeDeviceId: this probe already checks ${others.length} devices, the most one probe may check`);
    const perSec = others.reduce((n, p) => n + 1_000 / p.intervalMs, 1_000 / intervalMs);
    if (perSec > PROBE_REPORTS_PER_SEC)
      throw new HttpError(
        409,
        'PROBE_FULL',
        `body.intervalMs: this probe would send ${Math.round(perSec * 10) / 10} reports a second, more than the ${PROBE_REPORTS_PER_SEC} an agent may; use a longer interval or another probe`,
      );
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

  function get(id: string): ProbedDevice {
    const p = probes.find(id);
    if (!p) {
      if (devices.findById(id)) throw new HttpError(404, 'DEVICE_NOT_PROBED', `device ${id} runs the agent; it has no probe settings`);
      throw new HttpError(404, 'DEVICE_NOT_FOUND', `no device with id ${id}`);
    }
    return p;
  }

  return {
    get,

    /** Adds a probed device to a client; answers its id. */
    create(actor: AuditActor, clientId: string, input: CreateProbedDevice): string {
      const client = deps.clients.findById(clientId);
      if (!client) throw new HttpError(404, 'CLIENT_NOT_FOUND', `no client with id ${clientId}`);
      checkProbe(input.probeDeviceId, clientId);
      checkCredentials(input.checks, []);
      checkCapacity(input.probeDeviceId, input.intervalMs ?? DEFAULT_PROBE_INTERVAL_MS);
      return audit.audited(actor, (record) => {
        const id = probes.create(
          {
            clientId,
            name: input.name,
            kind: input.kind,
            probeDeviceId: input.probeDeviceId,
            intervalMs: input.intervalMs ?? DEFAULT_PROBE_INTERVAL_MS,
            checks: input.checks,
          },
          deps.now(),
        );
        record({
          action: 'device.probed-create',
          entityType: 'device',
          entityId: id,
          summary: `added ${input.kind} "${input.name}" to client "${client.name}", checked by probe ${input.probeDeviceId}`,
          detail: { checks: input.checks.map((c) => c.id) },
        });
        return id;
      });
    },

    /** Changes the probe, interval or checks (absent fields stay); answers the probes to push to. */
    update(actor: AuditActor, id: string, patch: UpdateProbedDevice): string[] {
      const current = get(id);
      const next = {
        probeDeviceId: patch.probeDeviceId ?? current.probeDeviceId,
        intervalMs: patch.intervalMs ?? current.intervalMs,
        checks: patch.checks ?? current.checks,
      };
      if (patch.probeDeviceId !== undefined) checkProbe(patch.probeDeviceId, current.clientId);
      checkCredentials(next.checks, probes.credentialChecks(current.id));
      if (next.probeDeviceId !== current.probeDeviceId || next.intervalMs < current.intervalMs) checkCapacity(next.probeDeviceId, next.intervalMs, current.id);
      audit.audited(actor, (record) => {
        probes.update(current.id, next);
        record({
          action: 'device.probed-update',
          entityType: 'device',
          entityId: current.id,
          summary: `changed the probe settings of ${current.hostname}`,
          detail: { probeDeviceId: { from: current.probeDeviceId, to: next.probeDeviceId }, checks: next.checks.map((c) => c.id) },
        });
      });
      return next.probeDeviceId === current.probeDeviceId ? [next.probeDeviceId] : [next.probeDeviceId, current.probeDeviceId];
    },
  };
}
export type ProbedDeviceService = ReturnType<typeof createProbedDeviceService>;
