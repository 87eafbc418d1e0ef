/**
 * /api/maintenance-policies: scheduled maintenance for monthly clients (server/jobs/policy-service.ts).
 * Everyone signed in reads; making one needs a person with the technician or admin role and their
 * second factor, as running a task by hand does; deleting one needs the role.
 */
import { Router } from 'express';
import { z } from 'zod';
import { parseInput } from '../lib/errors.js';
import { requireInteractiveSession, requireRole } from '../auth/sessions.js';
import { actorOf } from '../audit/audit-log.js';
import { attemptLimiter } from '../http/rate-limits.js';
import { policyInputSchema } from '../jobs/policy-service.js';
import { checkSecondFactor } from './job-routes.js';
import type { ApiContext } from './context.js';

/** Routes under /api/maintenance-policies. */
export function policyRoutes(ctx: ApiContext): Router {
  const r = Router();
  const act = requireRole('admin', 'technician');
  const codeLimiter = attemptLimiter({
    windowMs: 5 * 60_000,
    limit: 10,
    message: 'too many wrong codes; wait a few minutes and try again',
    isFailuresOnly: true,
  });
  r.get('/', (req, res) => {
    const q = parseInput(z.object({ client: z.string().max(64).optional() }).strict(), req.query, 'query');
    res.json(ctx.policies.list(q.client ?? null));
  });
  r.get('/:id', (req, res) => {
    res.json(ctx.policies.get(String(req.params.id)));
  });
  r.post('/', requireInteractiveSession, act, codeLimiter, async (req, res) => {
    const input = parseInput(policyInputSchema, req.body);
    const user = req.user!;
    await checkSecondFactor(ctx, user, input.code, 'schedule maintenance');
    res.status(201).json(ctx.policies.create({ id: user.id, name: user.username }, input));
  });
  r.delete('/:id', act, (req, res) => {
    ctx.policies.remove(actorOf(req), String(req.params.id));
    res.status(204).end();
  });
  return r;
}
