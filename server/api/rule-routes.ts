/** /api/rules: list, read, create, change and delete rules; the effective rules of a device. */
import { Router } from 'express';
import { z } from 'zod';
import { ruleInputSchema } from '../../shared/alert-types.js';
import { parseInput } from '../lib/errors.js';
import { requireRole } from '../auth/sessions.js';
import { actorOfRequest } from './actor.js';
import type { ApiContext } from './context.js';

const listQuerySchema = z
  .object({
    kind: z.string().max(40).optional(),
    scope: z.enum(['global', 'client', 'device']).optional(),
    client: z.string().max(64).optional(),
    device: z.string().max(64).optional(),
  })
  .strict();

/** Routes under /api/rules. Everyone with a session reads; technicians and admins write (see rule-service). */
export function ruleRoutes(ctx: ApiContext): Router {
  const r = Router();
  const service = ctx.alerting.ruleService;

  r.get('/', (req, res) => {
    const q = parseInput(listQuerySchema, req.query, 'query');
    res.json(
      service
        .list()
        .filter(
          (rule) =>
            (q.kind === undefined || rule.kind === q.kind) &&
            (q.scope === undefined || rule.scope.type === q.scope) &&
            (q.client === undefined || (rule.scope.type === 'client' && rule.scope.clientId === q.client)) &&
            (q.device === undefined || (rule.scope.type === 'device' && rule.scope.deviceId === q.device)),
        ),
    );
  });

  r.get('/effective', (req, res) => {
    const q = parseInput(z.object({ device: z.string().min(1).max(64) }).strict(), req.query, 'query');
    res.json(service.effective(q.device));
  });

  r.get('/:id', (req, res) => {
    res.json(service.get(req.params.id));
  });

  r.post('/', requireRole('admin', 'technician'), (req, res) => {
    const input = parseInput(ruleInputSchema, req.body);
    res.status(201).json(service.create(input, actorOfRequest(req)));
  });

  r.patch('/:id', requireRole('admin', 'technician'), (req, res) => {
    const patch = parseInput(ruleInputSchema, req.body);
    res.json(service.update(String(req.params.id), patch, actorOfRequest(req)));
  });

  r.delete('/:id', requireRole('admin', 'technician'), (req, res) => {
    service.delete(String(req.params.id), actorOfRequest(req));
    res.status(204).end();
  });
  return r;
}
