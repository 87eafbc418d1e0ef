/** The audit log table: append one entry, read pages newest first. */
import type { AuditAction, AuditEntry } from '../../shared/api-types.js';
import type { Db } from './database.js';

/** Who did it, as recorded (copied, not referenced). */
export interface AuditActor {
  id: string | null;
  name: string | null;
}

/** What happened, as a route describes it. */
export interface AuditInput {
  action: AuditAction;
  entityType: string;
  entityId: string | null;
  summary: string;
  /** Structured detail; must never hold a secret. */
  detail?: Record<string, unknown>;
}

/** Filters of one page. */
export interface AuditQuery {
  limit: number;
  /** Only entries with an id below this (the previous page's nextBefore). */
  beforeId?: number;
  /** Actor id or name. */
  actor?: string;
  entityType?: string;
  entityId?: string;
}

interface AuditRow {
  id: number;
  at_ms: number;
  actor_id: string | null;
  actor_name: string | null;
  action: AuditAction;
  entity_type: string;
  entity_id: string | null;
  summary: string;
  detail_json: string;
}

const toEntry = (r: AuditRow): AuditEntry => ({
  id: r.id,
  atMs: r.at_ms,
  actorId: r.actor_id,
  actorName: r.actor_name,
  action: r.action,
  entityType: r.entity_type,
  entityId: r.entity_id,
  summary: r.summary,
  detail: JSON.parse(r.detail_json) as Record<string, unknown>,
});

/** Builds the audit statements once. */
export function createAuditStore(db: Db) {
  const insert = db.prepare(
    `INSERT INTO audit_log (at_ms, actor_id, actor_name, action, entity_type, entity_id, summary, detail_json)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  // NULL parameters switch a filter off, so one statement serves every combination.
  const page = db.prepare<{ before: number | null; actor: string | null; entityType: string | null; entityId: string | null; limit: number }, AuditRow>(
    `SELECT * FROM audit_log
      WHERE (@before IS NULL OR id < @before)
        AND (@actor IS NULL OR actor_id = @actor OR actor_name = @actor)
        AND (@entityType IS NULL OR entity_type = @entityType)
        AND (@entityId IS NULL OR entity_id = @entityId)
      ORDER BY id DESC LIMIT @limit`,
  );

  const ascending = db.prepare<{ after: number; fromMs: number; toMs: number; limit: number }, AuditRow>(
    'SELECT * FROM audit_log WHERE id > @after AND at_ms >= @fromMs AND at_ms < @toMs ORDER BY id LIMIT @limit',
  );
  return {
    /** Entries with an id above `afterId` in [fromMs, toMs), oldest first: the export's next chunk. */
    chunk(afterId: number, fromMs: number, toMs: number, limit: number): AuditEntry[] {
      return ascending.all({ after: afterId, fromMs, toMs, limit }).map(toEntry);
    },
    /** Appends one entry; returns its id. */
    insert(atMs: number, actor: AuditActor, input: AuditInput): number {
      const r = insert.run(atMs, actor.id, actor.name, input.action, input.entityType, input.entityId, input.summary, JSON.stringify(input.detail ?? {}));
      return Number(r.lastInsertRowid);
    },
    /** One page, newest first; `nextBefore` is null on the last page. */
    page(q: AuditQuery): { entries: AuditEntry[]; nextBefore: number | null } {
      const rows = page.all({
        before: q.beforeId ?? null,
        actor: q.actor ?? null,
        entityType: q.entityType ?? null,
        entityId: q.entityId ?? null,
        limit: q.limit + 1,
      });
      const entries = rows.slice(0, q.limit).map(toEntry);
      return { entries, nextBefore: rows.length > q.limit ? entries.at(-1)!.id : null };
    },
  };
}
export type AuditStore = ReturnType<typeof createAuditStore>;
