/**
 * Accounts at the identity provider linked to users (migration 012): single sign-on finds a
 * user by the provider's issuer and subject id, never by name or e-mail.
 */
import type { Db } from './database.js';

/** A linked account. */
export interface UserIdentity {
  issuer: string;
  subject: string;
  userId: string;
  createdAtMs: number;
  lastLoginAtMs: number;
}

interface Row {
  issuer: string;
  subject: string;
  user_id: string;
  created_at_ms: number;
  last_login_at_ms: number;
}

const toIdentity = (r: Row): UserIdentity => ({
  issuer: r.issuer,
  subject: r.subject,
  userId: r.user_id,
  createdAtMs: r.created_at_ms,
  lastLoginAtMs: r.last_login_at_ms,
});

/** Builds the statements once. */
export function createUserIdentityStore(db: Db) {
  const find = db.prepare<[string, string], Row>('SELECT * FROM user_identities WHERE issuer = ? AND subject = ?');
  const ofUser = db.prepare<[string], Row>('SELECT * FROM user_identities WHERE user_id = ? ORDER BY created_at_ms');
  const insert = db.prepare('INSERT INTO user_identities (issuer, subject, user_id, created_at_ms, last_login_at_ms) VALUES (?, ?, ?, ?, ?)');
  const touch = db.prepare<[number, string, string]>('UPDATE user_identities SET last_login_at_ms = ? WHERE issuer = ? AND subject = ?');
  const linkedUsers = db.prepare<[], { user_id: string }>('SELECT DISTINCT user_id FROM user_identities');
  return {
    find(issuer: string, subject: string): UserIdentity | undefined {
      const r = find.get(issuer, subject);
      return r && toIdentity(r);
    },
    ofUser(userId: string): UserIdentity[] {
      return ofUser.all(userId).map(toIdentity);
    },
    link(issuer: string, subject: string, userId: string, nowMs: number): void {
      insert.run(issuer, subject, userId, nowMs, nowMs);
    },
    touch(issuer: string, subject: string, nowMs: number): void {
      touch.run(nowMs, issuer, subject);
    },
    /** Ids of every user with a linked account. */
    linkedUserIds(): Set<string> {
      return new Set(linkedUsers.all().map((r) => r.user_id));
    },
  };
}
export type UserIdentityStore = ReturnType<typeof createUserIdentityStore>;
