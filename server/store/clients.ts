/** Clients (the MSP's customers), their contract, and their enrollment tokens. */
import type { ClientInfo, ClientInput, ContractType } from '../../shared/api-types.js';
import type { EnrollmentToken } from '../../shared/device-admin-types.js';
import type { Db } from './database.js';
import { generateId, hashToken } from '../lib/secrets.js';

/** A client and its contract terms, the same shape the API answers (ClientInfo). */
export type Client = ClientInfo;

/** Fields a caller sets when creating a client (the POST /api/clients body). */
export type NewClient = ClientInput;

interface ClientRow {
  id: string;
  name: string;
  contract: ContractType;
  monthly_fee: number;
  hourly_rate: number;
  currency: string;
  timezone: string;
  contact: string | null;
  created_at_ms: number;
}

const toClient = (r: ClientRow): Client => ({
  id: r.id,
  name: r.name,
  contract: r.contract,
  monthlyFee: r.monthly_fee,
  hourlyRate: r.hourly_rate,
  currency: r.currency,
  timezone: r.timezone,
  contact: r.contact,
  createdAtMs: r.created_at_ms,
});

interface TokenRow {
  id: string;
  client_id: string;
  label: string | null;
  created_at_ms: number;
  expires_at_ms: number | null;
  revoked_at_ms: number | null;
  used_count: number;
  last_used_at_ms: number | null;
}

const toTokenInfo = (r: TokenRow): EnrollmentToken => ({
  id: r.id,
  clientId: r.client_id,
  label: r.label,
  createdAtMs: r.created_at_ms,
  expiresAtMs: r.expires_at_ms,
  revokedAtMs: r.revoked_at_ms,
  usedCount: r.used_count,
  lastUsedAtMs: r.last_used_at_ms,
});

/** Builds the client and enrollment-token statements once. */
export function createClientStore(db: Db) {
  const insert = db.prepare(
    `INSERT INTO clients (id, name, contract, monthly_fee, hourly_rate, currency, timezone, contact, created_at_ms)
     VALUES (@id, @name, @contract, @monthlyFee, @hourlyRate, @currency, @timezone, @contact, @createdAtMs)`,
  );
  const byId = db.prepare<[string], ClientRow>('SELECT * FROM clients WHERE id = ?');
  const byName = db.prepare<[string], ClientRow>('SELECT * FROM clients WHERE name = ?');
  const all = db.prepare<[], ClientRow>('SELECT * FROM clients ORDER BY name');
  const update = db.prepare(
    `UPDATE clients SET name = @name, contract = @contract, monthly_fee = @monthlyFee, hourly_rate = @hourlyRate, currency = @currency,
       timezone = @timezone, contact = @contact WHERE id = @id`,
  );
  const remove = db.prepare<[string]>('DELETE FROM clients WHERE id = ?');
  const insertToken = db.prepare('INSERT INTO enrollment_tokens (id, client_id, token_hash, label, created_at_ms, expires_at_ms) VALUES (?, ?, ?, ?, ?, ?)');
  const tokenByHash = db.prepare<[string], { id: string; client_id: string; expires_at_ms: number | null; revoked_at_ms: number | null }>(
    'SELECT id, client_id, expires_at_ms, revoked_at_ms FROM enrollment_tokens WHERE token_hash = ?',
  );
  const tokenColumns = 'id, client_id, label, created_at_ms, expires_at_ms, revoked_at_ms, used_count, last_used_at_ms';
  const tokensOfClient = db.prepare<[string], TokenRow>(`SELECT ${tokenColumns} FROM enrollment_tokens WHERE client_id = ? ORDER BY created_at_ms DESC, id`);
  const tokenById = db.prepare<[string], TokenRow>(`SELECT ${tokenColumns} FROM enrollment_tokens WHERE id = ?`);
  const revokeToken = db.prepare('UPDATE enrollment_tokens SET revoked_at_ms = coalesce(revoked_at_ms, ?) WHERE id = ?');
  const markTokenUsed = db.prepare('UPDATE enrollment_tokens SET used_count = used_count + 1, last_used_at_ms = ? WHERE id = ?');

  return {
    create(input: NewClient, nowMs: number): Client {
      const id = generateId();
      insert.run({
        id,
        name: input.name,
        contract: input.contract,
        monthlyFee: input.monthlyFee ?? 0,
        hourlyRate: input.hourlyRate ?? 0,
        currency: input.currency ?? 'EUR',
        timezone: input.timezone ?? 'UTC',
        contact: input.contact ?? null,
        createdAtMs: nowMs,
      });
      return toClient(byId.get(id)!);
    },
    findById(id: string): Client | undefined {
      const r = byId.get(id);
      return r && toClient(r);
    },
    findByName(name: string): Client | undefined {
      const r = byName.get(name);
      return r && toClient(r);
    },
    list(): Client[] {
      return all.all().map(toClient);
    },
    /** Changes the given fields of a client; returns the client as stored (undefined if unknown). */
    update(id: string, patch: Partial<NewClient>): Client | undefined {
      const r = byId.get(id);
      if (!r) return undefined;
      const c = toClient(r);
      update.run({
        id,
        name: patch.name ?? c.name,
        contract: patch.contract ?? c.contract,
        monthlyFee: patch.monthlyFee ?? c.monthlyFee,
        hourlyRate: patch.hourlyRate ?? c.hourlyRate,
        currency: patch.currency ?? c.currency,
        timezone: patch.timezone ?? c.timezone,
        contact: patch.contact === undefined ? c.contact : patch.contact,
      });
      return toClient(byId.get(id)!);
    },
    /** Deletes a client; throws a foreign-key error while devices or alert/incident history refer to it. */
    delete(id: string): void {
      remove.run(id);
    },
    /** Stores the hash of a new enrollment token for a client. */
    addEnrollmentToken(clientId: string, token: string, opts: { label?: string | null; expiresAtMs?: number | null }, nowMs: number): EnrollmentToken {
      const id = generateId();
      insertToken.run(id, clientId, hashToken(token), opts.label ?? null, nowMs, opts.expiresAtMs ?? null);
      return toTokenInfo(tokenById.get(id)!);
    },
    /** A client's enrollment tokens, newest first (never the secret). */
    listEnrollmentTokens(clientId: string): EnrollmentToken[] {
      return tokensOfClient.all(clientId).map(toTokenInfo);
    },
    findEnrollmentToken(id: string): EnrollmentToken | undefined {
      const r = tokenById.get(id);
      return r && toTokenInfo(r);
    },
    /** Revokes a token (idempotent: the first revocation time is kept). */
    revokeEnrollmentToken(id: string, nowMs: number): EnrollmentToken | undefined {
      revokeToken.run(nowMs, id);
      const r = tokenById.get(id);
      return r && toTokenInfo(r);
    },
    /** Counts one enrollment with a token. */
    markEnrollmentTokenUsed(id: string, nowMs: number): void {
      markTokenUsed.run(nowMs, id);
    },
    /** The client an enrollment token enrolls into, if the token is known, unexpired and not revoked. */
    resolveEnrollmentToken(token: string, nowMs: number): { tokenId: string; clientId: string } | undefined {
      const r = tokenByHash.get(hashToken(token));
      if (!r || r.revoked_at_ms !== null || (r.expires_at_ms !== null && r.expires_at_ms <= nowMs)) return undefined;
      return { tokenId: r.id, clientId: r.client_id };
    },
  };
}
export type ClientStore = ReturnType<typeof createClientStore>;
