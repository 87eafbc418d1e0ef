/**
 * The audit log: one helper the services call to record who changed what (the REST routes and the CLIs go through the same services, so both are audited). A change and its entry
 * are written in one transaction (`audited`), so there is never a change without its entry nor an
 * entry for a change that rolled back. Details carry changed fields as { from, to } and never a
 * secret: passwords, tokens and channel secrets are left out or masked by the caller.
 *
 *   service ─ audited(actor, record ⇒ { change …; record(entry) }) ─▶ BEGIN; change; INSERT audit_log; COMMIT
 *   GET /api/audit (admins) ─▶ page(newest first, cursor `before`)
 */
import type { IncomingMessage } from 'node:http';
import type { Request } from 'express';
import type { Db } from '../store/database.js';
import { createAuditStore, type AuditActor, type AuditInput, type AuditQuery } from '../store/audit.js';

export type { AuditActor, AuditInput } from '../store/audit.js';

/** The person acting, as the services take them: an id (null for the command line) and a name. */
export interface AuditPerson {
  id: string | null;
  username: string;
}

/** A person as the audit log names them. */
export const auditActorOf = (p: AuditPerson): AuditActor & { name: string } => ({ id: p.id, name: p.username });

/** The actor of an authenticated request: the user, or the API token's stand-in. */
export function actorOf(req: Request): AuditActor {
  return req.user ? { id: req.user.id, name: req.user.username } : { id: null, name: null };
}

/** Where a request came from, for login entries. */
export function remoteOf(req: IncomingMessage): string | null {
  return req.socket.remoteAddress ?? null;
}

/**
 * Fields that differ between `before` and `after` (only `keys` when given), as
 * `{ field: { from, to } }`. Values are compared as JSON.
 */
export function changedFields(before: object, after: object, keys?: readonly string[]): Record<string, { from: unknown; to: unknown }> {
  const b = before as Record<string, unknown>;
  const a = after as Record<string, unknown>;
  const out: Record<string, { from: unknown; to: unknown }> = {};
  for (const k of keys ?? [...new Set([...Object.keys(b), ...Object.keys(a)])]) {
    if (JSON.stringify(b[k]) !== JSON.stringify(a[k])) out[k] = { from: b[k] ?? null, to: a[k] ?? null };
  }
  return out;
}

/** Builds the audit log over the database. */
export function createAuditLog(deps: { db: Db; now: () => number }) {
  const store = createAuditStore(deps.db);
  const record = (actor: AuditActor, input: AuditInput): number => store.insert(deps.now(), actor, input);
  return {
    /** Records one entry on its own (for events that change nothing else, e.g. a failed login). */
    record,
    /**
     * Runs `change` in a transaction; the entries it records commit with it or not at all.
     * `change` must be synchronous (better-sqlite3 transactions cannot span an await).
     */
    audited<T>(actor: AuditActor, change: (record: (input: AuditInput) => void) => T): T {
      return deps.db.transaction(() => change((input) => void record(actor, input)))();
    },
    /** Records that someone takes a copy of the log (before the first row leaves). */
    recordExport(actor: AuditActor, format: string, fromMs: number, toMs: number): void {
      record(actor, {
        action: 'audit.export',
        entityType: 'audit-log',
        entityId: null,
        summary: `exported the audit log as ${format.toUpperCase()}`,
        detail: { format, fromMs, toMs },
      });
    },
    page: (q: AuditQuery) => store.page(q),
    /** Oldest first, after `afterId`, within [fromMs, toMs): one chunk of an export. */
    chunk: (afterId: number, fromMs: number, toMs: number, limit: number) => store.chunk(afterId, fromMs, toMs, limit),
  };
}
export type AuditLog = ReturnType<typeof createAuditLog>;
