/**
 * POST /api/login, POST /api/login/second-factor, POST /api/logout, GET /api/me.
 * With two-factor login on, a right password only earns a challenge; the session starts when the
 * second step (a TOTP code or a recovery code) passes. The checks and their audit entries are
 * server/accounts/login-service.ts's; this file sets cookies and answers.
 */
import { Router } from 'express';
import { z } from 'zod';
import type { SessionUser } from '../../shared/api-types.js';
import { HttpError, parseInput } from '../lib/errors.js';
import { endSession, requireSession, startSession, sessionUserFromRequest } from '../auth/sessions.js';
import { passwordLimiter } from '../http/rate-limits.js';
import { remoteOf } from '../audit/audit-log.js';
import type { ApiContext } from './context.js';

const loginSchema = z.object({ username: z.string().min(1).max(100), password: z.string().min(1).max(1000) }).strict();
const secondFactorSchema = z
  .object({ challenge: z.string().min(1).max(200), code: z.string().min(1).max(20).optional(), recoveryCode: z.string().min(1).max(40).optional() })
  .strict()
  .refine((b) => (b.code === undefined) !== (b.recoveryCode === undefined), {
    message: 'give either code or recoveryCode',
    params: { code: 'VALIDATION_FAILED' },
  });

/** The signed-in user as GET /api/me and the login answers show it. */
function meOf(ctx: ApiContext, u: { id: string; username: string; role: SessionUser['role'] }, method: SessionUser['signInMethod'] = 'password'): SessionUser {
  const isToken = u.id.startsWith('token:');
  // After single sign-on the provider did the second factor: ours is not required.
  const isRequired = method !== 'sso' && ctx.twoFactor.isRequiredFor(u.role);
  return {
    id: u.id,
    username: u.username,
    role: u.role,
    ...(isToken ? {} : { twoFactor: { isEnrolled: ctx.twoFactor.isEnrolled(u.id), isRequired }, signInMethod: method, locale: ctx.users.getLocale(u.id) }),
  };
}

export function authRoutes(ctx: ApiContext): Router {
  const r = Router();
  const limiter = passwordLimiter('too many failed logins; wait a few minutes and try again');
  const secondLimiter = passwordLimiter('too many wrong codes; wait a few minutes and try again');
  const service = ctx.loginService;

  r.post('/login', limiter, async (req, res) => {
    const { username, password } = parseInput(loginSchema, req.body);
    const remote = remoteOf(req);
    const step = await service.checkPassword(username, password, remote).catch((err: unknown) => {
      if (err instanceof HttpError) ctx.logger.warn({ remote }, 'failed login');
      throw err;
    });
    if (step.kind === 'challenge') {
      ctx.logger.info({ userId: step.user.id }, 'password accepted; waiting for the second factor');
      res.json({ secondFactorRequired: true, challenge: step.challenge, expiresAtMs: step.expiresAtMs, methods: ['totp', 'recovery-code'] });
      return;
    }
    startSession(res, ctx.users, step.user, ctx.now(), ctx.isTls);
    ctx.logger.info({ userId: step.user.id, username: step.user.username }, 'user logged in');
    res.json(meOf(ctx, step.user));
  });

  r.post('/login/second-factor', secondLimiter, async (req, res) => {
    const body = parseInput(secondFactorSchema, req.body);
    const { user, method } = await service.checkSecondFactor(body.challenge, body, remoteOf(req));
    startSession(res, ctx.users, user, ctx.now(), ctx.isTls);
    ctx.logger.info({ userId: user.id, username: user.username, secondFactor: method }, 'user logged in');
    res.json({ ...meOf(ctx, user), ...(method === 'recovery-code' ? { recoveryCodesLeft: ctx.twoFactor.recoveryCodesLeft(user.id) } : {}) });
  });

  r.post('/logout', (req, res) => {
    const user = sessionUserFromRequest(req, ctx.users, ctx.now());
    if (user) service.recordLogout(user);
    endSession(req, res, ctx.users, ctx.isTls);
    res.status(204).end();
  });

  r.get('/me', requireSession(ctx.users, ctx.now, ctx.apiTokens), (req, res) => {
    res.json(meOf(ctx, req.user!, req.sessionMethod));
  });
  return r;
}
