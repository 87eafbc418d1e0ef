/** /api/escalation-policies: ordered levels of targets, repeats, the default and per-client policies. */
import { Router } from 'express';
import { policyInputSchema } from '../../shared/notify-types.js';
import { parseInput, parsePatch } from '../http/errors.js';
import { requireRole } from '../auth/sessions.js';
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
    res.status(201).json(svc.createPolicy(parseInput(policyInputSchema, req.body), req.user!.username));
  });
  r.get('/:id', (req, res) => {
    res.json(svc.getPolicy(req.params.id));
  });
  r.patch('/:id', edit, (req, res) => {
    res.json(svc.updatePolicy(String(req.params.id), parsePatch(policyInputSchema, req.body), req.user!.username));
  });
  r.delete('/:id', edit, (req, res) => {
    svc.deletePolicy(String(req.params.id));
    res.status(204).end();
  });
  return r;
}
