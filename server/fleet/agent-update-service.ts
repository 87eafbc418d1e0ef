/**
 * Agent self-update policies as admins change them (REST /api/agent-updates and the CLI): hold a
 * client or a device back, roll a version out to one client first, or follow the server's own
 * version. Each change writes its audit entry in the same transaction. Pushing the new config to
 * connected agents is the caller's (the service only knows the database).
 */
import { z } from 'zod';
import { HttpError } from '../lib/errors.js';
import type { AuditActor, AuditLog } from '../audit/audit-log.js';
import type { ClientStore } from '../store/clients.js';
import type { DeviceStore } from '../store/devices.js';
import type { AgentUpdateStore, DeviceUpdateStatus, ScopedUpdatePolicy, UpdatePolicy, UpdateScope } from '../store/agent-updates.js';

const versionSchema = z
  .string()
  .min(1)
  .max(50)
  .regex(/^[0-9A-Za-z][0-9A-Za-z.+-]*$/, 'a version is letters, digits, dots, plus and dashes, e.g. 0.2.0');

/** Body of PUT /api/agent-updates/policy. `inherit` removes the scope's policy. */
export const updatePolicyInputSchema = z.discriminatedUnion('mode', [
  z.object({ scope: z.enum(['fleet', 'client', 'device']), id: z.string().min(1).max(64).optional(), mode: z.literal('server') }).strict(),
  z.object({ scope: z.enum(['fleet', 'client', 'device']), id: z.string().min(1).max(64).optional(), mode: z.literal('hold') }).strict(),
  z.object({ scope: z.enum(['fleet', 'client', 'device']), id: z.string().min(1).max(64).optional(), mode: z.literal('inherit') }).strict(),
  z
    .object({ scope: z.enum(['fleet', 'client', 'device']), id: z.string().min(1).max(64).optional(), mode: z.literal('version'), version: versionSchema })
    .strict(),
]);
export type UpdatePolicyInput = z.infer<typeof updatePolicyInputSchema>;

export interface AgentUpdateServiceDeps {
  updates: AgentUpdateStore;
  clients: ClientStore;
  devices: DeviceStore;
  audit: AuditLog;
  now: () => number;
  /** Versions this server has an executable of (any platform), for a helpful refusal. */
  availableVersions: () => readonly string[];
}

/** What GET /api/agent-updates answers. */
export interface AgentUpdateOverview {
  serverVersion: string;
  /** Versions this server can hand out. */
  availableVersions: string[];
  policies: ScopedUpdatePolicy[];
  devices: DeviceUpdateStatus[];
}

/** Builds the service. */
export function createAgentUpdateService(deps: AgentUpdateServiceDeps) {
  const { updates, audit } = deps;

  function describe(p: UpdatePolicy | undefined): string {
    if (!p) return 'inherit';
    return p.mode === 'version' ? `version ${p.version}` : p.mode === 'hold' ? 'hold' : "the server's version";
  }

  return {
    overview(): AgentUpdateOverview {
      return {
        serverVersion: updates.serverVersion,
        availableVersions: [...new Set(deps.availableVersions())],
        policies: updates.list(),
        devices: updates.statuses(),
      };
    },

    /**
     * Sets the policy of the fleet, a client or a device. Returns the ids of the devices whose
     * wanted version may have changed (the caller pushes their config).
     */
    setPolicy(actor: AuditActor, input: UpdatePolicyInput): { deviceIds: string[]; scope: UpdateScope; scopeId: string } {
      const scope = input.scope;
      let scopeId = '';
      let name = 'the whole fleet';
      let deviceIds: string[];
      if (scope === 'fleet') {
        if (input.id !== undefined) throw new HttpError(400, 'VALIDATION_FAILED', 'body.id: the fleet policy takes no id');
        deviceIds = updates.statuses().map((s) => s.deviceId);
      } else {
        if (input.id === undefined) throw new HttpError(400, 'VALIDATION_FAILED', `body.id: the ${scope} id is required`);
        scopeId = input.id;
        if (scope === 'client') {
          const c = deps.clients.findById(scopeId);
          if (!c) throw new HttpError(404, 'CLIENT_NOT_FOUND', `no client with id ${scopeId}`);
          name = `client "${c.name}"`;
          deviceIds = deps.devices.idsOfClient(scopeId);
        } else {
          const d = deps.devices.findById(scopeId);
          if (!d) throw new HttpError(404, 'DEVICE_NOT_FOUND', `no device with id ${scopeId}`);
          name = `device ${d.hostname}`;
          deviceIds = [d.id];
        }
      }
      const policy: UpdatePolicy | undefined =
        input.mode === 'inherit' ? undefined : input.mode === 'version' ? { mode: 'version', version: input.version } : { mode: input.mode };
      if (policy?.mode === 'version' && !deps.availableVersions().includes(policy.version)) {
        const have = [...new Set(deps.availableVersions())];
        throw new HttpError(
          400,
          'AGENT_VERSION_UNAVAILABLE',
          `this server has no agent executable of version ${policy.version}; ${have.length ? `available: ${have.join(', ')}` : 'none are installed (npm run build:agent)'}`,
        );
      }
      const previous = updates.get(scope, scopeId);
      audit.audited(actor, (record) => {
        updates.set(scope, scopeId, policy, deps.now());
        record({
          action: 'agent-update.policy',
          entityType: scope === 'fleet' ? 'server' : scope,
          entityId: scope === 'fleet' ? 'fleet' : scopeId,
          summary: `agent updates of ${name}: ${describe(policy)} (was ${describe(previous)})`,
          detail: { scope, from: previous ?? null, to: policy ?? null },
        });
      });
      return { deviceIds, scope, scopeId };
    },
  };
}
export type AgentUpdateService = ReturnType<typeof createAgentUpdateService>;
