/**
 * Clients and their enrollment tokens and agent settings, as the REST routes and the `quarkpulse
 * client` CLI change them. Every change writes its audit entry in the same transaction, whoever
 * asks (a user over REST, the command line on the server), so there is one place that decides
 * what a change records.
 *
 *   route / CLI ─ input (clientInputSchema) ─▶ service(actor, …) ─▶ BEGIN; store change; audit entry; COMMIT
 *
 * Effects on a running server (the engine's client cache, pushing settings to live agents) stay
 * with the caller: the CLI runs in its own process, beside the server.
 */
import { z } from 'zod';
import type { ContractType, EnrollmentTokenCreated } from '../../shared/api-types.js';
import { HttpError } from '../lib/errors.js';
import { generateToken } from '../lib/secrets.js';
import { isValidTimezone } from '../time/zones.js';
import type { ClientStore, Client, NewClient } from '../store/clients.js';
import type { EnrollmentToken } from '../../shared/device-admin-types.js';
import type { AgentSettings } from '../../shared/protocol.js';
import type { AgentSettingsStore } from '../store/agent-settings.js';
import { changedFields, type AuditActor, type AuditLog } from '../audit/audit-log.js';

/** Fields of a client, for create (all) and update (partial): the REST body and the CLI flags. */
export const clientInputSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    contract: z.custom<ContractType>((v) => v === 'monthly' || v === 'break-fix', {
      message: 'contract must be "monthly" or "break-fix"',
      params: { code: 'CONTRACT_INVALID' },
    }),
    monthlyFee: z.number().finite().min(0).max(1e9).optional(),
    hourlyRate: z.number().finite().min(0).max(1e6).optional(),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO 4217 code such as EUR')
      .optional(),
    timezone: z.string().refine(isValidTimezone, 'must be an IANA time zone such as Europe/Amsterdam').optional(),
    contact: z.string().max(500).nullable().optional(),
  })
  .strict();

/** A new enrollment token: a label, and a lifetime in hours (omitted = until revoked). */
export const enrollmentTokenInputSchema = z
  .object({
    label: z.string().max(200).optional(),
    expiresInHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 365)
      .optional(),
  })
  .strict();
export type EnrollmentTokenInput = z.infer<typeof enrollmentTokenInputSchema>;

/** Fields whose change a client.update entry names. */
const AUDITED_FIELDS = ['name', 'contract', 'monthlyFee', 'hourlyRate', 'currency', 'timezone', 'contact'] as const;

function updateSummary(name: string, changes: Record<string, { from: unknown; to: unknown }>): string {
  const fields = Object.keys(changes);
  const contract = changes.contract ? `contract ${String(changes.contract.from)} → ${String(changes.contract.to)}` : null;
  if (!contract) return `changed client "${name}": ${fields.join(', ')}`;
  const others = fields.filter((k) => k !== 'contract');
  return `changed client "${name}": ${contract}${others.length > 0 ? ` (and ${others.join(', ')})` : ''}`;
}

export interface ClientServiceDeps {
  clients: ClientStore;
  settings: AgentSettingsStore;
  audit: AuditLog;
  now: () => number;
}

/** Builds the client service over its stores and the audit log. */
export function createClientService(deps: ClientServiceDeps) {
  const { clients, audit } = deps;

  function get(id: string): Client {
    const c = clients.findById(id);
    if (!c) throw new HttpError(404, 'CLIENT_NOT_FOUND', `no client with id ${id}`);
    return c;
  }

  function refuseTakenName(name: string, exceptId?: string): void {
    const same = clients.findByName(name);
    if (same && same.id !== exceptId) throw new HttpError(409, 'CLIENT_EXISTS', `a client named "${name}" already exists`);
  }

  return {
    get,
    list: (): Client[] => clients.list(),

    /** Creates a client; 409 CLIENT_EXISTS when the name is taken. */
    create(actor: AuditActor, input: NewClient): Client {
      refuseTakenName(input.name);
      return audit.audited(actor, (record) => {
        const c = clients.create(input, deps.now());
        record({
          action: 'client.create',
          entityType: 'client',
          entityId: c.id,
          summary: `created client "${c.name}" (${c.contract})`,
          detail: { contract: c.contract, monthlyFee: c.monthlyFee, hourlyRate: c.hourlyRate, currency: c.currency },
        });
        return c;
      });
    },

    /**
     * Changes a client's fields; an entry only when something changed. A contract change applies
     * to conditions that open after it; open ones keep their route.
     */
    update(actor: AuditActor, id: string, patch: Partial<NewClient>): Client {
      const before = get(id);
      if (patch.name !== undefined) refuseTakenName(patch.name, id);
      return audit.audited(actor, (record) => {
        const after = clients.update(id, patch)!;
        const changes = changedFields(before, after, AUDITED_FIELDS);
        if (Object.keys(changes).length > 0) {
          record({ action: 'client.update', entityType: 'client', entityId: id, summary: updateSummary(after.name, changes), detail: { changes } });
        }
        return after;
      });
    },

    /** Deletes a client; 409 CLIENT_IN_USE while devices or alert/incident history point at it. */
    remove(actor: AuditActor, id: string): void {
      const before = get(id);
      try {
        audit.audited(actor, (record) => {
          clients.delete(id);
          record({
            action: 'client.delete',
            entityType: 'client',
            entityId: id,
            summary: `deleted client "${before.name}"`,
            detail: { name: before.name, contract: before.contract },
          });
        });
      } catch (err) {
        if ((err as { code?: string }).code !== 'SQLITE_CONSTRAINT_FOREIGNKEY') throw err;
        throw new HttpError(409, 'CLIENT_IN_USE', `client ${id} still has devices or alert/incident history; move its devices to another client first`);
      }
    },

    /** Issues an enrollment token; the plain token is in the answer only (the store keeps its hash). */
    createEnrollmentToken(actor: AuditActor, clientId: string, input: EnrollmentTokenInput): EnrollmentTokenCreated {
      const c = get(clientId);
      const now = deps.now();
      const token = generateToken('qpe');
      const info = audit.audited(actor, (record) => {
        const info = clients.addEnrollmentToken(
          c.id,
          token,
          { label: input.label ?? null, expiresAtMs: input.expiresInHours ? now + input.expiresInHours * 3_600_000 : null },
          now,
        );
        record({
          action: 'enrollment-token.create',
          entityType: 'enrollment-token',
          entityId: info.id,
          summary: `created an enrollment token for client "${c.name}"${info.label ? ` (${info.label})` : ''}`,
          detail: { clientId: c.id, label: info.label, expiresAtMs: info.expiresAtMs },
        });
        return info;
      });
      return { ...info, token };
    },

    /** Revokes an enrollment token; devices enrolled with it keep their own credentials. */
    revokeEnrollmentToken(actor: AuditActor, tokenId: string): EnrollmentToken {
      return audit.audited(actor, (record) => {
        const info = clients.revokeEnrollmentToken(tokenId, deps.now());
        if (!info) throw new HttpError(404, 'ENROLLMENT_TOKEN_NOT_FOUND', `no enrollment token with id ${tokenId}`);
        record({
          action: 'enrollment-token.revoke',
          entityType: 'enrollment-token',
          entityId: info.id,
          summary: `revoked enrollment token ${info.label ? `"${info.label}"` : info.id}`,
          detail: { clientId: info.clientId },
        });
        return info;
      });
    },

    /** Replaces the agent settings of every device of a client (device settings still win). */
    setAgentConfig(actor: AuditActor, clientId: string, config: AgentSettings): void {
      const c = get(clientId);
      const previous = deps.settings.forClient(c.id);
      audit.audited(actor, (record) => {
        deps.settings.setForClient(c.id, config);
        record({
          action: 'client.agent-config',
          entityType: 'client',
          entityId: c.id,
          summary: `changed the agent settings of client "${c.name}"`,
          detail: { from: previous, to: config },
        });
      });
    },
  };
}
export type ClientService = ReturnType<typeof createClientService>;
