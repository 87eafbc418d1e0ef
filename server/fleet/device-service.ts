/**
 * Devices as technicians change them: move to another client, disable and enable, ask for a
 * credential rotation, and per-device agent settings. Each change writes its audit entry in the
 * same transaction, whoever asks. What a change means for a live connection (disconnect, push the
 * new config, rotate over the socket) is the caller's: the service only knows the database.
 *
 *   route ─▶ service(actor, …) ─▶ BEGIN; store change; audit entry; COMMIT ─▶ route: live effects
 */
import { AgentErrorCode, type AgentSettings, type EnrollRequest } from '../../shared/protocol.js';
import { HttpError } from '../lib/errors.js';
import { generateToken } from '../lib/secrets.js';
import type { ClientStore } from '../store/clients.js';
import type { Device, DeviceStore } from '../store/devices.js';
import type { AgentSettingsStore } from '../store/agent-settings.js';
import type { ProbeStore } from '../store/probes.js';
import type { AuditActor, AuditLog } from '../audit/audit-log.js';

export interface DeviceServiceDeps {
  devices: DeviceStore;
  clients: ClientStore;
  settings: AgentSettingsStore;
  /** Site probe: a probe and its probed devices belong to one client. */
  probes: Pick<ProbeStore, 'targetNamesOf'>;
  audit: AuditLog;
  now: () => number;
}

/** Builds the device service over its stores and the audit log. */
export function createDeviceService(deps: DeviceServiceDeps) {
  const { devices, audit } = deps;

  function get(id: string): Device {
    const device = devices.findById(id);
    if (!device) throw new HttpError(404, 'DEVICE_NOT_FOUND', `no device with id ${id}`);
    return device;
  }

  /** A probe checks only its own client's devices: neither a probe with targets nor a probed device moves alone. */
  function checkSameClientRule(device: Device): void {
    if (device.probeDeviceId !== null) {
      const probe = devices.findById(device.probeDeviceId);
      throw new HttpError(
        409,
        'PROBED_DEVICE_MOVE',
        `${device.hostname} is checked by the site probe ${probe?.hostname ?? device.probeDeviceId} of its client, and a probe checks only its own client's devices; add it to the other client with one of that client's probes instead`,
      );
    }
    const targets = deps.probes.targetNamesOf(device.id);
    if (targets.length > 0) {
      const names = `${targets.slice(0, 3).join(', ')}${targets.length > 3 ? ', …' : ''}`;
      throw new HttpError(
        409,
        'PROBE_HAS_TARGETS',
        `${device.hostname} is the site probe of ${targets.length} device${targets.length === 1 ? '' : 's'} of its client (${names}); give them another probe of the client first (PUT /api/devices/:id/probe)`,
      );
    }
  }

  /** The enrolling agent as an actor in the audit log: no user (the entry names the token it brought). */
  const ENROLLMENT = { id: null, name: 'agent enrollment' } satisfies AuditActor;

  return {
    get,

    /**
     * Exchanges an enrollment token for a device credential: a new device, or the same one again
     * when the machine enrolled before (a disabled one must be enabled first). The token's use,
     * the device and the audit entry commit together. The plain device token is in the answer only.
     */
    enroll(input: EnrollRequest): { device: Device; isNew: boolean; clientId: string; deviceToken: string } {
      const now = deps.now();
      const resolved = deps.clients.resolveEnrollmentToken(input.token, now);
      if (!resolved) {
        throw new HttpError(401, AgentErrorCode.ENROLLMENT_TOKEN_INVALID, 'enrollment token is unknown, expired or revoked');
      }
      const machine = input.machineId ? devices.findByMachine(resolved.clientId, input.machineId) : undefined;
      if (machine?.isDisabled) {
        throw new HttpError(403, AgentErrorCode.DEVICE_DISABLED, `device ${machine.id} (${machine.hostname}) is disabled; enable it before enrolling it again`);
      }
      const deviceToken = generateToken('qpd');
      const { device, isNew } = audit.audited(ENROLLMENT, (record) => {
        deps.clients.markEnrollmentTokenUsed(resolved.tokenId, now);
        const enrolled = devices.enroll(
          { clientId: resolved.clientId, hostname: input.hostname, machineId: input.machineId, facts: input.facts, deviceToken },
          now,
        );
        record({
          action: 'device.enroll',
          entityType: 'device',
          entityId: enrolled.device.id,
          summary: `${enrolled.isNew ? 'enrolled' : 're-enrolled'} device ${input.hostname} with enrollment token ${resolved.tokenId}`,
          detail: { clientId: resolved.clientId, tokenId: resolved.tokenId, isNew: enrolled.isNew },
        });
        return enrolled;
      });
      return { device, isNew, clientId: resolved.clientId, deviceToken };
    },

    /**
     * Moves a device to another client: conditions already open stay with the old client's
     * alert/incident; the new client's contract and rules apply from now on.
     */
    moveToClient(actor: AuditActor, id: string, clientId: string): void {
      const device = get(id);
      const client = deps.clients.findById(clientId);
      if (!client) throw new HttpError(400, 'CLIENT_NOT_FOUND', `body.clientId: no client with id ${clientId}`);
      if (clientId !== device.clientId) checkSameClientRule(device);
      try {
        audit.audited(actor, (record) => {
          devices.moveToClient(id, clientId);
          record({
            action: 'device.move',
            entityType: 'device',
            entityId: id,
            summary: `moved device ${device.hostname} to client "${client.name}"`,
            detail: { clientId: { from: device.clientId, to: clientId } },
          });
        });
      } catch (err) {
        if ((err as { code?: string }).code !== 'SQLITE_CONSTRAINT_UNIQUE') throw err;
        throw new HttpError(409, 'DEVICE_MACHINE_CONFLICT', `client ${clientId} already has a device enrolled from the same machine`);
      }
    },

    /**
     * Sets the device this one depends on (the client's router or firewall), or clears it with
     * null. The parent must belong to the same client and may not depend on this one, however
     * far up.
     */
    setParent(actor: AuditActor, id: string, parentId: string | null): Device {
      const device = get(id);
      const parent = parentId === null ? null : devices.findById(parentId);
      if (parentId !== null) {
        if (!parent) throw new HttpError(400, 'DEVICE_NOT_FOUND', `body.parentDeviceId: no device with id ${parentId}`);
        if (parent.clientId !== device.clientId)
          throw new HttpError(
            400,
            'PARENT_OTHER_CLIENT',
            `body.parentDeviceId: ${parent.hostname} belongs to another client; a device can only depend on one of its own client`,
          );
        const seen = new Set<string>([id]);
        for (let p: Device | undefined = parent; p; p = p.parentDeviceId ? devices.findById(p.parentDeviceId) : undefined) {
          if (seen.has(p.id))
            throw new HttpError(
              400,
              'DEPENDENCY_CYCLE',
              `body.parentDeviceId: ${parent.hostname} depends on ${device.hostname} already; dependencies cannot go in a circle`,
            );
          seen.add(p.id);
        }
      }
      audit.audited(actor, (record) => {
        devices.setParent(id, parentId);
        record({
          action: 'device.parent',
          entityType: 'device',
          entityId: id,
          summary: parent ? `made device ${device.hostname} depend on ${parent.hostname}` : `removed the dependency of device ${device.hostname}`,
          detail: { parentDeviceId: { from: device.parentDeviceId, to: parentId } },
        });
      });
      return get(id);
    },

    /** Disables (refuses its agent) or enables a device. */
    setDisabled(actor: AuditActor, id: string, isDisabled: boolean): Device {
      const device = get(id);
      audit.audited(actor, (record) => {
        devices.setDisabled(device.id, isDisabled, deps.now());
        record({
          action: isDisabled ? 'device.disable' : 'device.enable',
          entityType: 'device',
          entityId: device.id,
          summary: `${isDisabled ? 'disabled' : 'enabled'} device ${device.hostname}`,
        });
      });
      return device;
    },

    /** Records that someone asked for a credential rotation; the outcome is in the device's state. */
    recordRotationRequest(actor: AuditActor, id: string): Device {
      const device = get(id);
      audit.record(actor, {
        action: 'device.rotate-credential',
        entityType: 'device',
        entityId: device.id,
        summary: `asked device ${device.hostname} to rotate its credential`,
      });
      return device;
    },

    /** Replaces a device's own agent settings (they win over the client's). */
    setAgentConfig(actor: AuditActor, id: string, config: AgentSettings): Device {
      const device = get(id);
      const previous = deps.settings.forDevice(device.id).device;
      audit.audited(actor, (record) => {
        deps.settings.setForDevice(device.id, config);
        record({
          action: 'device.agent-config',
          entityType: 'device',
          entityId: device.id,
          summary: `changed the agent settings of device ${device.hostname}`,
          detail: { from: previous, to: config },
        });
      });
      return device;
    },
  };
}
export type DeviceService = ReturnType<typeof createDeviceService>;
