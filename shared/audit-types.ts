/**
 * The audit log as GET /api/audit answers it:
 * `?limit=&before=&actor=&entityType=&entityId=` → AuditPage, newest first; the next (older)
 * page is `before=<nextBefore>`. The entry and page shapes live with the other REST answers in
 * api-types.ts; this file adds the query. Types only, so the dashboard can import it.
 */
export type { AuditAction, AuditEntry, AuditPage } from './api-types.js';

/** Query of GET /api/audit; every field optional. */
export interface AuditQuery {
  /** Most entries per page. */
  limit?: number;
  /** Cursor from the previous page's nextBefore. */
  before?: number;
  /** Only entries by this user (an actorId). */
  actor?: string;
  entityType?: string;
  entityId?: string;
}
