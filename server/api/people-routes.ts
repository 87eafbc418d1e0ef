/**
 * /api/users: the technicians who can be paged, their email address and their contact points
 * (how each is reached on which channel). Admins add users; everyone may change their own
 * email and contact points; technicians and admins may change anyone's contact points.
 */
import { Router, type Request } from 'express';
import { z } from 'zod';
import { contactInputSchema } from '../../shared/notify-types.js';
import { HttpError, parseInput } from '../http/errors.js';
import { requireRole } from '../auth/sessions.js';
import { hashPassword } from '../auth/secrets.js';
import { MIN_PASSWORD_LENGTH } from '../auth/bootstrap.js';
import type { ApiContext } from './context.js';

const emailSchema = z.email({ error: 'must be an email address' }).max(320);
const userInputSchema = z
  .object({
    username: z.string().trim().regex(/^[A-Za-z0-9._-]{2,50}$/, 'must be 2–50 letters, digits, dots, dashes or underscores'),
    password: z.string().min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`).max(1000),
    role: z.enum(['admin', 'technician', 'viewer']),
    email: emailSchema.nullable().optional(),
  })
  .strict();
const userPatchSchema = z.object({ email: emailSchema.nullable() }).strict();

function mayEdit(req: Request, userId: string, roles: readonly string[]): void {
  const me = req.user!;
  if (me.id !== userId && !roles.includes(me.role)) throw new HttpError(403, 'FORBIDDEN', `only ${roles.join(' or ')} may change another user's settings`);
}

/** Routes under /api/users. */
export function peopleRoutes(ctx: ApiContext): Router {
  const r = Router();
  const svc = ctx.notify.channelService;

  r.get('/', (_req, res) => {
    res.json(svc.people());
  });
  r.post('/', requireRole('admin'), async (req, res) => {
    const input = parseInput(userInputSchema, req.body);
    if (ctx.users.findForLogin(input.username)) throw new HttpError(409, 'USER_EXISTS', `a user named "${input.username}" already exists`);
    const u = ctx.users.create({ username: input.username, passwordHash: await hashPassword(input.password), role: input.role, email: input.email ?? null }, ctx.now());
    ctx.logger.info({ userId: u.id, username: u.username, role: u.role, by: req.user!.username }, 'user created');
    res.status(201).json(svc.person(u.id));
  });
  r.get('/:id', (req, res) => {
    res.json(svc.person(req.params.id));
  });
  r.patch('/:id', (req, res) => {
    const id = String(req.params.id);
    mayEdit(req, id, ['admin']);
    const { email } = parseInput(userPatchSchema, req.body);
    res.json(svc.setEmail(id, email));
  });
  r.get('/:id/contacts', (req, res) => {
    res.json(svc.person(req.params.id).contacts);
  });
  r.post('/:id/contacts', (req, res) => {
    const id = String(req.params.id);
    mayEdit(req, id, ['admin', 'technician']);
    res.status(201).json(svc.addContact(id, parseInput(contactInputSchema, req.body)));
  });
  r.delete('/:id/contacts/:contactId', (req, res) => {
    const id = String(req.params.id);
    mayEdit(req, id, ['admin', 'technician']);
    svc.removeContact(id, String(req.params.contactId));
    res.status(204).end();
  });
  return r;
}
