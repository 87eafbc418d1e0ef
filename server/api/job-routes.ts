/**
 * /api/jobs: maintenance tasks on devices (server/jobs/job-service.ts). Everyone signed in reads;
 * running a task needs a person (no API token), the technician or admin role, and that person's
 * second factor: a stolen dashboard session alone runs nothing on a client machine.
 */
import { Router } from 'express';
import { z } from 'zod';
import { HttpError, parseInput } from '../lib/errors.js';
import { requireInteractiveSession, requireRole } from '../auth/sessions.js';
import { attemptLimiter } from '../http/rate-limits.js';
import { JOB_STATES } from '../../shared/job-constants.js';
import { jobRequestSchema } from '../jobs/job-service.js';
import type { ApiContext } from './context.js';
import type { Role } from '../store/users.js';

const listQuery = z
  .object({
    device: z.string().max(64).optional(),
    client: z.string().max(64).optional(),
    state: z.enum(JOB_STATES).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();

/**
 * The person's second factor, given with the request: 403 SECOND_FACTOR_REQUIRED without
 * two-factor login or without a code, SECOND_FACTOR_REUSED / SECOND_FACTOR_WRONG otherwise.
 */
export async function checkSecondFactor(ctx: ApiContext, user: { id: string; role: Role }, code: string | undefined, what: string): Promise<void> {
  if (!ctx.twoFactor.status(user).isEnrolled)
    throw new HttpError(403, 'SECOND_FACTOR_REQUIRED', `to ${what} on client machines you need two-factor login: set it up on your account page first`);
  if (!code) throw new HttpError(403, 'SECOND_FACTOR_REQUIRED', `code: give the 6-digit code of your authenticator app to ${what}`);
  const check = await ctx.twoFactor.verifyLoginCode(user.id, code);
  if (check === 'reused') throw new HttpError(403, 'SECOND_FACTOR_REUSED', 'code: this code was used already; wait for the next one');
  if (check !== 'ok') throw new HttpError(403, 'SECOND_FACTOR_WRONG', 'code: wrong code');
}

/** Routes under /api/jobs. */
export function jobRoutes(ctx: ApiContext): Router {
  const r = Router();
  const codeLimiter = attemptLimiter({
    windowMs: 5 * 60_000,
    limit: 10,
    message: 'too many wrong codes; wait a few minutes and try again',
    isFailuresOnly: true,
  });
  r.get('/', (req, res) => {
    const q = parseInput(listQuery, req.query, 'query');
    res.json(ctx.jobs.list({ deviceId: q.device, clientId: q.client, state: q.state, limit: q.limit }));
  });
  r.get('/compliance', (req, res) => {
    const q = parseInput(z.object({ client: z.string().max(64).optional() }).strict(), req.query, 'query');
    res.json(ctx.jobs.compliance(q.client ?? null));
  });
  r.get('/:id', (req, res) => {
    res.json(ctx.jobs.get(String(req.params.id)));
  });
  r.post('/', requireInteractiveSession, requireRole('admin', 'technician'), codeLimiter, async (req, res) => {
    const input = parseInput(jobRequestSchema, req.body);
    const user = req.user!;
    await checkSecondFactor(ctx, user, input.code, 'run a task');
    res.status(201).json(ctx.jobs.create({ id: user.id, name: user.username }, input));
  });
  return r;
}
