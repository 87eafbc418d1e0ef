/**
 * Two-factor login for the signed-in person (/api/me/two-factor) and its policy for admins
 * (/api/auth). Sessions only: an API token can neither enrol, nor turn it off, nor change who must
 * use it. Turning it off or making new recovery codes takes a current code (a fresh second factor).
 * The changes and their audit entries are server/accounts/two-factor-service.ts's.
 */
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { HttpError, parseInput } from '../lib/errors.js';
import { requireInteractiveSession, requireRole } from '../auth/sessions.js';
import { passwordLimiter } from '../http/rate-limits.js';
import type { ApiContext } from './context.js';

const codeSchema = z.object({ code: z.string().min(1).max(20) }).strict();
const roleSchema = z.enum(['admin', 'technician', 'viewer']);
const policySchema = z.object({ requiredRoles: z.array(roleSchema).max(3).nullable() }).strict();

/** Refuses everything but enrolment to a user whose role requires two-factor login and who has not enrolled (403). */
export function twoFactorGate(ctx: ApiContext): RequestHandler {
  return (req, _res, next) => {
    // A single sign-on session had its second factor at the identity provider.
    if (req.user && !req.apiToken && req.sessionMethod !== 'sso' && ctx.twoFactor.mustEnrol(req.user)) {
      throw new HttpError(403, 'TWO_FACTOR_ENROLMENT_REQUIRED', 'your role requires two-factor login: set it up first (POST /api/me/two-factor/start)');
    }
    next();
  };
}

/** /api/me/two-factor: status, enrol, confirm, new recovery codes, turn off. */
export function myTwoFactorRoutes(ctx: ApiContext): Router {
  const r = Router();
  const tf = ctx.twoFactor;
  const service = ctx.twoFactorService;
  const limiter = passwordLimiter('too many wrong codes; wait a few minutes and try again');
  r.use(requireInteractiveSession);

  r.get('/', (req, res) => {
    res.json(tf.status(req.user!));
  });

  r.post('/start', async (req, res) => {
    parseInput(z.object({}).strict(), req.body ?? {});
    res.json(await tf.startEnrolment(req.user!));
  });

  r.post('/confirm', limiter, async (req, res) => {
    const { code } = parseInput(codeSchema, req.body);
    res.json({ recoveryCodes: await service.confirm(req.user!, code) });
  });

  r.post('/recovery-codes', limiter, async (req, res) => {
    const { code } = parseInput(codeSchema, req.body);
    res.json({ recoveryCodes: await service.regenerateRecoveryCodes(req.user!, code) });
  });

  r.post('/disable', limiter, async (req, res) => {
    const { code } = parseInput(codeSchema, req.body);
    await service.disableOwn(req.user!, code);
    res.status(204).end();
  });
  return r;
}

/** /api/auth (admins, sessions only): who must use two-factor login; reset a user's second factor. */
export function authAdminRoutes(ctx: ApiContext): Router {
  const r = Router();
  r.use(requireInteractiveSession, requireRole('admin'));
  const service = ctx.twoFactorService;

  r.get('/two-factor-policy', (_req, res) => {
    res.json(ctx.twoFactor.policy());
  });

  r.put('/two-factor-policy', (req, res) => {
    const { requiredRoles } = parseInput(policySchema, req.body);
    res.json(service.setPolicy(req.user!, requiredRoles));
  });

  r.delete('/users/:id/two-factor', (req, res) => {
    service.disableFor(req.user!, String(req.params.id));
    res.status(204).end();
  });
  return r;
}
