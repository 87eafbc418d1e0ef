/**
 * /api/users (admins manage accounts; everyone sets their own e-mail; contact points say how each
 * person is paged on which channel) and /api/me/password (everyone changes their own).
 * The changes and their audit entries are the user service's (server/accounts/user-service.ts):
 * passwords are hashed with scrypt and at least MIN_PASSWORD_LENGTH characters. Changing a password ends the user's other sessions; an admin reset or deleting a
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
import { usernameSchema } from '../../shared/username.js';
import { HttpError, parseInput } from '../lib/errors.js';
import { requireInteractiveSession, requireRole, sessionTokenFromRequest } from '../auth/sessions.js';
import { actorOf } from '../audit/audit-log.js';
import type { User } from '../store/users.js';
import { passwordLimiter } from '../http/rate-limits.js';
import type { ApiContext } from './context.js';

const roleSchema = z.enum(['admin', 'technician', 'viewer']);
const emailSchema = z.email({ error: 'must be an email address' }).max(320).nullable();
/** Length is checked separately, so a short password gets its own code. */
const passwordSchema = z.string().max(1000);

const createSchema = z.object({ username: usernameSchema, password: passwordSchema, role: roleSchema, email: emailSchema.optional() }).strict();
const patchSchema = z.object({ role: roleSchema.optional(), email: emailSchema.optional(), password: passwordSchema.optional() }).strict();
const changePasswordSchema = z.object({ currentPassword: z.string().min(1).max(1000), newPassword: passwordSchema }).strict();

const toAccount = (u: User): UserAccount => ({ id: u.id, username: u.username, role: u.role, email: u.email, createdAtMs: u.createdAtMs });

/** Routes under /api/users (after requireSession). */
export function userRoutes(ctx: ApiContext): Router {
  const r = Router();
  const admin = requireRole('admin');

  const service = ctx.userService;
  const mustFind = (id: string): User => service.get(id);

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
    const user = await service.create(actorOf(req), input);
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
    const updated = await service.update(actorOf(req), user.id, patch, user.id === req.user!.id ? sessionTokenFromRequest(req) : undefined);
    ctx.logger.info({ userId: user.id, by: req.user!.username, fields: Object.keys(patch) }, 'user changed');
    res.json(toAccount(updated));
  });

  r.delete('/:id', requireInteractiveSession, admin, (req, res) => {
    const user = service.remove(actorOf(req), String(req.params.id));
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
    const contact = people.addContact(id, input, actorOf(req));
    res.status(201).json(contact);
  });
  r.delete('/:id/contacts/:contactId', (req, res) => {
    const id = String(req.params.id);
    mayEdit(req, id, ['admin', 'technician']);
    const contactId = String(req.params.contactId);
    people.removeContact(id, contactId, actorOf(req));
    res.status(204).end();
  });
  return r;
}

const localeSchema = z.object({ locale: z.enum(['en', 'nl']).nullable() }).strict();

/** POST /api/me/password (rate-limited like login) and PUT /api/me/locale under /api/me (after requireSession). */
export function accountRoutes(ctx: ApiContext): Router {
  const r = Router();
  const limiter = passwordLimiter('too many failed attempts; wait a few minutes and try again');

  r.post('/password', requireInteractiveSession, limiter, async (req: Request, res) => {
    const { currentPassword, newPassword } = parseInput(changePasswordSchema, req.body);
    const me = req.user!;
    const ended = await ctx.userService.changeOwnPassword(me.id, currentPassword, newPassword, sessionTokenFromRequest(req));
    ctx.logger.info({ userId: me.id, endedSessions: ended }, 'password changed');
    res.status(204).end();
  });

  r.put('/locale', requireInteractiveSession, (req: Request, res) => {
    const { locale } = parseInput(localeSchema, req.body);
    res.json({ locale: ctx.userService.setOwnLocale(req.user!.id, locale) });
  });
  return r;
}
