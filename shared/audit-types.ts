/**
 * The audit log as GET /api/audit answers it:
 * `?limit=&before=&actor=&entityType=&entityId=` → AuditPage, newest first; the next (older)
 * page is `before=<nextBefore>`. Types only (no zod), so the dashboard can import this file too.
 * Times are ms since the Unix epoch.
 */

/** One recorded change: who did what to which record. */
export interface AuditEntry {
  id: string;
  /** When it happened, ms. */
  atMs: number;
  /** The user who did it; null for the system itself (engine, agents, scheduled jobs). */
  actorId: string | null;
  /** Username at the time (kept when the user is later removed), or "system". */
  actorName: string;
  /** What was done, dotted, e.g. "device.disable", "channel.update", "user.create". */
  action: string;
  /** Kind of record, e.g. "device", "client", "channel", "user", "schedule". */
  entityType: string;
  /** The record's id; null for actions on no single record (e.g. "session.login-failed"). */
  entityId: string | null;
  /** One readable line, e.g. "disabled device jansen-srv01". */
  summary: string;
  /** Extra facts (changed fields, old and new values); never secrets. Null when there are none. */
  detail: Record<string, unknown> | null;
}

/** One page of the audit log. */
export interface AuditPage {
  /** Newest first. */
  entries: AuditEntry[];
  /** Pass as `before=` for the next, older page; null when this is the last page. Opaque cursor. */
  nextBefore: string | null;
}

/** Query of GET /api/audit; every field optional. */
export interface AuditQuery {
  /** Most entries per page. */
  limit?: number;
  /** Cursor from the previous page's nextBefore. */
  before?: string;
  /** Only entries by this user (an actorId). */
  actor?: string;
  entityType?: string;
  entityId?: string;
}
