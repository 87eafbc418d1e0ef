/** Users (technicians) and their login sessions. */
import type { Db } from './database.js';
import { generateId, hashToken } from '../lib/secrets.js';

export type Role = 'admin' | 'technician' | 'viewer';

/** A user as the rest of the server sees it (never with the password hash). */
export interface User {
  id: string;
  username: string;
  role: Role;
  email: string | null;
  createdAtMs: number;
}

/** How a session was started: a password here (and our second factor), or the identity provider (SSO). */
export type SessionMethod = 'password' | 'sso';

/** The password hash of a user who signs in only through the identity provider: no password matches it. */
export const NO_PASSWORD_HASH = '!sso-only';

/** A session's user, with how the session was started. */
export type SessionUserRecord = User & { sessionMethod: SessionMethod };

/** How long sessions live: an absolute cap and an idle timeout, ms. */
export interface SessionPolicy {
  /** A session ends this long after login, whatever happens. */
  maxAgeMs: number;
  /** A session ends after this long without a request (or an open live socket). */
  idleMs: number;
}

interface UserRow {
  id: string;
  username: string;
  role: Role;
  email: string | null;
  created_at_ms: number;
  password_hash: string;
}

const toUser = (r: UserRow): User => ({ id: r.id, username: r.username, role: r.role, email: r.email, createdAtMs: r.created_at_ms });

/** Sliding expiry is written at most this often per session, so reads stay reads. */
const TOUCH_GRANULARITY_MS = 60_000;

/** Builds the user and session statements once. */
export function createUserStore(db: Db) {
  const insert = db.prepare('INSERT INTO users (id, username, password_hash, role, email, created_at_ms) VALUES (?, ?, ?, ?, ?, ?)');
  const byName = db.prepare<[string], UserRow>('SELECT * FROM users WHERE username = ?');
  const byId = db.prepare<[string], UserRow>('SELECT * FROM users WHERE id = ?');
  const all = db.prepare<[], UserRow>('SELECT * FROM users ORDER BY username COLLATE NOCASE');
  const count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM users');
  const setEmail = db.prepare<[string | null, string]>('UPDATE users SET email = ? WHERE id = ?');
  const countAdmins = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM users WHERE role = 'admin'");
  const update = db.prepare<{ id: string; role: Role; email: string | null }>('UPDATE users SET role = @role, email = @email WHERE id = @id');
  const localeOf = db.prepare<[string], { locale: string | null }>('SELECT locale FROM users WHERE id = ?');
  const updateLocale = db.prepare<[string | null, string]>('UPDATE users SET locale = ? WHERE id = ?');
  const updatePassword = db.prepare<[string, string]>('UPDATE users SET password_hash = ? WHERE id = ?');
  const remove = db.prepare<[string]>('DELETE FROM users WHERE id = ?');
  const insertSession = db.prepare('INSERT INTO sessions (token_hash, user_id, created_at_ms, expires_at_ms, method) VALUES (?, ?, ?, ?, ?)');
  const sessionUser = db.prepare<[string, number], UserRow & { session_method: SessionMethod }>(
    'SELECT u.*, s.method AS session_method FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at_ms > ?',
  );
  // expires_at_ms is the earlier of the absolute cap and the idle deadline; a request moves the
  // idle deadline forward (never past the cap), at most once a minute.
  const touchSession = db.prepare<{ hash: string; nowMs: number; maxAgeMs: number; idleMs: number; granularityMs: number }>(
    `UPDATE sessions SET expires_at_ms = min(created_at_ms + @maxAgeMs, @nowMs + @idleMs)
      WHERE token_hash = @hash AND expires_at_ms > @nowMs
        AND expires_at_ms < min(created_at_ms + @maxAgeMs, @nowMs + @idleMs) - @granularityMs`,
  );
  const deleteSession = db.prepare('DELETE FROM sessions WHERE token_hash = ?');
  const deleteOtherSessions = db.prepare<[string, string]>('DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?');
  const deleteUserSessions = db.prepare<[string]>('DELETE FROM sessions WHERE user_id = ?');
  const deleteExpired = db.prepare('DELETE FROM sessions WHERE expires_at_ms <= ?');

  return {
    /** Creates a user; the caller hashes the password. */
    create(input: { username: string; passwordHash: string; role: Role; email?: string | null }, nowMs: number): User {
      const id = generateId();
      insert.run(id, input.username, input.passwordHash, input.role, input.email ?? null, nowMs);
      return toUser(byId.get(id)!);
    },
    /** The user and its password hash, for login. */
    findForLogin(username: string): (User & { passwordHash: string }) | undefined {
      const r = byName.get(username);
      return r && { ...toUser(r), passwordHash: r.password_hash };
    },
    findById(id: string): User | undefined {
      const r = byId.get(id);
      return r && toUser(r);
    },
    /** The user (by id) with its password hash, for checking the current password. */
    findWithHash(id: string): (User & { passwordHash: string }) | undefined {
      const r = byId.get(id);
      return r && { ...toUser(r), passwordHash: r.password_hash };
    },
    /** Every user, by username. */
    list(): User[] {
      return all.all().map(toUser);
    },
    countUsers(): number {
      return count.get()!.n;
    },
    /** Sets (or clears) a user's email address. */
    setEmail(id: string, email: string | null): void {
      setEmail.run(email, id);
    },
    countAdmins(): number {
      return countAdmins.get()!.n;
    },
    /** Changes role and e-mail; returns the user as stored (undefined if unknown). */
    update(id: string, patch: { role?: Role; email?: string | null }): User | undefined {
      const u = byId.get(id);
      if (!u) return undefined;
      update.run({ id, role: patch.role ?? u.role, email: patch.email === undefined ? u.email : patch.email });
      return toUser(byId.get(id)!);
    },
    /** The dashboard language the user chose; null when they follow their browser. */
    getLocale(id: string): 'en' | 'nl' | null {
      const l = localeOf.get(id)?.locale;
      return l === 'en' || l === 'nl' ? l : null;
    },
    /** Sets (or clears, null) the user's dashboard language. */
    setLocale(id: string, locale: 'en' | 'nl' | null): void {
      updateLocale.run(locale, id);
    },
    /** Stores a new password hash. */
    setPasswordHash(id: string, passwordHash: string): void {
      updatePassword.run(passwordHash, id);
    },
    /** Deletes a user; its sessions go with it (ON DELETE CASCADE). */
    delete(id: string): boolean {
      return remove.run(id).changes === 1;
    },
    /** Stores a session by the hash of its token; it starts with the idle deadline. */
    createSession(token: string, userId: string, nowMs: number, policy: SessionPolicy, method: SessionMethod = 'password'): void {
      deleteExpired.run(nowMs);
      insertSession.run(hashToken(token), userId, nowMs, nowMs + Math.min(policy.idleMs, policy.maxAgeMs), method);
    },
    /** The user owning an unexpired session token (with how it signed in); moves its idle deadline forward. */
    findSessionUser(token: string, nowMs: number, policy?: SessionPolicy): SessionUserRecord | undefined {
      const hash = hashToken(token);
      const r = sessionUser.get(hash, nowMs);
      if (r && policy) touchSession.run({ hash, nowMs, maxAgeMs: policy.maxAgeMs, idleMs: policy.idleMs, granularityMs: TOUCH_GRANULARITY_MS });
      return r && { ...toUser(r), sessionMethod: r.session_method };
    },
    deleteSession(token: string): void {
      deleteSession.run(hashToken(token));
    },
    /** Ends every session of a user except the one with `keepToken` (all when omitted). */
    deleteSessionsOfUser(userId: string, keepToken?: string): number {
      return keepToken === undefined ? deleteUserSessions.run(userId).changes : deleteOtherSessions.run(userId, hashToken(keepToken)).changes;
    },
  };
}
export type UserStore = ReturnType<typeof createUserStore>;
