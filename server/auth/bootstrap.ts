/** First-start bootstrap: the `admin` user, with a given password or a generated one. */
import { randomBytes } from 'node:crypto';
import type { UserStore } from '../store/users.js';
import { hashPassword } from '../lib/secrets.js';

/** Minimum length of an admin password given through QP_ADMIN_PASSWORD. */
export const MIN_PASSWORD_LENGTH = 10;

/**
 * Creates the `admin` user when there are no users yet. Returns the generated password when one
 * was generated (to be printed once), otherwise undefined. Never uses a default password.
 */
export async function bootstrapAdmin(users: UserStore, adminPassword: string | undefined, nowMs: number): Promise<string | undefined> {
  if (users.countUsers() > 0) return undefined;
  if (adminPassword !== undefined && adminPassword.length < MIN_PASSWORD_LENGTH) {
    throw new Error(`QP_ADMIN_PASSWORD must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  const password = adminPassword ?? randomBytes(15).toString('base64url');
  users.create({ username: 'admin', passwordHash: await hashPassword(password), role: 'admin' }, nowMs);
  return adminPassword === undefined ? password : undefined;
}
