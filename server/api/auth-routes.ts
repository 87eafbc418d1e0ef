/** POST /api/login, POST /api/logout, GET /api/me. */
import { Router } from 'express';
import { z } from 'zod';
import type { SessionUser } from '../../shared/api-types.js';
import { HttpError, parseInput } from '../lib/errors.js';
import { verifyPassword } from '../lib/secrets.js';
import { endSession, requireSession, startSession, sessionUserFromRequest } from '../auth/sessions.js';
import { passwordLimiter } from '../http/rate-limits.js';
import { remoteOf } from '../audit/audit-log.js';
import type { ApiContext } from './context.js';

const loginSchema = z.object({ username: z.string().min(1).max(100), password: z.string().min(1).max(1000) }).strict();

/** A hash to compare against when the user does not exist, so timing does not reveal usernames. */
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

export function authRoutes(ctx: ApiContext): Router {
  const r = Router();
  const limiter = passwordLimiter('too many failed logins; wait a few minutes and try again');

  r.post('/login', limiter, async (req, res) => {
    const { username, password } = parseInput(loginSchema, req.body);
    const found = ctx.users.findForLogin(username);
    const isValid = await verifyPassword(password, found?.passwordHash ?? DUMMY_HASH);
    const remote = remoteOf(req);
    if (!found || !isValid) {
      // An unknown name is not recorded: people type their password into the username field.
      ctx.audit.record(found ? { id: found.id, name: found.username } : { id: null, name: null }, {
        action: 'login.failure',
        entityType: 'user',
        entityId: found?.id ?? null,
        summary: found ? `failed login for ${found.username}` : 'failed login for an unknown username',
        detail: { remote },
      });
      ctx.logger.warn({ userId: found?.id, remote }, 'failed login');
      throw new HttpError(401, 'INVALID_CREDENTIALS', 'unknown user or wrong password');
    }
    startSession(res, ctx.users, found, ctx.now(), ctx.isTls);
    ctx.audit.record({ id: found.id, name: found.username }, { action: 'login.success', entityType: 'user', entityId: found.id, summary: `${found.username} logged in`, detail: { remote } });
    ctx.logger.info({ userId: found.id, username: found.username }, 'user logged in');
    res.json({ id: found.id, username: found.username, role: found.role } satisfies SessionUser);
  });

  r.post('/logout', (req, res) => {
    const user = sessionUserFromRequest(req, ctx.users, ctx.now());
    if (user) ctx.audit.record({ id: user.id, name: user.username }, { action: 'logout', entityType: 'user', entityId: user.id, summary: `${user.username} logged out` });
    endSession(req, res, ctx.users, ctx.isTls);
    res.status(204).end();
  });

  r.get('/me', requireSession(ctx.users, ctx.now, ctx.apiTokens), (req, res) => {
    const u = req.user!;
    res.json({ id: u.id, username: u.username, role: u.role } satisfies SessionUser);
  });
  return r;
}
