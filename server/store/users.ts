/** Users (technicians) and their login sessions. */
import type { Db } from './database.js';
import { generateId, hashToken } from '../auth/secrets.js';

export type Role = 'admin' | 'technician' | 'viewer';

/** A user as the rest of the server sees it (never with the password hash). */
export interface User {
  id: string;
  username: string;
  role: Role;
  email: string | null;
  createdAtMs: number;
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

/** Builds the user and session statements once. */
export function createUserStore(db: Db) {
  const insert = db.prepare(
    'INSERT INTO users (id, username, password_hash, role, email, created_at_ms) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const byName = db.prepare<[string], UserRow>('SELECT * FROM users WHERE username = ?');
  const byId = db.prepare<[string], UserRow>('SELECT * FROM users WHERE id = ?');
  const count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM users');
  const all = db.prepare<[], UserRow>('SELECT * FROM users ORDER BY username');
  const setEmail = db.prepare<[string | null, string]>('UPDATE users SET email = ? WHERE id = ?');
  const insertSession = db.prepare('INSERT INTO sessions (token_hash, user_id, created_at_ms, expires_at_ms) VALUES (?, ?, ?, ?)');
  const sessionUser = db.prepare<[string, number], UserRow>(
    'SELECT u.* FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at_ms > ?',
  );
  const deleteSession = db.prepare('DELETE FROM sessions WHERE token_hash = ?');
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
    countUsers(): number {
      return count.get()!.n;
    },
    /** Every user, by username. */
    list(): User[] {
      return all.all().map(toUser);
    },
    /** Sets (or clears) a user's email address. */
    setEmail(id: string, email: string | null): void {
      setEmail.run(email, id);
    },
    /** Stores a session by the hash of its token. */
    createSession(token: string, userId: string, nowMs: number, ttlMs: number): void {
      deleteExpired.run(nowMs);
      insertSession.run(hashToken(token), userId, nowMs, nowMs + ttlMs);
    },
    /** The user owning an unexpired session token. */
    findSessionUser(token: string, nowMs: number): User | undefined {
      const r = sessionUser.get(hashToken(token), nowMs);
      return r && toUser(r);
    },
    deleteSession(token: string): void {
      deleteSession.run(hashToken(token));
    },
  };
}
export type UserStore = ReturnType<typeof createUserStore>;
