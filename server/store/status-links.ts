/**
 * Read-only status links of clients (migration 021). The token itself is shown once when the link
 * is made; only its SHA-256 is kept, so a copy of the database opens no status page.
 */
import type { StatusLink } from '../../shared/api-types.js';
import type { Db } from './database.js';
import { generateId } from '../lib/secrets.js';

export type { StatusLink };

interface Row {
  id: string;
  client_id: string;
  label: string | null;
  show_hostnames: number;
  created_ms: number;
  created_by: string | null;
  revoked_ms: number | null;
}

const toLink = (r: Row): StatusLink => ({
  id: r.id,
  clientId: r.client_id,
  label: r.label,
  showHostnames: r.show_hostnames === 1,
  createdAtMs: r.created_ms,
  createdBy: r.created_by,
  revokedAtMs: r.revoked_ms,
});

/** Builds the statements once. */
export function createStatusLinkStore(db: Db) {
  const insert = db.prepare('INSERT INTO status_links (id, client_id, token_hash, label, show_hostnames, created_ms, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const COLUMNS = 'id, client_id, label, show_hostnames, created_ms, created_by, revoked_ms';
  const byId = db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM status_links WHERE id = ?`);
  const byToken = db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM status_links WHERE token_hash = ? AND revoked_ms IS NULL`);
  const ofClient = db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM status_links WHERE client_id = ? ORDER BY created_ms DESC, id`);
  const revoke = db.prepare('UPDATE status_links SET revoked_ms = ? WHERE id = ? AND revoked_ms IS NULL');
  return {
    create(input: { clientId: string; tokenHash: string; label: string | null; showHostnames: boolean; createdBy: string | null }, nowMs: number): string {
      const id = generateId();
      insert.run(id, input.clientId, input.tokenHash, input.label, input.showHostnames ? 1 : 0, nowMs, input.createdBy);
      return id;
    },
    find(id: string): StatusLink | undefined {
      const r = byId.get(id);
      return r && toLink(r);
    },
    /** The live (not revoked) link a token hash opens. */
    findLive(tokenHash: string): StatusLink | undefined {
      const r = byToken.get(tokenHash);
      return r && toLink(r);
    },
    listOfClient(clientId: string): StatusLink[] {
      return ofClient.all(clientId).map(toLink);
    },
    /** False when it was already revoked. */
    revoke(id: string, nowMs: number): boolean {
      return revoke.run(nowMs, id).changes === 1;
    },
  };
}
export type StatusLinkStore = ReturnType<typeof createStatusLinkStore>;
