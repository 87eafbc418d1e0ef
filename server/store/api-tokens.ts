/** API tokens: named bearer credentials with a role; only their SHA-256 is stored. */
import type { ApiTokenInfo } from '../../shared/api-types.js';
import type { Db } from './database.js';
import type { Role } from './users.js';
import { generateId, hashToken } from '../lib/secrets.js';

interface TokenRow {
  id: string;
  name: string;
  role: Role;
  created_at_ms: number;
  created_by: string | null;
  expires_at_ms: number | null;
  revoked_at_ms: number | null;
  last_used_at_ms: number | null;
}

const toInfo = (r: TokenRow): ApiTokenInfo => ({
  id: r.id,
  name: r.name,
  role: r.role,
  createdAtMs: r.created_at_ms,
  createdBy: r.created_by,
  expiresAtMs: r.expires_at_ms,
  revokedAtMs: r.revoked_at_ms,
  lastUsedAtMs: r.last_used_at_ms,
});

/** last_used_at_ms is written at most this often per token, so authenticated reads stay reads. */
const TOUCH_GRANULARITY_MS = 60_000;

/** Builds the API token statements once. */
export function createApiTokenStore(db: Db) {
  const insert = db.prepare('INSERT INTO api_tokens (id, name, token_hash, role, created_at_ms, created_by, expires_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const all = db.prepare<[], TokenRow>('SELECT * FROM api_tokens ORDER BY created_at_ms DESC, name');
  const byId = db.prepare<[string], TokenRow>('SELECT * FROM api_tokens WHERE id = ?');
  const byName = db.prepare<[string], TokenRow>('SELECT * FROM api_tokens WHERE name = ?');
  const valid = db.prepare<[string, number], TokenRow>(
    'SELECT * FROM api_tokens WHERE token_hash = ? AND revoked_at_ms IS NULL AND (expires_at_ms IS NULL OR expires_at_ms > ?)',
  );
  const touch = db.prepare<[number, string, number]>('UPDATE api_tokens SET last_used_at_ms = ? WHERE id = ? AND coalesce(last_used_at_ms, 0) < ?');
  const revoke = db.prepare<[number, string]>('UPDATE api_tokens SET revoked_at_ms = coalesce(revoked_at_ms, ?) WHERE id = ?');
  const liveOfCreator = db.prepare<[string], TokenRow>(
    'SELECT * FROM api_tokens WHERE created_by = ? COLLATE NOCASE AND revoked_at_ms IS NULL ORDER BY created_at_ms',
  );

  return {
    /** Stores a new token by its hash; the caller shows the token once. */
    create(input: { name: string; role: Role; token: string; createdBy: string | null; expiresAtMs: number | null }, nowMs: number): ApiTokenInfo {
      const id = generateId();
      insert.run(id, input.name, hashToken(input.token), input.role, nowMs, input.createdBy, input.expiresAtMs);
      return toInfo(byId.get(id)!);
    },
    list(): ApiTokenInfo[] {
      return all.all().map(toInfo);
    },
    findById(id: string): ApiTokenInfo | undefined {
      const r = byId.get(id);
      return r && toInfo(r);
    },
    findByName(name: string): ApiTokenInfo | undefined {
      const r = byName.get(name);
      return r && toInfo(r);
    },
    /** The token a bearer value belongs to, if it is neither revoked nor expired; records its use. */
    authenticate(token: string, nowMs: number): ApiTokenInfo | undefined {
      const r = valid.get(hashToken(token), nowMs);
      if (!r) return undefined;
      touch.run(nowMs, r.id, nowMs - TOUCH_GRANULARITY_MS);
      return toInfo(r);
    },
    /**
     * Revokes every live token created by `username` (its creator was demoted or deleted: a token
     * never outlasts the standing of the person who answers for it). Returns the revoked tokens.
     */
    revokeCreatedBy(username: string, nowMs: number): ApiTokenInfo[] {
      const rows = liveOfCreator.all(username);
      for (const r of rows) revoke.run(nowMs, r.id);
      return rows.map((r) => toInfo({ ...r, revoked_at_ms: nowMs }));
    },
    /** Revokes a token (idempotent); undefined if unknown. */
    revoke(id: string, nowMs: number): ApiTokenInfo | undefined {
      revoke.run(nowMs, id);
      const r = byId.get(id);
      return r && toInfo(r);
    },
  };
}
export type ApiTokenStore = ReturnType<typeof createApiTokenStore>;
