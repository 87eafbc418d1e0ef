/**
 * User accounts as admins, the users themselves and the server's command line change them:
 * create, change role/e-mail/password, delete, change one's own password, and the two ways back
 * in on the server machine (reset a password, turn off two-factor login). Every change writes its
 * audit entry in the same transaction; the checks that keep the server usable (at least one
 * admin, no deleting oneself, passwords of MIN_PASSWORD_LENGTH) live here, so the REST routes
 * and `quarkpulse user …` answer the same mistakes the same way.
 *
 * Passwords are hashed (scrypt, server/lib/secrets.ts) before the transaction, which cannot span
 * an await. Demoting or deleting a user revokes the API tokens they created, in the same
 * transaction; a password change ends the user's other sessions, a reset all of them.
 */
import { HttpError } from '../lib/errors.js';
import { hashPassword, verifyPassword } from '../lib/secrets.js';
import { MIN_PASSWORD_LENGTH } from '../auth/bootstrap.js';
import type { Role, User, UserStore } from '../store/users.js';
import type { ApiTokenStore } from '../store/api-tokens.js';
import type { TwoFactorStore } from '../store/two-factor.js';
import { changedFields, type AuditActor, type AuditInput, type AuditLog } from '../audit/audit-log.js';

/** How the server's command line appears in the audit log. */
export const CLI_ACTOR: AuditActor = { id: null, name: 'command line on the server' };

const ROLE_RANK = { viewer: 0, technician: 1, admin: 2 } as const;

/** 400 PASSWORD_TOO_SHORT unless the password is long enough; `field` names it in the message. */
export function checkPasswordLength(password: string, field: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new HttpError(400, 'PASSWORD_TOO_SHORT', `${field}: a password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  }
}

export interface UserServiceDeps {
  users: UserStore;
  apiTokens: ApiTokenStore;
  twoFactor: TwoFactorStore;
  audit: AuditLog;
  now: () => number;
}

/** Builds the user service over its stores and the audit log. */
export function createUserService(deps: UserServiceDeps) {
  const { users, audit } = deps;

  function get(id: string): User {
    const u = users.findById(id);
    if (!u) throw new HttpError(404, 'USER_NOT_FOUND', `no user with id ${id}`);
    return u;
  }

  /** Revokes (and records) the live API tokens `user` created; inside the caller's transaction. */
  function revokeTokensOf(user: User, record: (input: AuditInput) => void, why: string): void {
    for (const t of deps.apiTokens.revokeCreatedBy(user.username, deps.now())) {
      record({
        action: 'api-token.revoke',
        entityType: 'api-token',
        entityId: t.id,
        summary: `revoked API token "${t.name}": its creator ${user.username} was ${why}`,
      });
    }
  }

  return {
    get,

    async create(actor: AuditActor, input: { username: string; password: string; role: Role; email?: string | null }): Promise<User> {
      checkPasswordLength(input.password, 'body.password');
      if (users.findForLogin(input.username)) throw new HttpError(409, 'USER_EXISTS', `a user named "${input.username}" already exists`);
      const passwordHash = await hashPassword(input.password);
      return audit.audited(actor, (record) => {
        const user = users.create({ username: input.username, role: input.role, email: input.email ?? null, passwordHash }, deps.now());
        record({
          action: 'user.create',
          entityType: 'user',
          entityId: user.id,
          summary: `created user ${user.username} (${user.role})`,
          detail: { role: user.role, email: user.email },
        });
        return user;
      });
    },

    /**
     * Changes role, e-mail and (an admin's reset) password. A new password ends the user's
     * sessions except `keepSession` (the admin's own, when they reset their own password).
     */
    async update(actor: AuditActor, id: string, patch: { role?: Role; email?: string | null; password?: string }, keepSession?: string): Promise<User> {
      const user = get(id);
      if (patch.password !== undefined) checkPasswordLength(patch.password, 'body.password');
      if (patch.role !== undefined && patch.role !== 'admin' && user.role === 'admin' && users.countAdmins() === 1) {
        throw new HttpError(409, 'LAST_ADMIN', `${user.username} is the only admin; make someone else admin first`);
      }
      const passwordHash = patch.password === undefined ? undefined : await hashPassword(patch.password);
      return audit.audited(actor, (record) => {
        const updated = users.update(user.id, { role: patch.role, email: patch.email })!;
        const changes = changedFields(user, updated, ['role', 'email']);
        if (Object.keys(changes).length > 0)
          record({
            action: 'user.update',
            entityType: 'user',
            entityId: user.id,
            summary: `changed user ${user.username}: ${Object.keys(changes).join(', ')}`,
            detail: { changes },
          });
        if (ROLE_RANK[updated.role] < ROLE_RANK[user.role]) revokeTokensOf(user, record, 'demoted');
        if (passwordHash !== undefined) {
          users.setPasswordHash(user.id, passwordHash);
          // A reset by an admin: whoever holds the old password's sessions is out.
          users.deleteSessionsOfUser(user.id, keepSession);
          record({ action: 'user.password-reset', entityType: 'user', entityId: user.id, summary: `set a new password for ${user.username}` });
        }
        return updated;
      });
    },

    /** Deletes a user (never oneself, never the last admin) and revokes the API tokens they created. */
    remove(actor: AuditActor, id: string): User {
      const user = get(id);
      if (user.id === actor.id) throw new HttpError(409, 'CANNOT_DELETE_SELF', 'you cannot delete your own account; ask another admin');
      if (user.role === 'admin' && users.countAdmins() === 1) throw new HttpError(409, 'LAST_ADMIN', `${user.username} is the only admin`);
      audit.audited(actor, (record) => {
        revokeTokensOf(user, record, 'deleted');
        users.delete(user.id);
        record({ action: 'user.delete', entityType: 'user', entityId: user.id, summary: `deleted user ${user.username} (${user.role})` });
      });
      return user;
    },

    /** A user changes their own password; their other sessions end. Answers how many ended. */
    async changeOwnPassword(userId: string, currentPassword: string, newPassword: string, keepSession: string | undefined): Promise<number> {
      const me = users.findWithHash(userId);
      if (!me || !(await verifyPassword(currentPassword, me.passwordHash))) {
        throw new HttpError(400, 'CURRENT_PASSWORD_WRONG', 'body.currentPassword: that is not your current password');
      }
      checkPasswordLength(newPassword, 'body.newPassword');
      const passwordHash = await hashPassword(newPassword);
      return audit.audited({ id: me.id, name: me.username }, (record) => {
        users.setPasswordHash(me.id, passwordHash);
        record({ action: 'user.password-change', entityType: 'user', entityId: me.id, summary: `${me.username} changed their password` });
        return users.deleteSessionsOfUser(me.id, keepSession);
      });
    },

    /** A user picks their dashboard language (null: follow the browser). Audited when it changes. */
    setOwnLocale(userId: string, locale: 'en' | 'nl' | null): 'en' | 'nl' | null {
      const me = get(userId);
      const before = users.getLocale(me.id);
      if (before === locale) return locale;
      return audit.audited({ id: me.id, name: me.username }, (record) => {
        users.setLocale(me.id, locale);
        record({
          action: 'user.update',
          entityType: 'user',
          entityId: me.id,
          summary: `${me.username} changed their language: ${before ?? 'browser'} → ${locale ?? 'browser'}`,
          detail: { changes: { locale: { from: before, to: locale } } },
        });
        return locale;
      });
    },

    /** `quarkpulse user reset-password`: a new password, every session ended. Answers how many ended. */
    resetPasswordOnServer(user: User, passwordHash: string): number {
      return audit.audited(CLI_ACTOR, (record) => {
        users.setPasswordHash(user.id, passwordHash);
        const n = users.deleteSessionsOfUser(user.id);
        record({
          action: 'user.password-reset',
          entityType: 'user',
          entityId: user.id,
          summary: `password of ${user.username} reset on the server's command line`,
          detail: { sessionsEnded: n },
        });
        return n;
      });
    },

    /** `quarkpulse user disable-2fa`: undefined when the user has no two-factor login. */
    disableTwoFactorOnServer(user: User): number | undefined {
      return audit.audited(CLI_ACTOR, (record) => {
        if (!deps.twoFactor.remove(user.id)) return undefined;
        const n = users.deleteSessionsOfUser(user.id);
        record({
          action: 'two-factor.disable',
          entityType: 'user',
          entityId: user.id,
          summary: `two-factor login of ${user.username} turned off on the server's command line`,
        });
        return n;
      });
    },
  };
}
export type UserService = ReturnType<typeof createUserService>;
