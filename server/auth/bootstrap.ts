/**
 * First start. With QP_ADMIN_PASSWORD (headless installs) the `admin` user is created with it and
 * setup is done. Without it no user is made: the server waits for the setup page in the browser
 * (server/setup/), which only the holder of a one-time setup code may use. The code is printed
 * once to the console (as a URL fragment, so it stays out of access logs) and only its hash is
 * stored; a restart before setup makes a new one. Never a default password.
 */
import { randomBytes } from 'node:crypto';
import type { UserStore } from '../store/users.js';
import type { ServerSettingsStore } from '../store/server-settings.js';
import { hashPassword, hashToken } from '../lib/secrets.js';

/** Minimum length of an admin password (QP_ADMIN_PASSWORD and the setup page). */
export const MIN_PASSWORD_LENGTH = 10;

/** True while the server waits for its first-start setup. */
export function isSetupPending(settings: ServerSettingsStore): boolean {
  const s = settings.get('setup');
  return s !== undefined && 'codeHash' in s;
}

/**
 * Creates the `admin` user from QP_ADMIN_PASSWORD, or, with none, starts the setup: returns the
 * one-time setup code to print. Nothing to do on a server that has users.
 */
export async function bootstrapAdmin(
  users: UserStore,
  settings: ServerSettingsStore,
  adminPassword: string | undefined,
  nowMs: number,
): Promise<{ setupCode: string | undefined }> {
  if (users.countUsers() > 0) {
    if (isSetupPending(settings)) settings.set('setup', { doneAtMs: nowMs, by: 'an existing user' }, nowMs);
    return { setupCode: undefined };
  }
  if (adminPassword !== undefined) {
    if (adminPassword.length < MIN_PASSWORD_LENGTH) throw new Error(`QP_ADMIN_PASSWORD must be at least ${MIN_PASSWORD_LENGTH} characters`);
    users.create({ username: 'admin', passwordHash: await hashPassword(adminPassword), role: 'admin' }, nowMs);
    settings.set('setup', { doneAtMs: nowMs, by: 'QP_ADMIN_PASSWORD' }, nowMs);
    return { setupCode: undefined };
  }
  const code = randomBytes(18).toString('base64url');
  settings.set('setup', { codeHash: hashToken(code), createdAtMs: nowMs }, nowMs);
  return { setupCode: code };
}
