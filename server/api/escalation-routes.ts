/** /api/escalation-policies: ordered levels of targets, repeats, the default and per-client policies. */
import { Router } from 'express';
import { policyInputSchema } from '../../shared/notify-types.js';
import { parseInput, parsePatch } from '../lib/errors.js';
import { requireRole } from '../auth/sessions.js';
import { actorOfRequest } from './actor.js';
import type { ApiContext } from './context.js';

/** Routes under /api/escalation-policies. Viewers read; technicians and admins change. */
export function escalationRoutes(ctx: ApiContext): Router {
  const r = Router();
  const svc = ctx.notify.onCallService;
  const edit = requireRole('admin', 'technician');

  r.get('/', (_req, res) => {
    res.json(svc.listPolicies());
  });
  r.post('/', edit, (req, res) => {
    const input = parseInput(policyInputSchema, req.body);
    res.status(201).json(svc.createPolicy(input, actorOfRequest(req)));
  });
  r.get('/:id', (req, res) => {
    res.json(svc.getPolicy(req.params.id));
  });
  r.patch('/:id', edit, (req, res) => {
    const patch = parsePatch(policyInputSchema, req.body);
    res.json(svc.updatePolicy(String(req.params.id), patch, actorOfRequest(req)));
  });
  r.delete('/:id', edit, (req, res) => {
    svc.deletePolicy(String(req.params.id), actorOfRequest(req));
    res.status(204).end();
  });
  return r;
}
