/** /api/clients: list, create, change and delete clients; issue enrollment tokens (server/fleet/client-service.ts). */
import { Router } from 'express';
import { parseInput } from '../lib/errors.js';
import { requireRole } from '../auth/sessions.js';
import { agentSettingsSchema } from '../store/agent-settings.js';
import { actorOf } from '../audit/audit-log.js';
import { clientInputSchema, enrollmentTokenInputSchema } from '../fleet/index.js';
import type { ApiContext } from './context.js';

export function clientRoutes(ctx: ApiContext): Router {
  const r = Router();
  const service = ctx.fleet.clients;
  r.get('/', (_req, res) => {
    res.json(service.list());
  });

  r.post('/', requireRole('admin', 'technician'), (req, res) => {
    const input = parseInput(clientInputSchema, req.body);
    res.status(201).json(service.create(actorOf(req), input));
  });

  r.get('/:id', (req, res) => {
    res.json(service.get(req.params.id));
  });

  // A contract change applies to conditions that open after it; open ones keep their route.
  r.patch('/:id', requireRole('admin', 'technician'), (req, res) => {
    const id = String(req.params.id);
    service.get(id);
    const patch = parseInput(clientInputSchema.partial(), req.body);
    const updated = service.update(actorOf(req), id, patch);
    ctx.alerting.engine.refreshClient(id);
    ctx.logger.info({ clientId: id, by: req.user!.username, fields: Object.keys(patch) }, 'client changed');
    res.json(updated);
  });

  r.delete('/:id', requireRole('admin'), (req, res) => {
    const id = String(req.params.id);
    service.remove(actorOf(req), id);
    ctx.alerting.engine.refreshClient(id);
    res.status(204).end();
  });

  r.post('/:id/enrollment-tokens', requireRole('admin', 'technician'), (req, res) => {
    const id = String(req.params.id);
    service.get(id);
    const input = parseInput(enrollmentTokenInputSchema, req.body ?? {});
    // The token is shown once; only its hash is kept.
    res.status(201).json(service.createEnrollmentToken(actorOf(req), id, input));
  });

  r.get('/:id/enrollment-tokens', (req, res) => {
    const c = service.get(req.params.id);
    res.json(ctx.clients.listEnrollmentTokens(c.id));
  });

  r.get('/:id/agent-config', (req, res) => {
    const c = service.get(req.params.id);
    res.json({ clientId: c.id, config: ctx.settings.forClient(c.id) });
  });

  r.put('/:id/agent-config', requireRole('admin', 'technician'), (req, res) => {
    const c = service.get(String(req.params.id));
    const config = parseInput(agentSettingsSchema, req.body);
    service.setAgentConfig(actorOf(req), c.id, config);
    // Every connected agent of the client gets its new effective config now; the others at their next welcome.
    const pushedTo = ctx.devices.idsOfClient(c.id).filter((id) => ctx.agents.refreshConfig(id)).length;
    ctx.logger.info({ clientId: c.id, userId: req.user?.id, pushedTo }, 'client agent config changed');
    res.json({ clientId: c.id, config, pushedTo });
  });
  return r;
}
