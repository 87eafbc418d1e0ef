/** /api/refused-agents: machines refused for an unknown credential, which need re-enrollment (docs/OPERATIONS.md §9). */
import { Router } from 'express';
import { requireRole } from '../auth/sessions.js';
import { actorOf } from '../audit/audit-log.js';
import type { ApiContext } from './context.js';

export function refusedAgentRoutes(ctx: ApiContext): Router {
  const r = Router();
  r.get('/', (_req, res) => {
    res.json(ctx.refusedAgents.list());
  });
  r.delete('/:id', requireRole('admin', 'technician'), (req, res) => {
    ctx.refusedAgents.dismiss(actorOf(req), String(req.params.id));
    res.status(204).end();
  });
  return r;
}
