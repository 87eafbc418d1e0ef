/**
 * The machines this server refused for a credential it does not know (after a restore from an
 * older backup: the ones enrolled since). Technicians list them and dismiss the ones they fixed
 * or do not want; a dismissal is audited. docs/OPERATIONS.md §9.
 */
import { HttpError } from '../lib/errors.js';
import type { AuditActor, AuditLog } from '../audit/audit-log.js';
import type { RefusedAgent, RefusedAgentStore } from '../store/refused-agents.js';

export function createRefusedAgentService(deps: { refused: RefusedAgentStore; audit: AuditLog }) {
  return {
    list(): RefusedAgent[] {
      return deps.refused.list();
    },
    dismiss(actor: AuditActor, id: string): void {
      const entry = deps.refused.list().find((r) => r.id === id);
      if (!entry) throw new HttpError(404, 'REFUSED_AGENT_NOT_FOUND', `no refused agent ${id}`);
      deps.audit.audited(actor, (record) => {
        deps.refused.remove(id);
        record({
          action: 'refused-agent.dismiss',
          entityType: 'refused-agent',
          entityId: id,
          summary: `dismissed the refused agent ${entry.hostname ?? 'of unknown host name'}${entry.remoteIp ? ` from ${entry.remoteIp}` : ''}`,
          detail: { deviceId: entry.deviceId, hostname: entry.hostname, lastSeenMs: entry.lastSeenMs, attempts: entry.attempts },
        });
      });
    },
  };
}
export type RefusedAgentService = ReturnType<typeof createRefusedAgentService>;
