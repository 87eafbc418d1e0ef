/**
 * Single sign-on over HTTP: the two browser stops of the sign-in (/auth/sso/start and
 * /auth/sso/callback, both top-level navigations, so they answer with redirects, never JSON),
 * the public GET /api/sign-in-methods for the login page, and the admin's GET/PUT
 * /api/auth/sso. The checks and audit entries are server/accounts/sso-service.ts's.
 *
 * The round-trip cookie is SameSite=Lax: the provider's redirect back to the callback is a
 * cross-site navigation, which a Strict cookie would not come with. It holds no credential, only
 * the sealed state/nonce/PKCE verifier of one sign-in, and is cleared at the callback. A refusal
 * lands on the login page with its code and message (`/?sso_error=…&sso_message=…#/login`).
 */
import { Router, type Response } from 'express';
import { serialize as serializeCookie, parse as parseCookie } from 'cookie';
import { HttpError, parseInput } from '../lib/errors.js';
import { requireInteractiveSession, requireRole, startSession } from '../auth/sessions.js';
import { SSO_CALLBACK_PATH, SSO_FLOW_COOKIE, SSO_FLOW_TTL_MS, SSO_START_PATH, ssoSettingsInputSchema } from '../auth/sso.js';
import { attemptLimiter } from '../http/rate-limits.js';
import { remoteOf } from '../audit/audit-log.js';
import type { ApiContext } from './context.js';

const FLOW_COOKIE_PATH = '/auth/sso';

/** GET /auth/sso/start and /auth/sso/callback. */
export function ssoFlowRoutes(ctx: ApiContext): Router {
  const r = Router();
  const limiter = attemptLimiter({ windowMs: 5 * 60_000, limit: 60, message: 'too many single sign-on attempts; wait a few minutes and try again' });
  const setFlowCookie = (res: Response, value: string, maxAgeS: number) =>
    res.append(
      'Set-Cookie',
      serializeCookie(SSO_FLOW_COOKIE, value, { httpOnly: true, sameSite: 'lax', secure: ctx.isTls, path: FLOW_COOKIE_PATH, maxAge: maxAgeS }),
    );
  const toLogin = (res: Response, err: unknown) => {
    const e = err instanceof HttpError ? err : new HttpError(500, 'INTERNAL', 'single sign-on failed on the server; the log says why');
    if (!(err instanceof HttpError)) ctx.logger.error({ err }, 'single sign-on failed');
    else ctx.logger.warn({ code: e.code, reason: e.message }, 'single sign-on refused');
    const q = new URLSearchParams({ sso_error: e.code, sso_message: e.message });
    res.redirect(303, `/?${q.toString()}#/login`);
  };

  r.get(SSO_START_PATH, limiter, async (_req, res) => {
    try {
      const { url, cookie } = await ctx.sso.start();
      setFlowCookie(res, cookie, SSO_FLOW_TTL_MS / 1000);
      res.redirect(303, url);
    } catch (err) {
      toLogin(res, err);
    }
  });

  r.get(SSO_CALLBACK_PATH, limiter, async (req, res) => {
    const cookie = parseCookie(req.headers.cookie ?? '')[SSO_FLOW_COOKIE];
    const current = new URL(req.originalUrl, ctx.baseUrl());
    try {
      const user = await ctx.sso.finish(current, cookie, remoteOf(req));
      setFlowCookie(res, '', 0);
      startSession(res, ctx.users, user, ctx.now(), ctx.isTls, 'sso');
      ctx.logger.info({ userId: user.id, username: user.username }, 'user signed in with single sign-on');
      res.redirect(303, '/#/');
    } catch (err) {
      toLogin(res, err);
    }
  });
  return r;
}

/** GET /api/sign-in-methods (public). */
export function signInMethodRoutes(ctx: ApiContext): Router {
  const r = Router();
  r.get('/sign-in-methods', (_req, res) => {
    res.json(ctx.sso.methods());
  });
  return r;
}

/** GET/PUT /api/auth/sso (admins, sessions only: the settings decide who can sign in). */
export function ssoAdminRoutes(ctx: ApiContext): Router {
  const r = Router();
  r.use(requireInteractiveSession, requireRole('admin'));
  r.get('/sso', (_req, res) => {
    res.json(ctx.sso.view());
  });
  r.put('/sso', (req, res) => {
    res.json(ctx.sso.update(req.user!, parseInput(ssoSettingsInputSchema, req.body)));
  });
  return r;
}
