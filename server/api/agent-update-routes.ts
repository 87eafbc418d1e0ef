/** /api/agent-updates: which agent version each device runs and should run, and the policies (admins change them). */
import { Router } from 'express';
import { requireRole } from '../auth/sessions.js';
import { parseInput } from '../lib/errors.js';
import { actorOf } from '../audit/audit-log.js';
import { updatePolicyInputSchema } from '../fleet/agent-update-service.js';
import type { ApiContext } from './context.js';

export function agentUpdateRoutes(ctx: ApiContext): Router {
  const r = Router();
  const service = ctx.agentUpdates;

  r.get('/', (_req, res) => {
    res.json(service.overview());
  });

  r.put('/policy', requireRole('admin'), (req, res) => {
    const input = parseInput(updatePolicyInputSchema, req.body);
    const { deviceIds, scope, scopeId } = service.setPolicy(actorOf(req), input);
    // Connected agents get the new wanted version now; the others in their next welcome.
    const pushedTo = deviceIds.filter((id) => ctx.agents.refreshConfig(id)).length;
    ctx.logger.info({ scope, scopeId, mode: input.mode, pushedTo, by: req.user?.username }, 'agent update policy changed');
    res.json({ scope, id: scopeId || null, mode: input.mode, ...(input.mode === 'version' ? { version: input.version } : {}), pushedTo });
  });
  return r;
}
