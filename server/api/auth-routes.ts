/**
 * POST /api/login, POST /api/login/second-factor, POST /api/logout, GET /api/me.
 * With two-factor login on, a right password only earns a challenge; the session starts when the
 * second step (a TOTP code or a recovery code) passes.
 */
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
const secondFactorSchema = z
  .object({ challenge: z.string().min(1).max(200), code: z.string().min(1).max(20).optional(), recoveryCode: z.string().min(1).max(40).optional() })
  .strict()
  .refine((b) => (b.code === undefined) !== (b.recoveryCode === undefined), {
    message: 'give either code or recoveryCode',
    params: { code: 'VALIDATION_FAILED' },
  });

/** A hash to compare against when the user does not exist, so timing does not reveal usernames. */
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/** The signed-in user as GET /api/me and the login answers show it. */
function meOf(ctx: ApiContext, u: { id: string; username: string; role: SessionUser['role'] }): SessionUser {
  const isToken = u.id.startsWith('token:');
  return {
    id: u.id,
    username: u.username,
    role: u.role,
    ...(isToken ? {} : { twoFactor: { isEnrolled: ctx.twoFactor.isEnrolled(u.id), isRequired: ctx.twoFactor.isRequiredFor(u.role) } }),
  };
}

export function authRoutes(ctx: ApiContext): Router {
  const r = Router();
  const limiter = passwordLimiter('too many failed logins; wait a few minutes and try again');
  const secondLimiter = passwordLimiter('too many wrong codes; wait a few minutes and try again');

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
    if (ctx.twoFactor.isEnrolled(found.id)) {
      const { challenge, expiresAtMs } = ctx.twoFactor.challenges.create(found.id);
      ctx.logger.info({ userId: found.id }, 'password accepted; waiting for the second factor');
      res.json({ secondFactorRequired: true, challenge, expiresAtMs, methods: ['totp', 'recovery-code'] });
      return;
    }
    startSession(res, ctx.users, found, ctx.now(), ctx.isTls);
    ctx.audit.record(
      { id: found.id, name: found.username },
      { action: 'login.success', entityType: 'user', entityId: found.id, summary: `${found.username} logged in`, detail: { remote } },
    );
    ctx.logger.info({ userId: found.id, username: found.username }, 'user logged in');
    res.json(meOf(ctx, found));
  });

  r.post('/login/second-factor', secondLimiter, async (req, res) => {
    const body = parseInput(secondFactorSchema, req.body);
    const userId = ctx.twoFactor.challenges.find(body.challenge);
    const user = userId ? ctx.users.findById(userId) : undefined;
    if (!user) throw new HttpError(401, 'LOGIN_CHALLENGE_INVALID', 'this sign-in expired or is unknown; enter your password again');
    const remote = remoteOf(req);
    const method = body.code !== undefined ? 'totp' : 'recovery-code';
    let failure: HttpError | undefined;
    if (body.code !== undefined) {
      const r = await ctx.twoFactor.verifyLoginCode(user.id, body.code);
      if (r === 'reused') failure = new HttpError(401, 'TOTP_CODE_REUSED', 'that code was used already; wait for the next one');
      else if (r !== 'ok') failure = new HttpError(401, 'TOTP_CODE_INVALID', 'that code is not right; type the 6 digits your authenticator app shows now');
    } else if (!ctx.twoFactor.useRecoveryCode(user.id, body.recoveryCode!)) {
      failure = new HttpError(401, 'RECOVERY_CODE_INVALID', 'that recovery code is unknown or was used already');
    }
    if (failure) {
      const left = ctx.twoFactor.challenges.fail(body.challenge);
      ctx.audit.record(
        { id: user.id, name: user.username },
        {
          action: 'login.second-factor-failure',
          entityType: 'user',
          entityId: user.id,
          summary: `wrong second factor for ${user.username}`,
          detail: { remote, method },
        },
      );
      if (left === 0) throw new HttpError(401, 'LOGIN_CHALLENGE_INVALID', `${failure.message}; too many tries: enter your password again`);
      throw failure;
    }
    ctx.twoFactor.challenges.end(body.challenge);
    startSession(res, ctx.users, user, ctx.now(), ctx.isTls);
    ctx.audit.record(
      { id: user.id, name: user.username },
      {
        action: 'login.success',
        entityType: 'user',
        entityId: user.id,
        summary: `${user.username} logged in (${method === 'totp' ? 'authenticator code' : 'recovery code'})`,
        detail: { remote, secondFactor: method },
      },
    );
    if (method === 'recovery-code') {
      ctx.audit.record(
        { id: user.id, name: user.username },
        {
          action: 'two-factor.recovery-used',
          entityType: 'user',
          entityId: user.id,
          summary: `${user.username} used a recovery code (${ctx.twoFactor.recoveryCodesLeft(user.id)} left)`,
        },
      );
    }
    ctx.logger.info({ userId: user.id, username: user.username, secondFactor: method }, 'user logged in');
    res.json({ ...meOf(ctx, user), ...(method === 'recovery-code' ? { recoveryCodesLeft: ctx.twoFactor.recoveryCodesLeft(user.id) } : {}) });
  });

  r.post('/logout', (req, res) => {
    const user = sessionUserFromRequest(req, ctx.users, ctx.now());
    if (user)
      ctx.audit.record(
        { id: user.id, name: user.username },
        { action: 'logout', entityType: 'user', entityId: user.id, summary: `${user.username} logged out` },
      );
    endSession(req, res, ctx.users, ctx.isTls);
    res.status(204).end();
  });

  r.get('/me', requireSession(ctx.users, ctx.now, ctx.apiTokens), (req, res) => {
    res.json(meOf(ctx, req.user!));
  });
  return r;
}
