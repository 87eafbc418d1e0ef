/**
 * Two-factor login for the signed-in person (/api/me/two-factor) and its policy for admins
 * (/api/auth). Sessions only: an API token can neither enrol, nor turn it off, nor change who must
 * use it. Turning it off or making new recovery codes takes a current code (a fresh second factor).
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
    if (req.user && !req.apiToken && ctx.twoFactor.mustEnrol(req.user)) {
      throw new HttpError(403, 'TWO_FACTOR_ENROLMENT_REQUIRED', 'your role requires two-factor login: set it up first (POST /api/me/two-factor/start)');
    }
    next();
  };
}

async function requireCurrentCode(ctx: ApiContext, userId: string, code: string): Promise<void> {
  const r = await ctx.twoFactor.verifyLoginCode(userId, code);
  if (r === 'reused') throw new HttpError(400, 'TOTP_CODE_REUSED', 'that code was used already; wait for the next one');
  if (r !== 'ok') throw new HttpError(400, 'TOTP_CODE_INVALID', 'that code is not right; type the 6 digits your authenticator app shows now');
}

/** /api/me/two-factor: status, enrol, confirm, new recovery codes, turn off. */
export function myTwoFactorRoutes(ctx: ApiContext): Router {
  const r = Router();
  const tf = ctx.twoFactor;
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
    const u = req.user!;
    const recoveryCodes = await tf.confirmEnrolment(u.id, code);
    ctx.audit.record(
      { id: u.id, name: u.username },
      { action: 'two-factor.enrol', entityType: 'user', entityId: u.id, summary: `${u.username} turned on two-factor login` },
    );
    res.json({ recoveryCodes });
  });

  r.post('/recovery-codes', limiter, async (req, res) => {
    const { code } = parseInput(codeSchema, req.body);
    const u = req.user!;
    if (!tf.isEnrolled(u.id)) throw new HttpError(409, 'TWO_FACTOR_NOT_ENROLLED', 'two-factor login is off');
    await requireCurrentCode(ctx, u.id, code);
    const recoveryCodes = tf.regenerateRecoveryCodes(u.id);
    ctx.audit.record(
      { id: u.id, name: u.username },
      { action: 'two-factor.recovery-regenerate', entityType: 'user', entityId: u.id, summary: `${u.username} made new recovery codes` },
    );
    res.json({ recoveryCodes });
  });

  r.post('/disable', limiter, async (req, res) => {
    const { code } = parseInput(codeSchema, req.body);
    const u = req.user!;
    if (!tf.isEnrolled(u.id)) throw new HttpError(409, 'TWO_FACTOR_NOT_ENROLLED', 'two-factor login is off');
    if (tf.isRequiredFor(u.role))
      throw new HttpError(409, 'TWO_FACTOR_REQUIRED', `two-factor login is required for the role ${u.role}; an admin can change that`);
    await requireCurrentCode(ctx, u.id, code);
    tf.disable(u.id);
    ctx.audit.record(
      { id: u.id, name: u.username },
      { action: 'two-factor.disable', entityType: 'user', entityId: u.id, summary: `${u.username} turned off two-factor login` },
    );
    res.status(204).end();
  });
  return r;
}

/** /api/auth (admins, sessions only): who must use two-factor login; reset a user's second factor. */
export function authAdminRoutes(ctx: ApiContext): Router {
  const r = Router();
  r.use(requireInteractiveSession, requireRole('admin'));

  r.get('/two-factor-policy', (_req, res) => {
    res.json(ctx.twoFactor.policy());
  });

  r.put('/two-factor-policy', (req, res) => {
    const { requiredRoles } = parseInput(policySchema, req.body);
    const u = req.user!;
    const before = ctx.twoFactor.policy();
    const after = ctx.twoFactor.setPolicy(requiredRoles, u.username);
    ctx.audit.record(
      { id: u.id, name: u.username },
      {
        action: 'auth-settings.update',
        entityType: 'auth-settings',
        entityId: 'two-factor-policy',
        summary: `two-factor login required for ${after.requiredRoles.length ? after.requiredRoles.join(', ') : 'nobody'}${after.isDefault ? ' (default)' : ''}`,
        detail: { requiredRoles: { from: before.requiredRoles, to: after.requiredRoles } },
      },
    );
    res.json(after);
  });

  r.delete('/users/:id/two-factor', (req, res) => {
    const target = ctx.users.findById(String(req.params.id));
    if (!target) throw new HttpError(404, 'USER_NOT_FOUND', `no user with id ${String(req.params.id)}`);
    if (!ctx.twoFactor.disable(target.id)) throw new HttpError(409, 'TWO_FACTOR_NOT_ENROLLED', `${target.username} has no two-factor login`);
    const u = req.user!;
    ctx.audit.record(
      { id: u.id, name: u.username },
      { action: 'two-factor.disable', entityType: 'user', entityId: target.id, summary: `${u.username} turned off two-factor login of ${target.username}` },
    );
    res.status(204).end();
  });
  return r;
}
