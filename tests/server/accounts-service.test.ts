/**
 * The account services on a real SQLite file, called directly (no HTTP): each change writes its
 * audit entry in the same transaction (a change the database refuses leaves no entry, an entry
 * the database refuses leaves no change), and the server's command line is the recorded actor of
 * a password reset done there.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../server/store/database.js';
import { createUserStore, type UserStore } from '../../server/store/users.js';
import { createApiTokenStore, type ApiTokenStore } from '../../server/store/api-tokens.js';
import { createTwoFactorStore } from '../../server/store/two-factor.js';
import { createAuditLog, type AuditActor } from '../../server/audit/audit-log.js';
import { createUserService, CLI_ACTOR, type UserService } from '../../server/accounts/user-service.js';
import { createApiTokenService, type ApiTokenService } from '../../server/accounts/api-token-service.js';
import { HttpError } from '../../server/lib/errors.js';
import { hashPassword, verifyPassword } from '../../server/lib/secrets.js';

const T0 = Date.UTC(2026, 11, 3, 9, 0);
const POLICY = { maxAgeMs: 86_400_000, idleMs: 3_600_000 };

describe('account services', () => {
  let dir: string;
  let db: Db;
  let users: UserStore;
  let apiTokens: ApiTokenStore;
  let audit: ReturnType<typeof createAuditLog>;
  let userService: UserService;
  let tokenService: ApiTokenService;
  let anna: AuditActor;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'qp-accounts-'));
    db = openDatabase(dir);
    users = createUserStore(db);
    apiTokens = createApiTokenStore(db);
    audit = createAuditLog({ db, now: () => T0 });
    userService = createUserService({ users, apiTokens, twoFactor: createTwoFactorStore(db), audit, now: () => T0 });
    tokenService = createApiTokenService({ apiTokens, audit, now: () => T0 });
    const admin = users.create({ username: 'anna', passwordHash: await hashPassword('anna-password-1'), role: 'admin' }, T0);
    anna = { id: admin.id, name: admin.username };
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const entries = () => audit.page({ limit: 100 }).entries.reverse();
  /** A real refusal by SQLite inside the transaction, as a full disk or a constraint would give. */
  const refuse = (event: string, table: string) =>
    db.exec(`CREATE TRIGGER refuse BEFORE ${event} ON ${table} BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`);

  it('records a created, changed and deleted user with the acting admin', async () => {
    const bob = await userService.create(anna, { username: 'bob', password: 'bob-password-1', role: 'technician', email: 'bob@example.nl' });
    await userService.update(anna, bob.id, { role: 'viewer' });
    userService.remove(anna, bob.id);
    expect(entries().map((e) => [e.actorId, e.actorName, e.action, e.entityId, e.summary, e.detail])).toEqual([
      [anna.id, 'anna', 'user.create', bob.id, 'created user bob (technician)', { role: 'technician', email: 'bob@example.nl' }],
      [anna.id, 'anna', 'user.update', bob.id, 'changed user bob: role', { changes: { role: { from: 'technician', to: 'viewer' } } }],
      [anna.id, 'anna', 'user.delete', bob.id, 'deleted user bob (viewer)', {}],
    ]);
    expect(users.findById(bob.id)).toBeUndefined();
  });

  it('writes no entry when the database refuses the change, and no change when it refuses the entry', async () => {
    const bob = await userService.create(anna, { username: 'bob', password: 'bob-password-1', role: 'admin' });
    const token = tokenService.create({ id: bob.id, name: 'bob' }, 'bob', { name: 'backup-script', role: 'technician' });
    const before = entries().length;

    refuse('DELETE', 'users');
    expect(() => userService.remove(anna, bob.id)).toThrow('refused by the test');
    // The token revocation and its entry rolled back with the refused delete.
    expect(entries().length).toBe(before);
    expect(apiTokens.findById(token.id)?.revokedAtMs).toBeNull();
    expect(users.findById(bob.id)?.role).toBe('admin');
    db.exec('DROP TRIGGER refuse');

    refuse('INSERT', 'audit_log');
    await expect(userService.update(anna, bob.id, { role: 'viewer' })).rejects.toThrow('refused by the test');
    expect(() => tokenService.revoke(anna, token.id)).toThrow('refused by the test');
    expect(users.findById(bob.id)?.role).toBe('admin');
    expect(apiTokens.findById(token.id)?.revokedAtMs).toBeNull();
    db.exec('DROP TRIGGER refuse');
    expect(entries().length).toBe(before);
  });

  it('refuses mistakes with an HttpError before anything is written', async () => {
    const tooShort = userService.create(anna, { username: 'bob', password: 'short', role: 'viewer' });
    await expect(tooShort).rejects.toBeInstanceOf(HttpError);
    await expect(tooShort).rejects.toMatchObject({ status: 400, code: 'PASSWORD_TOO_SHORT' });
    expect(() => userService.remove(anna, anna.id!)).toThrow(expect.objectContaining({ status: 409, code: 'CANNOT_DELETE_SELF' }));
    await expect(userService.update(anna, anna.id!, { role: 'viewer' })).rejects.toMatchObject({ status: 409, code: 'LAST_ADMIN' });
    expect(entries()).toEqual([]);
  });

  it("records the command line's password reset with the CLI actor and ends every session", async () => {
    users.createSession('session-a', anna.id!, T0, POLICY);
    users.createSession('session-b', anna.id!, T0, POLICY);
    const user = users.findById(anna.id!)!;
    expect(userService.resetPasswordOnServer(user, await hashPassword('new-anna-password-1'))).toBe(2);
    expect(entries().map((e) => [e.actorId, e.actorName, e.action, e.entityId, e.summary, e.detail])).toEqual([
      [null, 'command line on the server', 'user.password-reset', anna.id, "password of anna reset on the server's command line", { sessionsEnded: 2 }],
    ]);
    expect(CLI_ACTOR).toEqual({ id: null, name: 'command line on the server' });
    expect(await verifyPassword('new-anna-password-1', users.findWithHash(anna.id!)!.passwordHash)).toBe(true);
    expect(users.findSessionUser('session-a', T0)).toBeUndefined();
  });
});
