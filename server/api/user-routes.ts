/**
 * /api/users (admins manage accounts; everyone sets their own e-mail; contact points say how each
 * person is paged on which channel) and /api/me/password (everyone changes their own).
 * Passwords are hashed with scrypt (server/lib/secrets.ts) and at least MIN_PASSWORD_LENGTH
 * characters. Changing a password ends the user's other sessions; an admin reset or deleting a
 * user ends all of them. There is always at least one admin.
 *
 * Creating, changing and deleting users needs a person's session (requireInteractiveSession): an
 * API token can change no credential or role. Demoting or deleting a user revokes the API tokens
 * they created, in the same transaction.
 */
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { UserAccount } from '../../shared/api-types.js';
import { contactInputSchema } from '../../shared/notify-types.js';
import { HttpError, parseInput } from '../lib/errors.js';
import { hashPassword, verifyPassword } from '../lib/secrets.js';
import { MIN_PASSWORD_LENGTH } from '../auth/bootstrap.js';
import { requireInteractiveSession, requireRole, sessionTokenFromRequest } from '../auth/sessions.js';
import { changedFields, type AuditInput, actorOf } from '../audit/audit-log.js';
import type { User } from '../store/users.js';
import { passwordLimiter } from '../http/rate-limits.js';
import type { ApiContext } from './context.js';

const roleSchema = z.enum(['admin', 'technician', 'viewer']);
const ROLE_RANK = { viewer: 0, technician: 1, admin: 2 } as const;
const usernameSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9._@-]{2,50}$/, 'must be 2–50 letters, digits or . _ @ -');
const emailSchema = z.email({ error: 'must be an email address' }).max(320).nullable();
/** Length is checked separately, so a short password gets its own code. */
const passwordSchema = z.string().max(1000);

const createSchema = z.object({ username: usernameSchema, password: passwordSchema, role: roleSchema, email: emailSchema.optional() }).strict();
const patchSchema = z.object({ role: roleSchema.optional(), email: emailSchema.optional(), password: passwordSchema.optional() }).strict();
const changePasswordSchema = z.object({ currentPassword: z.string().min(1).max(1000), newPassword: passwordSchema }).strict();

function checkPasswordLength(password: string, field: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new HttpError(400, 'PASSWORD_TOO_SHORT', `${field}: a password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  }
}

const toAccount = (u: User): UserAccount => ({ id: u.id, username: u.username, role: u.role, email: u.email, createdAtMs: u.createdAtMs });

/** Routes under /api/users (after requireSession). */
export function userRoutes(ctx: ApiContext): Router {
  const r = Router();
  const admin = requireRole('admin');

  function mustFind(id: string): User {
    const u = ctx.users.findById(id);
    if (!u) throw new HttpError(404, 'USER_NOT_FOUND', `no user with id ${id}`);
    return u;
  }

  /** Revokes (and audits) the live API tokens `user` created; inside the caller's transaction. */
  function revokeTokensOf(user: User, record: (input: AuditInput) => void, why: string): void {
    for (const t of ctx.apiTokens.revokeCreatedBy(user.username, ctx.now())) {
      record({
        action: 'api-token.revoke',
        entityType: 'api-token',
        entityId: t.id,
        summary: `revoked API token "${t.name}": its creator ${user.username} was ${why}`,
      });
    }
  }

  const people = ctx.notify.channelService;
  /** Others may change someone's settings only with one of `roles`. */
  function mayEdit(req: Request, userId: string, roles: readonly string[]): void {
    const me = req.user!;
    if (me.id !== userId && !roles.includes(me.role)) throw new HttpError(403, 'FORBIDDEN', `only ${roles.join(' or ')} may change another user's settings`);
  }

  // Everyone may list usernames (to pick an assignee); only admins see e-mail, contact points
  // and creation time.
  r.get('/', (req, res) => {
    const isAdmin = req.user!.role === 'admin';
    res.json(
      ctx.users
        .list()
        .map((u) =>
          isAdmin ? { ...toAccount(u), contacts: people.person(u.id).contacts } : ({ id: u.id, username: u.username, role: u.role } satisfies UserAccount),
        ),
    );
  });

  // One person with contact points: admins see anyone, others themselves.
  r.get('/:id', (req, res) => {
    mayEdit(req, String(req.params.id), ['admin']);
    const user = mustFind(String(req.params.id));
    res.json({ ...toAccount(user), contacts: people.person(user.id).contacts });
  });

  r.post('/', requireInteractiveSession, admin, async (req, res) => {
    const input = parseInput(createSchema, req.body);
    checkPasswordLength(input.password, 'body.password');
    if (ctx.users.findForLogin(input.username)) throw new HttpError(409, 'USER_EXISTS', `a user named "${input.username}" already exists`);
    const passwordHash = await hashPassword(input.password);
    const user = ctx.audit.audited(actorOf(req), (record) => {
      const user = ctx.users.create({ username: input.username, role: input.role, email: input.email ?? null, passwordHash }, ctx.now());
      record({
        action: 'user.create',
        entityType: 'user',
        entityId: user.id,
        summary: `created user ${user.username} (${user.role})`,
        detail: { role: user.role, email: user.email },
      });
      return user;
    });
    ctx.logger.info({ userId: user.id, username: user.username, role: user.role, by: req.user!.username }, 'user created');
    res.status(201).json(toAccount(user));
  });

  // Admins change role, e-mail and password; everyone may change their own e-mail.
  r.patch('/:id', requireInteractiveSession, async (req, res) => {
    mayEdit(req, String(req.params.id), ['admin']);
    const user = mustFind(String(req.params.id));
    const patch = parseInput(patchSchema, req.body);
    if (req.user!.role !== 'admin' && (patch.role !== undefined || patch.password !== undefined)) {
      throw new HttpError(403, 'FORBIDDEN', 'only an admin may change roles or reset passwords; use POST /api/me/password for your own');
    }
    if (patch.password !== undefined) checkPasswordLength(patch.password, 'body.password');
    if (patch.role !== undefined && patch.role !== 'admin' && user.role === 'admin' && ctx.users.countAdmins() === 1) {
      throw new HttpError(409, 'LAST_ADMIN', `${user.username} is the only admin; make someone else admin first`);
    }
    const passwordHash = patch.password === undefined ? undefined : await hashPassword(patch.password);
    const updated = ctx.audit.audited(actorOf(req), (record) => {
      const updated = ctx.users.update(user.id, { role: patch.role, email: patch.email })!;
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
        ctx.users.setPasswordHash(user.id, passwordHash);
        // A reset by an admin: whoever holds the old password's sessions is out.
        ctx.users.deleteSessionsOfUser(user.id, user.id === req.user!.id ? sessionTokenFromRequest(req) : undefined);
        record({ action: 'user.password-reset', entityType: 'user', entityId: user.id, summary: `set a new password for ${user.username}` });
      }
      return updated;
    });
    ctx.logger.info({ userId: user.id, by: req.user!.username, fields: Object.keys(patch) }, 'user changed');
    res.json(toAccount(updated));
  });

  r.delete('/:id', requireInteractiveSession, admin, (req, res) => {
    const user = mustFind(String(req.params.id));
    if (user.id === req.user!.id) throw new HttpError(409, 'CANNOT_DELETE_SELF', 'you cannot delete your own account; ask another admin');
    if (user.role === 'admin' && ctx.users.countAdmins() === 1) throw new HttpError(409, 'LAST_ADMIN', `${user.username} is the only admin`);
    ctx.audit.audited(actorOf(req), (record) => {
      revokeTokensOf(user, record, 'deleted');
      ctx.users.delete(user.id);
      record({ action: 'user.delete', entityType: 'user', entityId: user.id, summary: `deleted user ${user.username} (${user.role})` });
    });
    ctx.logger.info({ userId: user.id, username: user.username, by: req.user!.username }, 'user deleted');
    res.status(204).end();
  });

  // Contact points are phone numbers and addresses: yours, or anyone's if you set up paging.
  r.get('/:id/contacts', (req, res) => {
    const id = String(req.params.id);
    mayEdit(req, id, ['admin', 'technician']);
    res.json(people.person(id).contacts);
  });
  r.post('/:id/contacts', (req, res) => {
    const id = String(req.params.id);
    mayEdit(req, id, ['admin', 'technician']);
    const input = parseInput(contactInputSchema, req.body);
    const contact = ctx.audit.audited(actorOf(req), (record) => {
      const contact = people.addContact(id, input);
      record({
        action: 'user.contact-add',
        entityType: 'user',
        entityId: id,
        summary: `added a contact point for ${mustFind(id).username}`,
        detail: { contactId: contact.id, channelId: input.channelId },
      });
      return contact;
    });
    res.status(201).json(contact);
  });
  r.delete('/:id/contacts/:contactId', (req, res) => {
    const id = String(req.params.id);
    mayEdit(req, id, ['admin', 'technician']);
    const contactId = String(req.params.contactId);
    ctx.audit.audited(actorOf(req), (record) => {
      people.removeContact(id, contactId);
      record({
        action: 'user.contact-remove',
        entityType: 'user',
        entityId: id,
        summary: `removed a contact point of ${mustFind(id).username}`,
        detail: { contactId },
      });
    });
    res.status(204).end();
  });
  return r;
}

/** POST /api/me/password under /api/me (after requireSession). Rate-limited like login. */
export function accountRoutes(ctx: ApiContext): Router {
  const r = Router();
  const limiter = passwordLimiter('too many failed attempts; wait a few minutes and try again');

  r.post('/password', requireInteractiveSession, limiter, async (req: Request, res) => {
    const { currentPassword, newPassword } = parseInput(changePasswordSchema, req.body);
    const me = ctx.users.findWithHash(req.user!.id);
    if (!me || !(await verifyPassword(currentPassword, me.passwordHash))) {
      throw new HttpError(400, 'CURRENT_PASSWORD_WRONG', 'body.currentPassword: that is not your current password');
    }
    checkPasswordLength(newPassword, 'body.newPassword');
    const passwordHash = await hashPassword(newPassword);
    const ended = ctx.audit.audited(actorOf(req), (record) => {
      ctx.users.setPasswordHash(me.id, passwordHash);
      record({ action: 'user.password-change', entityType: 'user', entityId: me.id, summary: `${me.username} changed their password` });
      return ctx.users.deleteSessionsOfUser(me.id, sessionTokenFromRequest(req));
    });
    ctx.logger.info({ userId: me.id, endedSessions: ended }, 'password changed');
    res.status(204).end();
  });
  return r;
}
